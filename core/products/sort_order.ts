/** The orders a list of products can be sorted in: one definition shared by paging, anchors and the export. */
import { type SelectQueryBuilder, sql as rawSql } from "kysely";

/** The columns a list can be sorted by. */
export const SORT_KEYS = ["updated", "sku", "name", "price"] as const;
/** A column a list can be sorted by. */
export type SortKey = typeof SORT_KEYS[number];

/**
 * The expressions each order sorts by, in order: each matches an index (migrations 001/002/011),
 * with id breaking ties (SKUs are unique, so their order needs none).
 */
export const SORT_EXPRESSIONS: Record<SortKey, string[]> = {
  updated: ["updated_at", "id"],
  sku: ["lower(sku)"],
  name: ["name", "id"],
  price: ["price", "id"],
};

/** The ORDER BY list of an order, e.g. `updated_at desc, id desc`: SQL text built from constants only. */
export function orderByList(sort: SortKey, order: "asc" | "desc"): string {
  return SORT_EXPRESSIONS[sort].map((expression) => `${expression} ${order}`).join(", ");
}

/**
 * Sorts a query of products (or of rows with their columns) in `sort` order. Works on `products`
 * and on a window of its rows alike, which have the same columns.
 */
// deno-lint-ignore no-explicit-any
export function applySort<Q extends SelectQueryBuilder<any, any, any>>(
  query: Q,
  sort: SortKey,
  order: "asc" | "desc",
): Q {
  // deno-lint-ignore no-explicit-any
  let sorted: SelectQueryBuilder<any, any, any> = query;
  for (const expression of SORT_EXPRESSIONS[sort]) sorted = sorted.orderBy(rawSql.raw(expression), order);
  return sorted as Q;
}
