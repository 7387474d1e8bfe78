import { deepStrictEqual, equal } from "node:assert/strict";
import { connectDatabase } from "../../../core/platform/mod.ts";
import { claimDueDeliveries, recordEvent } from "../../../core/webhooks/mod.ts";
import { waitUntil, withMigratedDatabase } from "../../helpers/test_app.ts";

Deno.test("a delivery claimed by a redelivery while the dispatcher's claim runs is not claimed twice", async () => {
  await withMigratedDatabase(async (db) => {
    await db.sql`INSERT INTO webhooks (url, event_types, secret)
      VALUES ('http://127.0.0.1:9/hook', '{*}', 'whsec_dGVzdA==')`;
    await recordEvent(db.sql, "product.created", { sku: "RACE-1" });
    const [{ id }] = await db.sql<{ id: string }[]>`SELECT id FROM webhook_deliveries`;

    // A redelivery's claim, not yet committed: the dispatcher's snapshot sees the row unclaimed,
    // and its UPDATE waits for this row lock.
    const watcher = connectDatabase(db.url, { max: 1 });
    let commit = () => {};
    const redelivery = db.sql.begin(async (tx) => {
      await tx`UPDATE webhook_deliveries SET attempts = attempts + 1,
        locked_until = now() + interval '120 seconds' WHERE id = ${id}`;
      await new Promise<void>((resolve) => commit = resolve);
    });
    try {
      await waitUntil("the redelivery to hold the row", async () => {
        const [{ held }] = await watcher<{ held: boolean }[]>`
          SELECT count(*) > 0 AS held FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE a.datname = current_database() AND l.mode = 'RowExclusiveLock'
            AND l.relation = 'webhook_deliveries'::regclass`;
        return held;
      });
      const claim = claimDueDeliveries(db.sql, 10, 1000);
      await waitUntil("the dispatcher's claim to wait for the row", async () => {
        const [{ waiting }] = await watcher<{ waiting: boolean }[]>`
          SELECT count(*) > 0 AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return waiting;
      });
      commit();
      await redelivery;
      deepStrictEqual([...await claim], [], "the dispatcher left the redelivery's claim alone");
      const [row] = await db.sql<{ attempts: number }[]>`SELECT attempts FROM webhook_deliveries`;
      equal(row.attempts, 1, "one attempt claimed");
    } finally {
      commit();
      await redelivery.catch(() => {});
      await watcher.end({ timeout: 5 });
    }
  });
});
