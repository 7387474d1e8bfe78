/**
 * Deep pages of the whole product list, found from stored anchors (migration 018). Page 5,000 of
 * 500k skips 250,000 entries of a sort index by OFFSET (~25 ms); from the anchor before it, at most
 * 999 (~1 ms). Anchors are exact only for the products they were taken from: they are used only
 * while `product_stats.version` is the one they were taken at, read in the page's own snapshot.
 */
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../platform/schema.ts";
import { orderByList, SORT_EXPRESSIONS, type SortKey } from "./sort_order.ts";

/** An anchor every this many products in each order. */
export const ANCHOR_EVERY = 1_000;
/**
 * An order's anchors are taken again at most this often: while an import writes, each change
 * outdates them, and taking them (~50 ms at 500k) for every deep page would cost more than OFFSET.
 */
const RETAKE_AFTER = "2 seconds";

/**
 * The index each anchored order is read through. Anchors are taken only while it is usable: a
 * large import sets the name index aside, and without it each step would sort the table.
 */
const ORDER_INDEXES: Record<SortKey, string> = {
  updated: "products_updated_at_idx",
  sku: "products_sku_lower_key",
  name: "products_name_idx",
  price: "products_price_idx",
};

/** A sort order of the whole list. */
export interface ListOrder {
  sort: SortKey;
  order: "asc" | "desc";
}

/** What the anchors stored for an order say about the position `offset`. */
export type AnchorLookup =
  /** The products from `offset` on, in order (a query of ids to sort and limit). */
  | { kind: "found"; ids: SelectQueryBuilder<Database, "products", { id: number }>; skip: number }
  /** No anchor serves, and taking them now is worth it. */
  | { kind: "outdated" }
  /** No anchor serves (see {@linkcode anchorsServe}), or they are outdated but were just taken. */
  | { kind: "none" };

/**
 * Whether anchors can serve a page at `offset` in `listOrder`: one lies at or before it, and the
 * order's columns hold no NULLs (a row comparison with a NULL price matches nothing, so the price
 * order is paged by OFFSET alone).
 */
export function anchorsServe(listOrder: ListOrder, offset: number): boolean {
  return listOrder.sort !== "price" && offset >= ANCHOR_EVERY;
}

function anchorName({ sort, order }: ListOrder): string {
  return `${sort} ${order}`;
}

/** The order's sort expressions as a row, e.g. `(updated_at, id)`. */
function keyRow(sort: SortKey): string {
  return `(${SORT_EXPRESSIONS[sort].join(", ")})`;
}

/**
 * Looks up the stored anchor at or before `offset` in `listOrder`. Run it and the query it returns
 * in one snapshot (a repeatable-read transaction): the anchor is checked against the version of
 * the products that snapshot sees.
 */
export async function anchorBefore(
  trx: Kysely<Database>,
  listOrder: ListOrder,
  offset: number,
): Promise<AnchorLookup> {
  const wanted = Math.floor(offset / ANCHOR_EVERY);
  if (!anchorsServe(listOrder, offset)) return { kind: "none" };
  // Past the last anchor, the last one serves (the page is then near or past the end).
  const { rows } = await sql<
    { current: boolean | null; recent: boolean | null; k: number | null; id: number | null }
  >`
    SELECT a.version = s.version AS current, a.taken_at > now() - ${RETAKE_AFTER}::interval AS recent,
      least(${wanted}::int, cardinality(a.ids)) AS k, a.ids[least(${wanted}::int, cardinality(a.ids))] AS id
    FROM product_stats s
    LEFT JOIN product_page_anchors a ON a.sort = ${anchorName(listOrder)} AND a.every = ${ANCHOR_EVERY}`
    .execute(trx);
  const [anchor] = rows;
  if (!anchor?.current) return anchor?.recent ? { kind: "none" } : { kind: "outdated" };
  if (anchor.id === null || anchor.k === null) return { kind: "none" };
  const comparison = listOrder.order === "asc" ? ">=" : "<=";
  const ids = trx.selectFrom("products").select("id").where(sql<boolean>`${sql.raw(keyRow(listOrder.sort))}
    ${sql.raw(comparison)} (SELECT ${sql.raw(SORT_EXPRESSIONS[listOrder.sort].join(", "))}
      FROM products WHERE id = ${anchor.id})`);
  return { kind: "found", ids, skip: offset - anchor.k * ANCHOR_EVERY };
}

/**
 * Takes the anchors of `listOrder` again, in one statement (so one snapshot): from the first
 * product on, each step skips `ANCHOR_EVERY` entries of the order's index, from the previous anchor's
 * key. Takes none while that index is missing (they stay outdated; pages are then read by OFFSET).
 */
export async function takeAnchors(db: Kysely<Database>, listOrder: ListOrder): Promise<void> {
  const { sort, order } = listOrder;
  const keys = SORT_EXPRESSIONS[sort].map((expression, index) => `${expression} AS k${index}`).join(", ");
  const previousKey = `(${SORT_EXPRESSIONS[sort].map((_, index) => `a.k${index}`).join(", ")})`;
  const comparison = order === "asc" ? ">" : "<";
  await sql`
    WITH RECURSIVE anchors AS (
      (SELECT 1 AS n, id AS anchor, ${sql.raw(keys)} FROM products
        ORDER BY ${sql.raw(orderByList(sort, order))} OFFSET ${ANCHOR_EVERY} LIMIT 1)
      UNION ALL
      -- Inside, unqualified names are the products' columns (the anchors' are n, anchor and k0…).
      SELECT a.n + 1, next.* FROM anchors a, LATERAL (
        SELECT id AS anchor, ${sql.raw(keys)} FROM products
        WHERE ${sql.raw(keyRow(sort))} ${sql.raw(comparison)} ${sql.raw(previousKey)}
        ORDER BY ${sql.raw(orderByList(sort, order))} OFFSET ${ANCHOR_EVERY - 1} LIMIT 1) next
    )
    INSERT INTO product_page_anchors (sort, version, every, ids, taken_at)
    SELECT ${anchorName(listOrder)}, (SELECT version FROM product_stats), ${ANCHOR_EVERY},
      coalesce((SELECT array_agg(anchor ORDER BY n) FROM anchors), '{}'), now()
    WHERE EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = ${ORDER_INDEXES[sort]} AND i.indisvalid AND i.indisready)
    ON CONFLICT (sort) DO UPDATE SET version = excluded.version, every = excluded.every, ids = excluded.ids,
      taken_at = excluded.taken_at`.execute(db);
}
