/**
 * The indexes a large import sets aside: it drops them and they are rebuilt once it has ended,
 * because building one takes a fraction of what keeping it up to date row by row costs. The search
 * (trigram) indexes: ~17 s of CPU to build at 500k against ~30 s added to the import. The list's
 * sort indexes on name, price and SKU: their random keys made half of a 500k upsert's time and
 * 60 % of a 2M one's. Search and the list stay correct without them (a scan and a sort), only
 * slower until they are back. The unique SKU index and the one on `updated_at` (the default order,
 * written in key order) stay.
 */
import type { Sql } from "../platform/db.ts";

/**
 * Each index set aside and how migrations 002, 011 and 017 created it: the description's search
 * index in two halves, so that its rebuild runs on two cores.
 */
export const DEFERRED_INDEXES = [
  {
    name: "products_description_even_trgm_idx",
    kind: "search",
    definition: "USING gin (lower(description) gin_trgm_ops) WHERE id % 2 = 0",
  },
  {
    name: "products_description_odd_trgm_idx",
    kind: "search",
    definition: "USING gin (lower(description) gin_trgm_ops) WHERE id % 2 = 1",
  },
  { name: "products_name_trgm_idx", kind: "search", definition: "USING gin (lower(name) gin_trgm_ops)" },
  { name: "products_sku_trgm_idx", kind: "search", definition: "USING gin (lower(sku) gin_trgm_ops)" },
  { name: "products_name_idx", kind: "sort", definition: "(name, id)" },
  { name: "products_sku_paging_idx", kind: "sort", definition: "(lower(sku)) INCLUDE (sku, id)" },
  { name: "products_price_idx", kind: "sort", definition: "(price, id)" },
] as const;

/** The name of an index a large import sets aside. */
export type DeferredIndexName = (typeof DEFERRED_INDEXES)[number]["name"];

/** The search (trigram) indexes among them. */
export const SEARCH_INDEXES = DEFERRED_INDEXES.filter((index) => index.kind === "search");

/** Indexes rebuilt at once: each build is a connection of its own. */
export const REBUILDS_AT_ONCE = 4;

/** SQLSTATE lock_not_available: a lock wait ran past `lock_timeout`. */
const LOCK_NOT_AVAILABLE = "55P03";

/** Each set-aside index that exists, and whether it is usable: an interrupted drop leaves one invalid. */
async function existingDeferredIndexes(sql: Sql): Promise<{ name: DeferredIndexName; usable: boolean }[]> {
  return await sql<{ name: DeferredIndexName; usable: boolean }[]>`
    SELECT c.relname AS name, i.indisvalid AND i.indisready AS usable
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ANY(${DEFERRED_INDEXES.map((index) => index.name)})`;
}

/** The set-aside indexes that exist and are usable. */
export async function usableDeferredIndexes(sql: Sql): Promise<Set<DeferredIndexName>> {
  const existing = await existingDeferredIndexes(sql);
  return new Set(existing.filter((index) => index.usable).map((index) => index.name));
}

/** True when every index a large import sets aside exists and is usable. */
export async function deferredIndexesWhole(sql: Sql): Promise<boolean> {
  return (await usableDeferredIndexes(sql)).size === DEFERRED_INDEXES.length;
}

/**
 * Drops the set-aside indexes before a large write. `CONCURRENTLY` lets reads and writes go on; a
 * drop that cannot get its lock within a second (a rebuild is running) is skipped, and the
 * import then keeps that index up to date as it writes.
 */
export async function dropDeferredIndexes(sql: Sql): Promise<void> {
  // CONCURRENTLY cannot run in a transaction block, so the timeout is set on a reserved session.
  const connection = await sql.reserve();
  try {
    await connection`SET lock_timeout = '1s'`;
    for (const index of DEFERRED_INDEXES) {
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
 * Builds the set-aside indexes that are missing (dropping first what an interrupted drop left
 * invalid), four at a time, one connection each, longest first: at 500k rows each description
 * half takes ~6 s, names ~3 s, SKUs ~2 s and each sort index under a second, so two cores finish
 * in ~9 s. A plain `CREATE INDEX` lets reads go on but holds writes to `products` until it ends;
 * `CONCURRENTLY` would not, but two concurrent builds on one table deadlock, and one after the
 * other take the sum. `signal` cancels the builds (a stopping server does not wait for them; they
 * leave nothing behind).
 */
export async function rebuildDeferredIndexes(sql: Sql, signal?: AbortSignal): Promise<void> {
  const existing = await existingDeferredIndexes(sql);
  for (const { name } of existing.filter((index) => !index.usable)) {
    await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
  const usable = new Set(existing.filter((index) => index.usable).map((index) => index.name));
  const missing = DEFERRED_INDEXES.filter((index) => !usable.has(index.name));
  const build = async () => {
    const connection = await sql.reserve();
    try {
      // Trigram extraction, not sorting, is the cost; more memory only spares spills on large tables.
      await connection`SET maintenance_work_mem = '256MB'`;
      for (let index = missing.shift(); index; index = missing.shift()) {
        signal?.throwIfAborted();
        const creating = connection.unsafe(
          `CREATE INDEX IF NOT EXISTS ${index.name} ON products ${index.definition}`,
        );
        const cancel = () => creating.cancel();
        signal?.addEventListener("abort", cancel);
        try {
          await creating;
        } finally {
          signal?.removeEventListener("abort", cancel);
        }
      }
      await connection`RESET maintenance_work_mem`;
    } finally {
      connection.release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(REBUILDS_AT_ONCE, missing.length) }, build));
}
