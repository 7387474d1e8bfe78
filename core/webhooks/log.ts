/** Reading the webhook delivery log (one row per attempt), and pruning old deliveries. */
import type { Selectable } from "kysely";
import type { Sql } from "../platform/db.ts";
import type { DeliveryStatus, WebhookLogTable } from "../platform/schema.ts";

/** One attempt as logged. */
export type WebhookAttempt = Selectable<WebhookLogTable>;

/** One attempt as logged, with its delivery's body and state. */
export type WebhookLog = WebhookAttempt & {
  body: string;
  delivery_status: DeliveryStatus;
};

/** A webhook's most recent attempts (of one delivery, if given), newest first, with each delivery's body and state. */
export async function listWebhookLogs(
  sql: Sql,
  webhookId: number,
  limit: number,
  deliveryId?: string,
): Promise<WebhookLog[]> {
  return await sql<WebhookLog[]>`
    SELECT l.*, d.body, d.status AS delivery_status
    FROM webhook_logs l JOIN webhook_deliveries d ON d.id = l.delivery_id
    WHERE l.webhook_id = ${webhookId} ${
    deliveryId === undefined ? sql`` : sql`AND l.delivery_id = ${deliveryId}`
  }
    ORDER BY l.created_at DESC, l.id DESC
    LIMIT ${limit}`;
}

/** Each webhook's latest attempt, by webhook id. */
export async function latestAttempts(sql: Sql): Promise<Map<number, WebhookAttempt>> {
  // One index probe per webhook, however long the log grows.
  const rows = await sql<WebhookAttempt[]>`
    SELECT l.*
    FROM webhooks w CROSS JOIN LATERAL (
      SELECT * FROM webhook_logs WHERE webhook_id = w.id ORDER BY created_at DESC LIMIT 1
    ) l`;
  return new Map(rows.map((row) => [row.webhook_id, row]));
}

/** How many deliveries of a webhook are waiting, and how many of those are already due. */
export async function pendingDeliveries(
  sql: Sql,
  webhookId: number,
): Promise<{ pending: number; due: number }> {
  const [row] = await sql<{ pending: number; due: number }[]>`
    SELECT count(*)::int AS pending, count(*) FILTER (WHERE next_attempt_at <= now())::int AS due
    FROM webhook_deliveries WHERE webhook_id = ${webhookId} AND status = 'pending'`;
  return row;
}

/** Finished deliveries (and their log rows) are kept this long, as Stripe keeps events for 30 days. */
export const DELIVERY_RETENTION_DAYS = 30;

/** Deletes finished deliveries older than the retention period, with their attempts; returns how many. */
export async function pruneOldDeliveries(sql: Sql, days = DELIVERY_RETENTION_DAYS): Promise<number> {
  const deleted = await sql`
    DELETE FROM webhook_deliveries
    WHERE status <> 'pending' AND finished_at < now() - make_interval(days => ${days})`;
  return deleted.count;
}
