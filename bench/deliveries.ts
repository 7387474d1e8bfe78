/** Webhook deliveries for the benches: queue many at once, clear them between runs. */
import type { Sql } from "../core/platform/mod.ts";

/**
 * Queues `count` events with `body` in one statement: every delivery becomes visible when it
 * commits; a dispatcher only looks when rung (or after its idle check).
 */
export async function queueEvents(sql: Sql, count: number, body: string): Promise<void> {
  const [{ queued }] = await sql<{ queued: number }[]>`
    SELECT sum(record_webhook_event('product.updated', ${body}))::int AS queued
    FROM generate_series(1, ${count})`;
  if (queued !== count) throw new Error(`${queued} deliveries were queued, expected ${count}`);
}

/** Removes every delivery and attempt. */
export async function clearDeliveries(sql: Sql): Promise<void> {
  await sql`DELETE FROM webhook_logs`;
  await sql`DELETE FROM webhook_deliveries`;
  // Otherwise each run scans the dead rows of the runs before it.
  await sql`VACUUM webhook_deliveries, webhook_logs`;
}
