/**
 * Hit counters in PostgreSQL, shared by every app process. A window opens at a bucket's first hit
 * and lasts `windowSeconds`; one atomic upsert per hit counts it and says when the window ends.
 * Times come from the database's clock, so processes with drifting clocks agree.
 */
import type { Sql } from "../platform/db.ts";

/** A bucket's standing in its current window. */
export interface WindowCount {
  /** Hits counted in the window, this one included. */
  count: number;
  /** Whole seconds until the window ends (at least 1). */
  resetSeconds: number;
}

/** How often a process deletes windows that ended; any process may, none must. */
const PRUNE_EVERY_MS = 60_000;
/** Ended windows are kept this long before pruning (they cost nothing meanwhile). */
const PRUNE_AFTER = "1 hour";

/** Counts hits per bucket in PostgreSQL; one instance per process. */
export class HitCounter {
  readonly #sql: Sql;
  #prunedAt = Date.now();

  /** A counter on this pool. */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Counts one hit on `bucket`; a window that ended starts afresh at 1. One round trip. */
  async hit(bucket: string, windowSeconds: number): Promise<WindowCount> {
    this.#pruneNowAndThen();
    const [row] = await this.#sql<{ count: number; reset_seconds: number }[]>`
      INSERT INTO rate_limit_counters AS c (bucket, window_start, window_end, count)
      VALUES (${bucket}, now(), now() + make_interval(secs => ${windowSeconds}), 1)
      ON CONFLICT (bucket) DO UPDATE SET
        count = CASE WHEN c.window_end <= now() THEN 1 ELSE c.count + 1 END,
        window_start = CASE WHEN c.window_end <= now() THEN excluded.window_start ELSE c.window_start END,
        window_end = CASE WHEN c.window_end <= now() THEN excluded.window_end ELSE c.window_end END
      RETURNING c.count, greatest(1, ceil(extract(epoch FROM c.window_end - now())))::int AS reset_seconds`;
    return { count: row.count, resetSeconds: row.reset_seconds };
  }

  /** The live windows of these buckets, without counting a hit; ended windows are left out. */
  async peek(buckets: string[]): Promise<Map<string, WindowCount>> {
    const rows = await this.#sql<{ bucket: string; count: number; reset_seconds: number }[]>`
      SELECT bucket, count, greatest(1, ceil(extract(epoch FROM window_end - now())))::int AS reset_seconds
      FROM rate_limit_counters WHERE bucket = ANY(${buckets}) AND window_end > now()`;
    return new Map(rows.map((row) => [row.bucket, { count: row.count, resetSeconds: row.reset_seconds }]));
  }

  /** Forgets a bucket's hits (a successful sign-in clears its account's failures). */
  async reset(bucket: string): Promise<void> {
    await this.#sql`DELETE FROM rate_limit_counters WHERE bucket = ${bucket}`;
  }

  /** Deletes windows that ended over an hour ago; returns how many. */
  async prune(): Promise<number> {
    const deleted = await this.#sql`
      DELETE FROM rate_limit_counters WHERE window_end < now() - ${PRUNE_AFTER}::interval`;
    return deleted.count;
  }

  /** At most once a minute per process, in the background: a failed prune only waits for the next. */
  #pruneNowAndThen(): void {
    if (Date.now() - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = Date.now();
    this.prune().catch((error) => console.error("could not prune rate-limit counters:", error));
  }
}
