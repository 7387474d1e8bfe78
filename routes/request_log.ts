/**
 * The request id and the request log: every response carries `X-Request-Id` (a well-formed incoming
 * one, else a new UUID) and every request ends with one JSON line in the log.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../core/accounts/mod.ts";
import type { Logger } from "../core/platform/mod.ts";
import type { AppEnv } from "./context.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id, as echoed in `X-Request-Id`. */
    requestId: string;
  }
}

/** The header that carries the request id in and out. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** What an incoming id may look like: short, and nothing that could forge a log line or a header. */
const WELL_FORMED_ID = /^[A-Za-z0-9._:=-]{1,128}$/;

/** Middleware: assigns the request id, echoes it, and logs the request once its response is ready. */
export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && WELL_FORMED_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    try {
      await next();
    } finally {
      c.res.headers.set(REQUEST_ID_HEADER, id);
      // A streamed body (SSE, CSV export) is timed to its headers, not to its last byte.
      log.request({
        request_id: id,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        actor: actorId(c.get("actor")),
      });
    }
  };
}

/** Who made the request, by id only (`user:12`, `token:3`): no email in the log. */
function actorId(actor: Actor | null | undefined): string | null {
  if (!actor) return null;
  return actor.kind === "user" ? `user:${actor.userId}` : `token:${actor.tokenId}`;
}

/** Reports an unexpected error to the log with this request's id; for `describeError`. */
export function reportUnexpected(log: Logger, c: Context): (error: unknown) => void {
  return (error) => log.unexpected(error, c.get("requestId") ?? null);
}
