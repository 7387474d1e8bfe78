/**
 * The search (trigram) indexes: a large import drops them and they are rebuilt once it has ended,
 * because building one takes a fraction of what keeping it up to date row by row costs (500k rows:
 * ~17 s of CPU to build them all against ~30 s added to the import). Search stays correct without them:
 * it is `lower(field) LIKE '%term%'` either way, only slower (a table scan) until they are back.
 */
import type { Sql } from "../platform/db.ts";

/**
 * Each search index, the expression it covers and the rows it holds, as migrations 002 and 017
 * created them: the description's in two halves, so its rebuild runs on two cores.
 */
export const SEARCH_INDEXES = [
  { name: "products_description_even_trgm_idx", expression: "lower(description)", rows: "id % 2 = 0" },
  { name: "products_description_odd_trgm_idx", expression: "lower(description)", rows: "id % 2 = 1" },
  { name: "products_name_trgm_idx", expression: "lower(name)", rows: null },
  { name: "products_sku_trgm_idx", expression: "lower(sku)", rows: null },
] as const;

type SearchIndexName = (typeof SEARCH_INDEXES)[number]["name"];

/** SQLSTATE lock_not_available: a lock wait ran past `lock_timeout`. */
const LOCK_NOT_AVAILABLE = "55P03";

/** Each search index that exists, and whether it is usable: an interrupted drop leaves one invalid. */
async function existingSearchIndexes(sql: Sql): Promise<{ name: SearchIndexName; usable: boolean }[]> {
  return await sql<{ name: SearchIndexName; usable: boolean }[]>`
    SELECT c.relname AS name, i.indisvalid AND i.indisready AS usable
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ANY(${SEARCH_INDEXES.map((index) => index.name)})`;
}

/** The search indexes that exist and are usable. */
export async function usableSearchIndexes(sql: Sql): Promise<Set<SearchIndexName>> {
  const existing = await existingSearchIndexes(sql);
  return new Set(existing.filter((index) => index.usable).map((index) => index.name));
}

/** True when every search index exists and is usable. */
export async function searchIndexesWhole(sql: Sql): Promise<boolean> {
  return (await usableSearchIndexes(sql)).size === SEARCH_INDEXES.length;
}

/**
 * Drops the search indexes before a large write. `CONCURRENTLY` lets reads and writes go on; a
 * drop that cannot get its lock within a second (a rebuild is running) is skipped, and the
 * import then keeps that index up to date as it writes.
 */
export async function dropSearchIndexes(sql: Sql): Promise<void> {
  // CONCURRENTLY cannot run in a transaction block, so the timeout is set on a reserved session.
  const connection = await sql.reserve();
  try {
    await connection`SET lock_timeout = '1s'`;
    for (const index of SEARCH_INDEXES) {
      try {
        await connection.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
      } catch (error) {
        if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      }
    }
    await connection`RESET lock_timeout`;
  } finally {
    connection.release();
  }
}

/**
 * Builds the search indexes that are missing (dropping first what an interrupted drop left
 * invalid), all at once, one connection each: at 500k rows each description half takes ~6 s, names
 * ~3 s and SKUs ~2 s, so two cores finish in ~8 s. A plain `CREATE INDEX` lets reads go on but
 * holds writes to `products` until it ends; `CONCURRENTLY` would not, but two concurrent builds on
 * one table deadlock, and one after the other take the sum.
 * `signal` cancels the builds (a stopping server does not wait for them; they leave nothing behind).
 */
export async function rebuildSearchIndexes(sql: Sql, signal?: AbortSignal): Promise<void> {
  const invalid = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ANY(${
    SEARCH_INDEXES.map((index) => index.name)
  }) AND NOT (i.indisvalid AND i.indisready)`;
  for (const { name } of invalid) await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  const usable = await usableSearchIndexes(sql);
  const missing = SEARCH_INDEXES.filter((index) => !usable.has(index.name));
  await Promise.all(missing.map(async (index) => {
    const connection = await sql.reserve();
    try {
      // Trigram extraction, not sorting, is the cost; more memory only spares spills on large tables.
      await connection`SET maintenance_work_mem = '256MB'`;
      signal?.throwIfAborted();
      const build = connection.unsafe(
        `CREATE INDEX IF NOT EXISTS ${index.name} ON products USING gin (${index.expression} gin_trgm_ops)` +
          (index.rows ? ` WHERE ${index.rows}` : ""),
      );
      const cancel = () => build.cancel();
      signal?.addEventListener("abort", cancel);
      try {
        await build;
      } finally {
        signal?.removeEventListener("abort", cancel);
      }
      await connection`RESET maintenance_work_mem`;
    } finally {
      connection.release();
    }
  }));
}
