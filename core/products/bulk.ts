/** The statements that change many products at once: an import batch, the clean-up after it, delete-all. */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";

/** A validated, normalized product row ready to upsert. */
export interface ProductRow {
  sku: string;
  name: string;
  description: string | null;
  /** A decimal string such as "12.50", or null for no price. */
  price: string | null;
  active: boolean;
}

const TEXT_OID = 25;
const BOOL_OID = 16;
const INT2_OID = 21;

/** Which optional columns the file has; an absent column leaves stored values untouched. */
export interface PresentColumns {
  description: boolean;
  price: boolean;
  active: boolean;
}

/**
 * Whether a row's SKU came earlier in the same file (in an earlier batch), which makes the row a
 * repeat rather than new, updated or unchanged a second time: 0 no (its first row in the file),
 * 1 yes, 2 yes and the earlier row was unchanged (so if this row changes the product, the product
 * counts as updated instead).
 */
export type EarlierInFile = 0 | 1 | 2;

/** What one batch did to the products table; the five counts add up to the batch's rows. */
export interface BatchCounts {
  inserted: number;
  updated: number;
  /** May be negative: an earlier batch's unchanged row that a later row of this batch changed. */
  unchanged: number;
  /** Rows whose SKU (any letter case) appears again later in the file, in this batch or a later one. */
  duplicates: number;
  /** The batch's positions (0-based) of the last rows of SKUs that are, so far, unchanged. */
  unchangedRows: number[];
}

/** Options of {@linkcode upsertProductBatch}. */
export interface UpsertOptions {
  columns: PresentColumns;
  /** Per row, whether its SKU came in an earlier batch of the same file; null when none did. */
  earlier?: EarlierInFile[] | null;
}

/**
 * Upserts a batch in one statement. Duplicates are removed in SQL, keeping the last row in
 * file order, because PostgreSQL's `lower()` (the unique index) and JS `toLowerCase()` can
 * disagree. Rows equal to what is stored are not rewritten, which keeps `updated_at` honest
 * and makes re-imports cheap. `xmax = 0` tells a fresh insert from an update.
 */
export async function upsertProductBatch(
  sql: postgres.Sql | postgres.TransactionSql,
  rows: ProductRow[],
  { columns, earlier = null }: UpsertOptions,
): Promise<BatchCounts> {
  // Only the file's columns are sent: serializing arrays is the import's main CPU cost.
  // unnest() pads a NULL array with NULLs, and an absent `active` becomes true on insert.
  const array = (values: unknown[], oid: number, type: string) =>
    sql`${sql.array(values as postgres.SerializableParameter[], oid)}::${sql.unsafe(type)}[]`;
  const skus = array(rows.map((row) => row.sku), TEXT_OID, "text");
  const names = array(rows.map((row) => row.name), TEXT_OID, "text");
  const descriptions = columns.description
    ? array(rows.map((row) => row.description), TEXT_OID, "text")
    : sql`NULL::text[]`;
  const prices = columns.price
    ? array(rows.map((row) => row.price), TEXT_OID, "numeric")
    : sql`NULL::numeric[]`;
  const actives = columns.active
    ? array(rows.map((row) => row.active), BOOL_OID, "boolean")
    : sql`NULL::boolean[]`;
  const earlierFlags = earlier ? array(earlier, INT2_OID, "int2") : sql`NULL::int2[]`;

  const assigned = ["sku", "name"];
  if (columns.description) assigned.push("description");
  if (columns.price) assigned.push("price");
  if (columns.active) assigned.push("active");
  const setList = sql.unsafe(assigned.map((column) => `${column} = excluded.${column}`).join(", "));
  const storedTuple = sql.unsafe(assigned.map((column) => `p.${column}`).join(", "));
  const incomingTuple = sql.unsafe(assigned.map((column) => `excluded.${column}`).join(", "));

  // `outcome.inserted` is true for an insert, false for an update, null for a row left as stored.
  const [result] = await sql<
    {
      distinct_rows: number;
      inserted: number;
      updated: number;
      changed_after_unchanged: number;
      unchanged: number;
      repeated_earlier: number;
      unchanged_ords: number[];
    }[]
  >`
    WITH input AS (
      SELECT * FROM unnest(${skus}, ${names}, ${descriptions}, ${prices}, ${actives}, ${earlierFlags})
        WITH ORDINALITY AS t(sku, name, description, price, active, earlier, ord)
    ), latest AS (
      SELECT DISTINCT ON (lower(sku)) sku, name, description, price, active, coalesce(earlier, 0) AS earlier, ord
      FROM input ORDER BY lower(sku), ord DESC
    ), written AS (
      INSERT INTO products AS p (sku, name, description, price, active)
      SELECT sku, name, description, price, coalesce(active, true) FROM latest
      ON CONFLICT (lower(sku)) DO UPDATE SET ${setList}, updated_at = now()
      WHERE (${storedTuple}) IS DISTINCT FROM (${incomingTuple})
      RETURNING lower(p.sku) AS key, (xmax = 0) AS inserted
    ), outcome AS (
      SELECT l.earlier, l.ord, w.inserted FROM latest l LEFT JOIN written w ON w.key = lower(l.sku)
    )
    SELECT count(*)::int AS distinct_rows,
      (count(*) FILTER (WHERE inserted))::int AS inserted,
      (count(*) FILTER (WHERE NOT inserted AND earlier <> 1))::int AS updated,
      (count(*) FILTER (WHERE NOT inserted AND earlier = 2))::int AS changed_after_unchanged,
      (count(*) FILTER (WHERE inserted IS NULL AND earlier = 0))::int AS unchanged,
      (count(*) FILTER (WHERE (NOT inserted AND earlier = 1) OR (inserted IS NULL AND earlier > 0)))::int
        AS repeated_earlier,
      coalesce(array_agg(ord::int) FILTER (WHERE inserted IS NULL AND earlier <> 1), '{}') AS unchanged_ords
    FROM outcome`;
  // A SKU seen in an earlier batch is counted once, by its first row; each later row is a repeat.
  // An insert is always new: the earlier flags come from a hash and could, very rarely, be wrong.
  return {
    inserted: result.inserted,
    updated: result.updated,
    unchanged: result.unchanged - result.changed_after_unchanged,
    duplicates: rows.length - result.distinct_rows + result.repeated_earlier + result.changed_after_unchanged,
    unchangedRows: result.unchanged_ords.map((ord) => ord - 1),
  };
}

/**
 * Run after a bulk change: moves the search index's pending entries into the index, marks the
 * table's pages all-visible and refreshes the planner's statistics. Without it, until autovacuum
 * comes by, searches right after a 500k import scan the pending list and plan for an empty table
 * (seconds instead of milliseconds), and deep pages, which skip rows in a sort index alone (an
 * index-only scan), visit the table for every skipped row (page 5,000: ~100 ms instead of ~15 ms).
 */
export async function tidyAfterBulkChange(sql: Sql): Promise<void> {
  for (const index of ["products_sku_trgm_idx", "products_name_trgm_idx", "products_description_trgm_idx"]) {
    await sql`SELECT gin_clean_pending_list(${index}::regclass)`;
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
