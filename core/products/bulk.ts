/** The statements that change many products at once: an import's chunk, the clean-up after it, delete-all. */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import { SEARCH_INDEXES, usableDeferredIndexes } from "./deferred_indexes.ts";

/** A validated, normalized product row ready to upsert. */
export interface ProductRow {
  sku: string;
  name: string;
  description: string | null;
  /** A decimal string such as "12.50", or null for no price. */
  price: string | null;
  active: boolean;
}

/** Which optional columns the file has; an absent column leaves stored values untouched. */
export interface PresentColumns {
  description: boolean;
  price: boolean;
  active: boolean;
}

/** What writing one chunk of a staged file did; the counts add up to the chunk's staged rows. */
export interface ChunkCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows whose SKU (in any letter case) comes again later in the file: only its last row is written. */
  repeated: number;
  /** The chunk's staged (valid) rows. */
  staged: number;
}

/** Which staged rows {@linkcode writeStagedChunk} writes, and how. */
export interface StagedChunk {
  /** The file's records `after < ord <= through`. */
  after: number;
  through: number;
  /** The file's optional columns: only these are assigned on update. */
  columns: PresentColumns;
  /**
   * Look each row up in `products` first and leave the unchanged ones out of the INSERT: worth it
   * when many are unchanged (a re-import), a wasted index probe per row when few are (a new file).
   */
  leaveOutUnchanged: boolean;
}

/**
 * Writes a chunk of the staged rows into `products`, in one statement: of each SKU only its last
 * row in the whole file (last row wins), so a SKU repeated across the file is written once; the
 * earlier rows count as repeated. Rows equal to what is stored are not rewritten, which keeps
 * `updated_at` honest and makes re-imports cheap. `xmax = 0` tells a fresh insert from an update.
 */
export async function writeStagedChunk(
  tx: postgres.TransactionSql,
  stage: string,
  chunk: StagedChunk,
): Promise<ChunkCounts> {
  const { columns } = chunk;
  const assigned = ["sku", "name"];
  if (columns.description) assigned.push("description");
  if (columns.price) assigned.push("price");
  if (columns.active) assigned.push("active");
  const tuple = (table: string) => tx.unsafe(assigned.map((column) => `${table}.${column}`).join(", "));
  const setList = tx.unsafe(assigned.map((column) => `${column} = excluded.${column}`).join(", "));
  await probeProductsBySku(tx);
  // Left out before the INSERT, rows equal to the stored product are not locked: `ON CONFLICT …
  // WHERE false` still locks (and so writes) each of them, which was most of a re-import's cost.
  const changing = chunk.leaveOutUnchanged
    ? tx`SELECT l.* FROM latest l LEFT JOIN products p ON lower(p.sku) = lower(l.sku)
      WHERE p.id IS NULL OR (${tuple("p")}) IS DISTINCT FROM (${tuple("l")})`
    : tx`SELECT * FROM latest`;
  const [counts] = await tx<{ staged: number; latest: number; inserted: number; updated: number }[]>`
    WITH chunk AS (
      SELECT ord, sku, name, description, price, active FROM ${tx(stage)}
      WHERE ord > ${chunk.after} AND ord <= ${chunk.through}
    ), latest AS (
      SELECT * FROM chunk c
      WHERE NOT EXISTS (
        SELECT 1 FROM ${tx(stage)} l
        WHERE lower(l.sku) COLLATE "C" = lower(c.sku) COLLATE "C" AND l.ord > c.ord)
    ), changing AS (
      ${changing}
    ), written AS (
      INSERT INTO products AS p (sku, name, description, price, active)
      SELECT sku, name, description, price, coalesce(active, true) FROM changing
      ON CONFLICT (lower(sku)) DO UPDATE SET ${setList}, updated_at = now()
      WHERE (${tuple("p")}) IS DISTINCT FROM (${tuple("excluded")})
      RETURNING (xmax = 0) AS inserted
    )
    SELECT (SELECT count(*) FROM chunk)::int AS staged, (SELECT count(*) FROM latest)::int AS latest,
      (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM written`;
  return {
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: counts.latest - counts.inserted - counts.updated,
    repeated: counts.staged - counts.latest,
    staged: counts.staged,
  };
}

/**
 * Plans the rest of the transaction's joins with `products` as one probe of the unique SKU index
 * per row, which is what a few thousand rows want at any table size; the planner, left alone, does
 * worse. During an import the table grows faster than its statistics: planned from them, the join
 * hashed all of `products` for every chunk (a 500k import took twice as long), or, planned while the
 * table was empty and another import filled it, scanned the whole table once per row (15 s for one
 * chunk). And the SKU's trigram index also answers `=`, through a bitmap: ~1–2 ms a probe. The
 * penalty these settings put on what remains (the count trigger's one-row table) would price the
 * statements past `jit_above_cost`, and compiling them cost ~15 ms a chunk: JIT is off too.
 */
export async function probeProductsBySku(tx: postgres.TransactionSql): Promise<void> {
  await tx`
    SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
      set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
      set_config('jit', 'off', true)`;
}

/**
 * Run after a bulk change (never inside the import's time: after it ends): moves the search
 * indexes' pending entries into the indexes, marks the table's pages all-visible and refreshes
 * the planner's statistics. Without it, until autovacuum comes by, searches right after a large
 * import scan the pending lists and plan for an empty table, and deep pages, which skip rows in a
 * sort index alone (an index-only scan), visit the table for every skipped row (page 5,000: ~100
 * ms instead of ~15 ms).
 */
export async function tidyAfterBulkChange(sql: Sql): Promise<void> {
  const usable = await usableDeferredIndexes(sql);
  for (const { name } of SEARCH_INDEXES.filter((index) => usable.has(index.name))) {
    await sql`SELECT gin_clean_pending_list(${name}::regclass)`;
  }
  await sql`VACUUM (ANALYZE) products`;
}

/**
 * Deletes every product and returns how many there were. TRUNCATE empties 500k rows in
 * milliseconds where DELETE takes seconds and leaves dead rows behind; run it in the transaction
 * that records the outcome, so a crash leaves either everything or nothing deleted.
 */
export async function deleteAllProducts(tx: postgres.TransactionSql): Promise<number> {
  // Taking the lock first makes the count exact: no import can add rows in between.
  await tx`LOCK TABLE products IN ACCESS EXCLUSIVE MODE`;
  const [{ count }] = await tx<{ count: number }[]>`SELECT count(*)::int AS count FROM products`;
  await tx`TRUNCATE products`;
  return count;
}
