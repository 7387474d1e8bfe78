/**
 * Webhook events: their types, their payload `{type, timestamp, data}`, and recording them in the
 * same transaction as the change that caused them (a committed change always has its event).
 */
import { type Kysely, sql as kyselySql, type Transaction } from "kysely";
import type postgres from "postgres";
import type { Database } from "../platform/schema.ts";

/** Every event a webhook can subscribe to; `*` subscribes to all of them. */
export const WEBHOOK_EVENT_TYPES = [
  "product.created",
  "product.updated",
  "product.deleted",
  "products.bulk_deleted",
  "import.completed",
  "import.failed",
  "import.cancelled",
] as const;

/** One of {@linkcode WEBHOOK_EVENT_TYPES}. */
export type WebhookEventType = typeof WEBHOOK_EVENT_TYPES[number];

/** The event the Test button sends; it goes only to the webhook being tested. */
export const TEST_EVENT_TYPE = "webhook.test";

/** The exact JSON body of an event. */
export function eventBody(type: string, data: unknown, at = new Date()): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** Records an event inside a postgres.js transaction; returns how many deliveries were queued. */
export async function recordEvent(
  tx: postgres.TransactionSql | postgres.Sql,
  type: WebhookEventType,
  data: unknown,
): Promise<number> {
  const [row] = await tx<{ queued: number }[]>`
    SELECT record_webhook_event(${type}, ${eventBody(type, data)}) AS queued`;
  return row.queued;
}

/** Records an event inside a kysely transaction; returns how many deliveries were queued. */
export async function recordEventIn(
  trx: Transaction<Database> | Kysely<Database>,
  type: WebhookEventType,
  data: unknown,
): Promise<number> {
  const result = await kyselySql<{ queued: number }>`
    SELECT record_webhook_event(${type}, ${eventBody(type, data)}) AS queued`.execute(trx);
  return result.rows[0].queued;
}
