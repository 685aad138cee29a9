/**
 * Typed errors of the application. Each maps to one HTTP status in `platform/http/errors.ts`;
 * the message is a sentence a user can act on.
 */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal_error";
  constructor(
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = "validation_failed";
}

export class UnauthorizedError extends AppError {
  override readonly status = 401;
  override readonly code = "unauthorized";
  constructor(message = "Sign in first: this request needs a session or an API token.") {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = "forbidden";
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = "not_found";
  constructor(what: string) {
    super(`${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = "conflict";
}

/** A setting is missing or wrong; the process stops with exit code 2 and this one sentence. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The process cannot start for a reason outside the configuration (database down, port taken). */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "StartupError";
  }
}
