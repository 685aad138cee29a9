import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError } from "../errors.js";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The one place where errors become HTTP answers: `{error: {code, message, details}}`. */
export function handleError(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AppError) {
    return reply.status(error.status).send(body(error.code, error.message, error.details));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => ({
      in: error.validationContext,
      path:
        v.instancePath.replace(/^\//, "").replaceAll("/", ".") ||
        (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join(".") ||
        "",
      message: v.message,
    }));
    const first = details[0];
    const where = first?.path ? `${first.in} field "${first.path}"` : `the request ${first?.in ?? "body"}`;
    return reply
      .status(400)
      .send(body("validation_failed", `Check ${where}: ${first?.message ?? "it is not valid"}.`, details));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return reply
      .status(413)
      .send(body("payload_too_large", "The request body is too large; send less data per request."));
  }
  if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return reply
      .status(415)
      .send(body("unsupported_media_type", "Send the request body as application/json."));
  }
  if (
    fastifyError.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
    fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY"
  ) {
    return reply.status(400).send(body("invalid_json", "The request body is not valid JSON."));
  }
  if (fastifyError.statusCode === 429) {
    return reply.status(429).send(body("rate_limited", fastifyError.message));
  }
  if (
    fastifyError.statusCode &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500 &&
    !isResponseSerializationError(error)
  ) {
    return reply
      .status(fastifyError.statusCode)
      .send(body(fastifyError.code ?? "bad_request", fastifyError.message));
  }
  request.log.error({ err: error }, "request failed");
  return reply
    .status(500)
    .send(body("internal_error", `Something went wrong on our side; it is logged as request ${request.id}.`));
}

export function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
