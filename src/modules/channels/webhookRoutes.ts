import { and, eq } from "drizzle-orm";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { decryptSecret } from "../../platform/crypto/secrets.js";
import { verifyWebhook } from "../../platform/crypto/webhookSignature.js";
import { NotFoundError, UnauthorizedError, ValidationError } from "../../platform/errors.js";
import { idParams } from "../../platform/http/schemas.js";
import { maxPostTextLength, type NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { toPlainText } from "../../platform/text/plainText.js";
import type { InboxDeps } from "../conversations/workflow.js";
import { receiveInbound } from "./inboundReceiver.js";
import { channelAccount } from "./schema.js";

/** The largest webhook call accepted; bigger ones are answered 413 before they are read. */
export const webhookBodyLimit = 256 * 1024;

/** The documented payload of `POST /api/v1/hooks/:channelId` (docs/connectors.md). */
export const webhookPayloadSchema = z.object({
  /** message: to the organization (opens or continues a conversation); post: public, for listening. */
  type: z.enum(["message", "post"]).default("message"),
  externalId: z.string().trim().min(1).max(512),
  /** The id of the message this one answers: continues that conversation. */
  parentExternalId: z.string().trim().min(1).max(512).optional(),
  author: z.object({
    handle: z.string().trim().min(1).max(256),
    name: z.string().trim().max(256).optional(),
  }),
  text: z.string().min(1).max(maxPostTextLength),
  url: z.url().max(2048).optional(),
  sentAt: z.coerce.date().optional(),
  isPublic: z.boolean().optional(),
});

export interface WebhookRouteDeps extends InboxDeps {
  secretsKey: Buffer;
  submitPosts(organizationId: string, posts: NormalizedPost[]): Promise<void>;
}

/**
 * The generic webhook's inbound side. The body is read as text, so the signature is checked over
 * exactly the bytes that were sent (HMAC-SHA256 over `<timestamp>.<body>`, the channel's secret).
 * A refused call is logged with the channel and reason only, never the payload, and counted.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRouteDeps> = async (app, deps) => {
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: webhookBodyLimit },
    (_request, text, done) => done(null, text),
  );
  app.post(
    "/api/v1/hooks/:channelId",
    {
      config: { access: "public" },
      bodyLimit: webhookBodyLimit,
      schema: {
        tags: ["channels"],
        summary:
          "A signed call from the system behind a webhook channel (X-Konversa-Timestamp, X-Konversa-Signature: sha256=HMAC over `<timestamp>.<body>`). Payload: see docs/connectors.md.",
        security: [],
        params: idParams("channelId"),
      },
    },
    async (request, reply) => {
      const { channelId } = request.params as { channelId: string };
      const [account] = await deps.db
        .select()
        .from(channelAccount)
        .where(and(eq(channelAccount.channelId, channelId), eq(channelAccount.network, "webhook")));
      if (!account) throw new NotFoundError("The webhook channel");
      const raw = typeof request.body === "string" ? request.body : "";
      const { secret } = JSON.parse(decryptSecret(deps.secretsKey, account.credentials)) as {
        secret: string;
      };
      const verdict = verifyWebhook({
        secret,
        timestamp: header(request.headers["x-konversa-timestamp"]),
        signature: header(request.headers["x-konversa-signature"]),
        body: raw,
        now: deps.clock.now(),
      });
      if (verdict !== "valid") {
        request.log.warn({ channelId, reason: verdict }, "webhook call refused: signature");
        app.metrics.countWebhookRejection(verdict);
        throw new UnauthorizedError(
          verdict === "stale"
            ? "The X-Konversa-Timestamp is more than five minutes away from our time; sign the call when you send it."
            : "The webhook signature is missing or wrong; sign `<timestamp>.<body>` with the channel's secret.",
        );
      }
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(raw);
      } catch {
        throw new ValidationError("The request body is not valid JSON.");
      }
      const parsed = webhookPayloadSchema.safeParse(parsedJson);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        throw new ValidationError(
          `Check the payload field "${issues[0]?.path}": ${issues[0]?.message}.`,
          issues,
        );
      }
      const payload = parsed.data;
      const text = toPlainText(payload.text);
      if (!text) throw new ValidationError("The payload's text is empty once markup is removed.");
      const sentAt = payload.sentAt ?? deps.clock.now();
      const result = await receiveInbound(deps, {
        organizationId: account.organizationId,
        channelId,
        submitPosts: deps.submitPosts,
        posts:
          payload.type === "post"
            ? [
                {
                  network: "webhook",
                  externalId: payload.externalId,
                  url: payload.url,
                  text,
                  author: { handle: payload.author.handle, displayName: payload.author.name },
                  parentExternalId: payload.parentExternalId,
                  postedAt: sentAt,
                  isPublic: payload.isPublic ?? true,
                  engagement: { likes: 0, reposts: 0, replies: 0 },
                  channelId,
                },
              ]
            : [],
        messages:
          payload.type === "message"
            ? [
                {
                  externalId: payload.externalId,
                  parentExternalId: payload.parentExternalId,
                  authorName: payload.author.name ?? payload.author.handle,
                  text,
                  sentAt,
                  isPublic: payload.isPublic ?? false,
                },
              ]
            : [],
      });
      return reply.status(202).send({ accepted: true, received: result.received, posts: result.posts });
    },
  );
};

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
