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

/**
 * What an attempt came to, for filtering the log: `succeeded` (a 2xx), `failed` (anything else),
 * and of the failed ones `pending` (its delivery will be retried) and `gave_up` (its delivery
 * failed for good).
 */
export const ATTEMPT_RESULTS = ["succeeded", "failed", "pending", "gave_up"] as const;

/** A result filter of the log. */
export type AttemptResult = typeof ATTEMPT_RESULTS[number];

/** Which attempts of a webhook's log to read: filters, and a cursor (an attempt id) to page from. */
export interface LogFilter {
  eventType?: string;
  result?: AttemptResult;
  deliveryId?: string;
  /** Attempts logged before this one (older). */
  before?: number;
  /** Attempts logged after this one (newer). */
  after?: number;
}

/** One page of the log, newest first, with the cursors of the pages around it (null at either end). */
export interface LogPage {
  items: WebhookLog[];
  /** Pass as `before` for the next, older page. */
  older: number | null;
  /** Pass as `after` for the previous, newer page. */
  newer: number | null;
}

// Older attempts without the columns of migration 013 keep their first 1 KB in response_excerpt.
function columns(sql: Sql) {
  return sql`l.id, l.webhook_id, l.delivery_id, l.event_type, l.attempt, l.response_status,
  l.response_time_ms, l.error_kind, l.error_message, l.response_excerpt, l.next_retry_at, l.created_at,
  l.request_url, l.request_headers, l.response_headers, coalesce(l.response_body, l.response_excerpt)
  AS response_body, l.response_body_truncated, d.body, d.status AS delivery_status`;
}

/** Attempt `l` belongs to one of the webhook's deliveries in `status` (pending ones are few, and indexed). */
function deliveryIn(sql: Sql, webhookId: number, status: DeliveryStatus) {
  return sql`l.delivery_id IN (
    SELECT d.id FROM webhook_deliveries d WHERE d.webhook_id = ${webhookId} AND d.status = ${status})`;
}

function filterConditions(sql: Sql, webhookId: number, filter: LogFilter) {
  const ok = sql`coalesce(l.response_status BETWEEN 200 AND 299, false)`;
  const result = {
    succeeded: sql`AND ${ok}`,
    failed: sql`AND NOT ${ok}`,
    pending: sql`AND NOT ${ok} AND ${deliveryIn(sql, webhookId, "pending")}`,
    gave_up: sql`AND NOT ${ok} AND ${deliveryIn(sql, webhookId, "failed")}`,
  };
  return sql`l.webhook_id = ${webhookId}
    ${filter.eventType === undefined ? sql`` : sql`AND l.event_type = ${filter.eventType}`}
    ${filter.deliveryId === undefined ? sql`` : sql`AND l.delivery_id = ${filter.deliveryId}`}
    ${filter.result === undefined ? sql`` : result[filter.result]}`;
}

/** The position of attempt `id` in the log's order, for keyset paging. */
function positionOf(sql: Sql, id: number) {
  return sql`(SELECT c.created_at, c.id FROM webhook_logs c WHERE c.id = ${id})`;
}

/**
 * A page of a webhook's attempts (newest first) matching `filter`, each with its delivery's body and
 * state. Pages are keyed by attempt, not numbered, so attempts logged meanwhile never shift one.
 */
export async function pageOfWebhookLogs(
  sql: Sql,
  webhookId: number,
  options: LogFilter & { limit: number },
): Promise<LogPage> {
  const where = filterConditions(sql, webhookId, options);
  const newerFirst = options.after === undefined;
  // Both cursors may be given: the attempts between them, read from `after` on.
  const cursor = sql`${
    options.before === undefined ? sql`` : sql`AND (l.created_at, l.id) < ${positionOf(sql, options.before)}`
  } ${
    options.after === undefined ? sql`` : sql`AND (l.created_at, l.id) > ${positionOf(sql, options.after)}`
  }`;
  const rows = await sql<WebhookLog[]>`
    SELECT ${columns(sql)}
    FROM webhook_logs l JOIN webhook_deliveries d ON d.id = l.delivery_id
    WHERE ${where} ${cursor}
    ORDER BY ${newerFirst ? sql`l.created_at DESC, l.id DESC` : sql`l.created_at, l.id`}
    LIMIT ${options.limit + 1}`;
  const more = rows.length > options.limit;
  const items = rows.slice(0, options.limit);
  if (!newerFirst) items.reverse();
  if (items.length === 0) return { items, older: null, newer: null };
  // The far side of the cursor: is there anything on it that matches?
  const beyond = async (id: number, side: "newer" | "older") => {
    const [row] = await sql`
      SELECT 1 FROM webhook_logs l
      WHERE ${where} AND (l.created_at, l.id) ${side === "newer" ? sql`>` : sql`<`} ${positionOf(sql, id)}
      LIMIT 1`;
    return row !== undefined;
  };
  const first = items[0].id;
  const last = items[items.length - 1].id;
  return {
    items,
    older: (newerFirst ? more : await beyond(last, "older")) ? last : null,
    newer: (newerFirst ? options.before !== undefined && await beyond(first, "newer") : more) ? first : null,
  };
}

/** Counting stops here: past it a long log says "10,000+" rather than reading every attempt (345 ms at 200k). */
export const LOG_COUNT_CAP = 10_000;

/** How many of a webhook's attempts match `filter` (its cursors ignored), up to {@linkcode LOG_COUNT_CAP}. */
export async function countWebhookLogs(
  sql: Sql,
  webhookId: number,
  filter: LogFilter,
): Promise<{ count: number; exact: boolean }> {
  const [row] = await sql<{ count: number }[]>`
    SELECT count(*)::int AS count FROM (
      SELECT 1 FROM webhook_logs l WHERE ${filterConditions(sql, webhookId, filter)}
      LIMIT ${LOG_COUNT_CAP + 1}
    ) matching`;
  return row.count > LOG_COUNT_CAP
    ? { count: LOG_COUNT_CAP, exact: false }
    : { count: row.count, exact: true };
}

/** A webhook's most recent attempts (of one delivery, if given), newest first, with each delivery's body and state. */
export async function listWebhookLogs(
  sql: Sql,
  webhookId: number,
  limit: number,
  deliveryId?: string,
): Promise<WebhookLog[]> {
  return (await pageOfWebhookLogs(sql, webhookId, { limit, deliveryId })).items;
}

/** One attempt of a webhook, with its delivery's body and state; null if the webhook has no such attempt. */
export async function findWebhookLog(sql: Sql, webhookId: number, id: number): Promise<WebhookLog | null> {
  const [row] = await sql<WebhookLog[]>`
    SELECT ${columns(sql)}
    FROM webhook_logs l JOIN webhook_deliveries d ON d.id = l.delivery_id
    WHERE l.webhook_id = ${webhookId} AND l.id = ${id}`;
  return row ?? null;
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
