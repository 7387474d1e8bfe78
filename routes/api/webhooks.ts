/** The webhook API: endpoints, secret rotation, test events, the delivery log and redelivery. */
import { Hono } from "hono";
import { z } from "zod";
import { canChange } from "../../core/accounts/mod.ts";
import { NotFoundError, ValidationError } from "../../core/platform/mod.ts";
import {
  createWebhook,
  deleteWebhook,
  deliveryPolicy,
  EXCERPT_CHARS,
  findWebhookLog,
  getWebhook,
  listWebhooks,
  pageOfWebhookLogs,
  parseWebhookCreate,
  parseWebhookUpdate,
  recordWebhookSend,
  redeliver,
  rotateWebhookSecret,
  type SendResult,
  sendTestEvent,
  updateWebhook,
  urlGuard,
  webhookJson,
  type WebhookLog,
} from "../../core/webhooks/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { attemptId, auditContext, deliveryIdFromPath, jsonBody, LogQuery, webhookId } from "../http.ts";

/** The body of `POST /api/webhooks/{id}/test`: optional data for the test event. */
const TestBody = z.object({ payload: z.unknown().optional() }).strict();

/** An attempt in API responses: the brief's fields, plus the whole exchange as the delivery page shows it. */
export function webhookLogJson(log: WebhookLog) {
  return {
    id: log.id,
    webhook_id: log.webhook_id,
    delivery_id: log.delivery_id,
    event_type: log.event_type,
    attempt: log.attempt,
    payload: JSON.parse(log.body),
    response_status: log.response_status,
    response_time_ms: log.response_time_ms,
    error_kind: log.error_kind,
    error_message: log.error_message,
    response_excerpt: log.response_body?.slice(0, EXCERPT_CHARS) || null,
    next_retry_at: log.next_retry_at?.toISOString() ?? null,
    delivery_status: log.delivery_status,
    created_at: log.created_at.toISOString(),
    request: { url: log.request_url, headers: log.request_headers, body: log.body },
    response: log.response_status === null ? null : {
      status: log.response_status,
      headers: log.response_headers,
      body: log.response_body,
      body_truncated: log.response_body_truncated,
    },
  };
}

/** The outcome of a test or a redelivery: `{status, time_ms}` and, if it failed, why. */
export function sendResultJson(result: SendResult) {
  return {
    status: result.status,
    time_ms: result.timeMs,
    ok: result.ok,
    error: result.errorKind,
    message: result.errorMessage,
    response_excerpt: result.responseExcerpt,
  };
}

/** `/api/webhooks`: CRUD, secret rotation, test, log, redelivery. */
export function webhookApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const guard = () => urlGuard(ctx.config);

  app.get("/", async (c) => {
    const webhooks = await listWebhooks(ctx.db);
    return c.json(webhooks.map((webhook) => webhookJson(webhook, { withSecret: false })));
  });

  app.post("/", async (c) => {
    const input = parseWebhookCreate(await jsonBody(c.req.raw, "webhook"));
    const webhook = await createWebhook(ctx.db, input, { ...guard(), audit: auditContext(c) });
    return c.json(webhookJson(webhook, { withSecret: true }), 201, {
      Location: `/api/webhooks/${webhook.id}`,
    });
  });

  // The signing secret lets whoever holds it forge deliveries: only those who may change the webhook see it.
  app.get("/:id", async (c) => {
    const webhook = await getWebhook(ctx.db, webhookId(c.req.param("id")));
    const actor = c.get("actor");
    return c.json(webhookJson(webhook, { withSecret: actor !== null && canChange(actor) }));
  });

  app.put("/:id", async (c) => {
    const id = webhookId(c.req.param("id"));
    const input = parseWebhookUpdate(await jsonBody(c.req.raw, "webhook"));
    const webhook = await updateWebhook(ctx.db, id, input, { ...guard(), audit: auditContext(c) });
    return c.json(webhookJson(webhook, { withSecret: true }));
  });

  app.delete("/:id", async (c) => {
    await deleteWebhook(ctx.db, webhookId(c.req.param("id")), { audit: auditContext(c) });
    return c.json({ message: "Deleted" });
  });

  app.post("/:id/rotate-secret", async (c) => {
    const id = webhookId(c.req.param("id"));
    const webhook = await rotateWebhookSecret(ctx.db, id, { audit: auditContext(c) });
    return c.json(webhookJson(webhook, { withSecret: true }));
  });

  app.post("/:id/test", async (c) => {
    const id = webhookId(c.req.param("id"));
    const hasBody = (c.req.header("content-length") ?? "0") !== "0" || c.req.header("transfer-encoding");
    const body = hasBody ? TestBody.safeParse(await jsonBody(c.req.raw, "test request")) : null;
    if (body && !body.success) {
      throw new ValidationError("The test request takes only an optional `payload`.");
    }
    const result = await sendTestEvent(
      ctx.sql,
      id,
      deliveryPolicy(ctx.config),
      body?.data.payload ?? undefined,
    );
    // A send changes no stored data: recorded after it, with its outcome.
    await recordWebhookSend(ctx.db, id, { audit: auditContext(c), result });
    return c.json(sendResultJson(result));
  });

  app.get("/:id/logs", async (c) => {
    const id = webhookId(c.req.param("id"));
    await getWebhook(ctx.db, id);
    const query = LogQuery.parse(c.req.query());
    const page = await pageOfWebhookLogs(ctx.sql, id, {
      limit: query.limit,
      eventType: query.event_type,
      result: query.result,
      before: query.before,
      after: query.after,
    });
    // The answer stays the brief's array; the pages around it are in a Link header, as GitHub's API does.
    const link = (rel: string, cursor: Record<string, number>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...query, ...cursor })) {
        if (value !== undefined && key !== "before" && key !== "after") params.set(key, String(value));
      }
      for (const [key, value] of Object.entries(cursor)) params.set(key, String(value));
      return `</api/webhooks/${id}/logs?${params}>; rel="${rel}"`;
    };
    const links = [
      page.older !== null ? link("next", { before: page.older }) : null,
      page.newer !== null ? link("prev", { after: page.newer }) : null,
    ].filter((value) => value !== null);
    if (links.length > 0) c.header("Link", links.join(", "));
    return c.json(page.items.map(webhookLogJson));
  });

  app.get("/:id/logs/:attemptId", async (c) => {
    const id = webhookId(c.req.param("id"));
    const attempt = attemptId(c.req.param("attemptId"), id);
    const log = await findWebhookLog(ctx.sql, id, attempt);
    if (!log) {
      await getWebhook(ctx.db, id); // a missing webhook says so first
      throw new NotFoundError(`Webhook ${id} has no delivery attempt with id ${attempt}.`);
    }
    return c.json(webhookLogJson(log));
  });

  app.post("/:id/deliveries/:deliveryId/redeliver", async (c) => {
    const id = webhookId(c.req.param("id"));
    const deliveryId = deliveryIdFromPath(c.req.param("deliveryId"), id);
    const result = await redeliver(ctx.sql, id, deliveryId, deliveryPolicy(ctx.config));
    await recordWebhookSend(ctx.db, id, { audit: auditContext(c), deliveryId, result });
    return c.json(sendResultJson(result));
  });

  return app;
}
