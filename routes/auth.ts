/**
 * Who is asking, and may they: every request is identified by its `Authorization: Bearer` token
 * or its session cookie; anonymous requests are sent to `/login` (pages) or answered 401 (API);
 * viewers and read-only tokens may only read; a change made with the session cookie must come
 * from this app's own pages (same origin and the session's CSRF token). Each token has a budget
 * of calls per minute; sessions have none (see docs/decisions.md).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { type Actor, canChange, findApiToken, findSession } from "../core/accounts/mod.ts";
import type { ApiBudget } from "../core/limits/mod.ts";
import { ForbiddenError, RateLimitedError } from "../core/platform/mod.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { formBody } from "./http.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "session";

/** Paths anyone may open: health checks, signing in, the first-admin setup, static files. */
const PUBLIC_PATHS = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/login$/,
  /^\/setup\/[^/]+$/,
  /^\/static\//,
  /^\/favicon\.ico$/,
  /^\/api\/openapi\.json$/,
];
/** Changes any signed-in person may make, viewers included. */
const ANYONE_MAY_POST = new Set(["/logout", "/settings/password"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Identifies the actor of every request and enforces who may do what. */
export function authentication(ctx: AppContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = await identify(ctx, c);
    c.set("actor", actor);
    if (actor?.kind === "token") limitTokenCalls(c, await ctx.limits.apiCall(actor.tokenId));
    const path = c.req.path;
    const safe = SAFE_METHODS.has(c.req.method);
    if (!safe && actor?.kind !== "token") checkSameOrigin(c);
    if (PUBLIC_PATHS.some((pattern) => pattern.test(path))) return await next();
    if (!actor) return unauthenticated(c);
    if (actor.kind === "user" && !safe) await checkCsrfToken(c, actor.csrfToken);
    // Anyone signed in may sign out and change their own password; every other change needs an
    // admin or a write token.
    if (!safe && !ANYONE_MAY_POST.has(path) && !canChange(actor)) {
      throw new ForbiddenError(
        actor.kind === "user"
          ? "Your account can view everything but change nothing; ask an admin to make a change."
          : "This API token is read-only; create a write token to make changes.",
      );
    }
    return await next();
  };
}

/**
 * Every answer to a token carries its budget (IETF draft `RateLimit-*` headers, set before the
 * handler runs so that error answers carry them too); past the budget the call is refused.
 */
function limitTokenCalls(c: Context<AppEnv>, budget: ApiBudget): void {
  c.header("RateLimit-Limit", String(budget.limit));
  c.header("RateLimit-Remaining", String(budget.remaining));
  c.header("RateLimit-Reset", String(budget.resetSeconds));
  if (!budget.allowed) {
    throw new RateLimitedError(
      `This API token has used its ${budget.limit} calls for this minute; try again in ${budget.resetSeconds} s.`,
      budget.resetSeconds,
    );
  }
}

async function identify(ctx: AppContext, c: Context<AppEnv>): Promise<Actor | null> {
  const authorization = c.req.header("authorization");
  if (authorization) {
    const [scheme, token] = authorization.split(" ");
    const found = scheme?.toLowerCase() === "bearer" && token
      ? await findApiToken(ctx.db, token.trim())
      : null;
    if (!found) return null;
    return { kind: "token", tokenId: found.id, name: found.name, scope: found.scope };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await findSession(ctx.db, cookie, ctx.config.session);
  if (!session) {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return null;
  }
  return { kind: "user", ...session };
}

function unauthenticated(c: Context<AppEnv>): Response {
  if (c.req.path.startsWith("/api/")) {
    const sent = c.req.header("authorization") !== undefined;
    const message = sent
      ? "The API token is not valid (unknown, revoked or mistyped)."
      : "Sign in, or send an API token as Authorization: Bearer <token> (create one with `deno task token NAME`).";
    return c.json({ error: { code: "unauthorized", message } }, 401, {
      "WWW-Authenticate": 'Bearer realm="api"',
    });
  }
  const url = new URL(c.req.url);
  const next = c.req.method === "GET" ? `${url.pathname}${url.search}` : "/";
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/**
 * A browser says where a request comes from: `Origin` on every cross-site POST, `Sec-Fetch-Site`
 * in current browsers. A form posted from another site is refused whatever else it carries.
 */
function checkSameOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header("origin");
  const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
  const fetchSite = c.req.header("sec-fetch-site");
  let foreign = fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none";
  if (origin !== undefined) {
    try {
      foreign ||= origin === "null" || new URL(origin).host !== host;
    } catch {
      foreign = true;
    }
  }
  if (foreign) {
    throw new ForbiddenError(
      "This request came from another site; changes are only accepted from this app's pages.",
    );
  }
}

/** The session's CSRF token must come with the change: a form field, a header, or (uploads) the query. */
async function checkCsrfToken(c: Context<AppEnv>, expected: string): Promise<void> {
  let sent = c.req.header("x-csrf-token") ?? c.req.query("_csrf");
  const type = c.req.header("content-type") ?? "";
  if (!sent && type.startsWith("application/x-www-form-urlencoded")) {
    const field = (await formBody(c)).get("_csrf");
    sent = typeof field === "string" ? field : undefined;
  }
  const matches = sent !== undefined && sent.length === expected.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!matches) {
    throw new ForbiddenError(
      "The form has expired or did not come from this app; reload the page and try again.",
    );
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure behind TLS, for as long as a session may last. */
export function setSessionCookie(c: Context<AppEnv>, value: string, maxHours: number): void {
  const https = c.req.header("x-forwarded-proto") === "https" || new URL(c.req.url).protocol === "https:";
  setCookie(c, SESSION_COOKIE, value, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: https,
    maxAge: Math.round(maxHours * 3600),
  });
}
