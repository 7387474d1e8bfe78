/**
 * The HTTP application: every route module mounted in one place, one error mapping, security
 * headers, the request id and log, health and readiness.
 */
import { Hono } from "hono";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import { auditApi } from "./api/audit.ts";
import { importApi } from "./api/imports.ts";
import { openApiRoute } from "./api/openapi.ts";
import { productApi } from "./api/products.ts";
import { tokenApi } from "./api/tokens.ts";
import { webhookApi } from "./api/webhooks.ts";
import { contextStorage } from "hono/context-storage";
import { authentication } from "./auth.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { loginPages } from "./login.tsx";
import { describeError } from "./errors.ts";
import { answersWithin, pingDatabase } from "../core/platform/mod.ts";
import { reportUnexpected, requestLog } from "./request_log.ts";
import { securityHeaders } from "./security_headers.ts";
import { productPages } from "./products.tsx";
import { importPages } from "./imports.tsx";
import { webhookPages } from "./webhooks.tsx";
import { auditPages } from "./audit.tsx";
import { settingsPages } from "./settings.tsx";
import { loadStaticAssets } from "./static_assets.ts";

const ERROR_HEADINGS: Record<number, string> = { 404: "Not found", 413: "Too large to accept" };

function ErrorPage(props: { status: number; message: string }) {
  return (
    <Layout title={ERROR_HEADINGS[props.status] ?? "Error"}>
      <h1>{ERROR_HEADINGS[props.status] ?? "Something went wrong"}</h1>
      <p class="alert alert--error">{props.message}</p>
      <p>
        <a href="/">Back to products</a>
      </p>
    </Layout>
  );
}

/**
 * The methods the app's routes answer at `path` (a 405 names them in `Allow`; an empty list means
 * nothing lives there, a 404).
 */
function methodsServing(app: Hono<AppEnv>, path: string): string[] {
  const methods = app.routes.filter((route) => route.method !== "ALL" && routePattern(route.path).test(path))
    .map((route) => route.method);
  return [...new Set(methods)];
}

const routePatterns = new Map<string, RegExp>();

/** A route path (`/api/products/:id{[0-9]+}`) as a regular expression matching the paths it serves. */
function routePattern(routePath: string): RegExp {
  let pattern = routePatterns.get(routePath);
  if (!pattern) {
    const source = routePath.split("/").map((part) =>
      part.startsWith(":")
        ? `(?:${part.match(/\{(.+)\}$/)?.[1] ?? "[^/]+"})`
        : part === "*"
        ? ".*"
        : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    ).join("/");
    pattern = new RegExp(`^${source}/?$`);
    routePatterns.set(routePath, pattern);
  }
  return pattern;
}

/** How long `/healthz` and `/readyz` wait for the database (and `/readyz` for the queue) before giving up. */
const HEALTH_QUERY_TIMEOUT_MS = 2_000;

/** Builds the HTTP application: API under `/api`, pages, static files, one error mapping. */
export function createApp(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const assets = loadStaticAssets(new URL("../static", import.meta.url).pathname);

  // Outermost, so the log line and the headers cover every answer: pages, API, static files, errors, 404s.
  app.use("*", requestLog(ctx.log));
  app.use("*", securityHeaders());

  app.onError((error, c) => {
    const { status, body, headers } = describeError(error, reportUnexpected(ctx.log, c));
    if (c.req.path.startsWith("/api/")) return c.json(body, status, headers);
    const page = htmlResponse(<ErrorPage status={status} message={body.error.message} />, status);
    for (const [name, value] of Object.entries(headers ?? {})) page.headers.set(name, value);
    return page;
  });
  app.notFound((c) => {
    const allowed = methodsServing(app, c.req.path);
    if (allowed.length > 0) {
      const refusal = `${c.req.path} answers ${allowed.join(", ")}, not ${c.req.method}.`;
      return c.json({ error: { code: "method_not_allowed", message: refusal } }, 405, {
        Allow: allowed.join(", "),
      });
    }
    const message = `Nothing lives at ${c.req.path}.`;
    if (c.req.path.startsWith("/api/")) return c.json({ error: { code: "not_found", message } }, 404);
    return htmlResponse(<ErrorPage status={404} message={message} />, 404);
  });

  // Pages render for the request's session without passing it down by hand (see components/render.ts).
  app.use("*", contextStorage());
  app.use("*", async (c, next) => {
    c.set("assetUrls", assets.urls);
    await next();
  });
  app.use("*", authentication(ctx));

  // A successful write may have queued webhook events (in its transaction): ring the doorbell.
  app.use("*", async (c, next) => {
    await next();
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.res.status < 400) {
      // The change is committed; a missed ring only delays delivery until the dispatcher's next look.
      await ctx.webhooks.ring().catch((error) =>
        console.error("could not ring the webhook dispatcher:", error)
      );
    }
  });

  // A load balancer probing a dead database needs a fast, machine-readable 503, not a hang or an HTML 500.
  app.get("/healthz", async (c) => {
    const problem = await pingDatabase(ctx.sql, HEALTH_QUERY_TIMEOUT_MS);
    if (problem === null) return c.json({ status: "ok", database: "ok" });
    const message = `The database did not answer SELECT 1: ${problem}`;
    return c.json({ status: "error", database: "unreachable", message }, 503);
  });
  // Ready for traffic: the database and the job queue both answer (uploads need both).
  app.get("/readyz", async (c) => {
    const [database, queue] = await Promise.all([
      pingDatabase(ctx.sql, HEALTH_QUERY_TIMEOUT_MS),
      answersWithin(ctx.jobs.ping(), HEALTH_QUERY_TIMEOUT_MS),
    ]);
    if (database === null && queue === null) return c.json({ status: "ok", database: "ok", queue: "ok" });
    const problems = [
      database === null ? null : `the database did not answer SELECT 1: ${database}`,
      queue === null ? null : `the job queue's store did not answer a read: ${queue}`,
    ].filter((problem) => problem !== null);
    return c.json({
      status: "error",
      database: database === null ? "ok" : "unreachable",
      queue: queue === null ? "ok" : "unreachable",
      message: `Not ready: ${problems.join("; ")}.`,
    }, 503);
  });
  app.route("/static", assets.routes);
  // Browsers that ignore the page's icon link ask for /favicon.ico.
  app.get("/favicon.ico", (c) => c.redirect(assets.urls.get("favicon.svg") ?? "/static/favicon.svg", 301));

  app.route("/api", importApi(ctx));
  app.route("/api", openApiRoute());
  app.route("/api/products", productApi(ctx));
  app.route("/api/tokens", tokenApi(ctx));
  app.route("/api/webhooks", webhookApi(ctx));
  app.route("/api/audit", auditApi(ctx));
  app.route("/", loginPages(ctx));
  app.route("/imports", importPages(ctx));
  app.route("/webhooks", webhookPages(ctx));
  app.route("/settings/audit", auditPages(ctx));
  app.route("/settings", settingsPages(ctx));
  app.route("/", productPages(ctx));
  return app;
}
