/** The one place where errors become HTTP statuses and the JSON error shape. */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../core/platform/mod.ts";

/** The JSON error body of every API error: `{error: {code, message, details?}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function statusOf(error: DomainError): ContentfulStatusCode {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof UnsupportedMediaTypeError) return 415;
  if (error instanceof ValidationError) return 422;
  if (error instanceof RateLimitedError) return 429;
  return 400;
}

/**
 * Maps any thrown error to a status and body; the one place where errors become HTTP. An error
 * that is none of ours goes to `report` (the request's log), and the client learns nothing of it.
 */
export function describeError(
  error: unknown,
  report: (error: unknown) => void,
): { status: ContentfulStatusCode; body: ApiErrorBody; headers?: Record<string, string> } {
  if (error instanceof DomainError) {
    return {
      status: statusOf(error),
      body: { error: { code: error.code, message: error.message, details: error.details } },
      headers: error instanceof RateLimitedError
        ? { "Retry-After": String(error.retryAfterSeconds) }
        : undefined,
    };
  }
  if (error instanceof z.ZodError) {
    const details = error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
    const message = details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join("; ");
    return { status: 400, body: { error: { code: "bad_request", message, details } } };
  }
  if (error instanceof HTTPException) {
    return {
      status: error.status as ContentfulStatusCode,
      body: { error: { code: "http_error", message: error.message } },
    };
  }
  report(error);
  return {
    status: 500,
    body: { error: { code: "internal_error", message: "Something went wrong on our side." } },
  };
}
