/** Listing products: filters, sort and paging shared by the list, the page and the export. */
import { type Kysely, type SelectQueryBuilder, sql as rawSql } from "kysely";
import type { Sql } from "../platform/db.ts";
import type { Database } from "../platform/schema.ts";
import { anchorBefore, anchorsServe, takeAnchors } from "./page_anchors.ts";
import { applySort, orderByList, type SortKey } from "./sort_order.ts";
import { countProducts, type Product } from "./store.ts";

/** Filters shared by the list, the page and the export. */
export interface ProductFilters {
  search?: string;
  active?: boolean;
  priceMin?: number;
  priceMax?: number;
  /** Only these products (the ones ticked on a page), when given. */
  ids?: number[];
}

/** Filters, sort and paging for {@linkcode listProducts}. */
export interface ProductQuery extends ProductFilters {
  sort: SortKey;
  order: "asc" | "desc";
  page: number;
  limit: number;
}

/** One page of products and the numbers needed to page through the rest. */
export interface ProductPage {
  items: Product[];
  /** Matching products; for filtered lists counted up to {@linkcode COUNT_CAP} (see `total_exact`). */
  total: number;
  /** False when a filtered list matches more than {@linkcode COUNT_CAP} products and `total` is that cap. */
  total_exact: boolean;
  page: number;
  pages: number;
  limit: number;
}

/**
 * Filtered lists count at most this many matches: counting 200k matches of a common word costs
 * hundreds of milliseconds, and "1,000+" tells a person as much (the pager's Next goes on past it).
 * Counting to 5,000 instead was half the time of a common word's page ("kettle" at 500k: ~24 ms).
 */
export const COUNT_CAP = 1_000;
/**
 * A search with at most this many matches is paged by gathering and sorting them; one with more
 * by walking the sort index, which then finds a page within a few thousand rows.
 */
const GATHER_CAP = 5_000;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/**
 * Narrows a query of products to those matching `filters`; the one definition of what a filter
 * means, shared by the list, the export and bulk actions. Works on `products` and on a window of
 * its rows in sort order alike, which have the same columns.
 */
// deno-lint-ignore no-explicit-any
export function applyFilters<Q extends SelectQueryBuilder<any, any, any>>(
  query: Q,
  filters: ProductFilters,
): Q {
  // deno-lint-ignore no-explicit-any
  let filtered: SelectQueryBuilder<any, any, any> = query;
  if (filters.search) {
    // Each side matches a trigram index, one per field: the candidates of a phrase are then the
    // rows where one field holds all its trigrams, not the three together. The description's
    // index is in two halves by id (migration 017); naming each half lets the planner use both.
    // A candidate is checked against the condition in the order written: testing the half first
    // lowers its description once, not twice ("walnut kettle" at 500k: 24 ms, not 52).
    const pattern = rawSql<string>`lower(${`%${escapeLike(filters.search)}%`})`;
    filtered = filtered.where(rawSql<boolean>`(lower(sku) LIKE ${pattern} OR lower(name) LIKE ${pattern}
      OR (id % 2 = 0 AND lower(description) LIKE ${pattern})
      OR (id % 2 = 1 AND lower(description) LIKE ${pattern}))`);
  }
  if (filters.active !== undefined) filtered = filtered.where("active", "=", filters.active);
  if (filters.priceMin !== undefined) filtered = filtered.where("price", ">=", String(filters.priceMin));
  if (filters.priceMax !== undefined) filtered = filtered.where("price", "<=", String(filters.priceMax));
  if (filters.ids) filtered = filtered.where("id", "in", filters.ids.length > 0 ? filters.ids : [0]);
  return filtered as Q;
}

/** Lists products, filtered, sorted and paged; a page past the end is empty. */
export async function listProducts(db: Kysely<Database>, query: ProductQuery): Promise<ProductPage> {
  const unfiltered = !query.search && query.active === undefined && query.priceMin === undefined &&
    query.priceMax === undefined;

  let items: Product[];
  let total: number;
  if (query.search) {
    // Counting is cheap either way: a rare term has few candidates in the search indexes, and a
    // common one stops at the cap. Meanwhile the leading rows in sort order hold a common term's page.
    const window = LEADING_ROWS_PER_MATCH * query.page * query.limit;
    const [counted, leading] = await Promise.all([
      countWithPage(db, query),
      window <= MAX_LEADING_ROWS ? leadingPage(db, query, window) : null,
    ]);
    total = counted.total;
    if (leading?.length === query.limit) items = leading;
    else if (total === 0) items = [];
    else if (total <= COUNT_CAP) items = await rowsInOrder(db, counted.pageIds, query);
    else {
      const matches = await countUpTo(db, applyFilters(db.selectFrom("products"), query), GATHER_CAP + 1);
      items = matches > GATHER_CAP ? await sortedPage(db, query) : await searchPage(db, query);
    }
  } else {
    const filtered = applyFilters(db.selectFrom("products"), query);
    [items, total] = await Promise.all([
      unfiltered ? wholeListPage(db, query) : sortedPage(db, query),
      unfiltered ? countProducts(db) : countUpTo(db, filtered, COUNT_CAP + 1),
    ]);
  }
  const totalExact = unfiltered || total <= COUNT_CAP;
  const shownTotal = totalExact ? total : COUNT_CAP;
  return {
    items,
    total: shownTotal,
    total_exact: totalExact,
    page: query.page,
    pages: Math.max(1, Math.ceil(shownTotal / query.limit)),
    limit: query.limit,
  };
}

/**
 * One page in sort order, as `OFFSET` gives it, read as a deferred join: the rows before the page
 * are skipped in the sort index alone (an index-only scan of the index that matches the order), and
 * only the page's ids go back to the table. Reading whole rows to skip them made page 5,000 of 500k
 * cost 50–100 ms; see docs/decisions.md.
 */
function sortedPage(db: Kysely<Database>, query: ProductQuery): Promise<Product[]> {
  return pageById(db, applyFilters(db.selectFrom("products"), query).select("id"), query);
}

/**
 * A page of the whole list, unfiltered: from the stored anchor before it when one serves (see
 * `page_anchors.ts`), taking the order's anchors first when they are outdated; else as
 * {@linkcode sortedPage} does. The anchor and the page are read in one snapshot.
 */
async function wholeListPage(db: Kysely<Database>, query: ProductQuery): Promise<Product[]> {
  const offset = (query.page - 1) * query.limit;
  if (!anchorsServe(query, offset)) return await sortedPage(db, query);
  const fromAnchor = () =>
    db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(async (trx) => {
      const anchor = await anchorBefore(trx, query, offset);
      if (anchor.kind !== "found") return anchor.kind;
      return await pageById(trx, anchor.ids, { ...query, offset: anchor.skip });
    });
  let page = await fromAnchor();
  if (page === "outdated") {
    await takeAnchors(db, query);
    page = await fromAnchor();
  }
  return typeof page === "string" ? await sortedPage(db, query) : page;
}

/**
 * The rows of page `query.page` of `ids` (a query of product ids) in sort order, fetched by id;
 * `query.offset`, when given, is where the page starts in `ids`.
 */
function pageById(
  db: Kysely<Database>,
  // deno-lint-ignore no-explicit-any
  ids: SelectQueryBuilder<any, any, { id: number }>,
  query: ProductQuery & { offset?: number },
): Promise<Product[]> {
  const pageIds = applySort(ids, query.sort, query.order)
    .limit(query.limit)
    .offset(query.offset ?? (query.page - 1) * query.limit);
  return applySort(db.selectFrom("products").selectAll().where("id", "in", pageIds), query.sort, query.order)
    .execute();
}

/** A common term matches at least one row in this many: its page N lies within the first `N × limit × 20`. */
const LEADING_ROWS_PER_MATCH = 20;
/** The most leading rows a search looks through for its page while it counts (page 1 of 50 reads 1,000). */
const MAX_LEADING_ROWS = 10_000;

/**
 * The search's page as found among the first `window` rows in sort order. When these hold a full
 * page it is exactly the page (the matches among the leading rows come before all others); when
 * not, the caller pages another way. Bounded, so a rare term costs a read of `window` rows, not a
 * walk through the table.
 */
function leadingPage(db: Kysely<Database>, query: ProductQuery, window: number): Promise<Product[]> {
  const leading = applySort(db.selectFrom("products").selectAll(), query.sort, query.order).limit(window);
  return pageById(db, applyFilters(db.selectFrom(leading.as("leading")).select("id"), query), query);
}

/**
 * A page of a search with at most GATHER_CAP matches: the matches, gathered through the search
 * indexes with only their sort columns, are sorted and the page's rows fetched by id. The planner
 * misjudges how many rows a substring matches; left alone it walks the sort index for a rare phrase
 * and reads half the table.
 */
function searchPage(db: Kysely<Database>, query: ProductQuery): Promise<Product[]> {
  return applySort(
    db.with(
      (cte) => cte("matches").materialized(),
      (qb) =>
        applyFilters(qb.selectFrom("products"), query).select(["id", "sku", "name", "price", "updated_at"]),
    )
      .selectFrom("products")
      .selectAll()
      .where("id", "in", (eb) =>
        applySort(eb.selectFrom("matches").select("id"), query.sort, query.order)
          .limit(query.limit)
          .offset((query.page - 1) * query.limit)),
    query.sort,
    query.order,
  ).execute();
}

/**
 * Counts the matches up to `cap`. The matches are planned as if all were wanted (a materialized
 * CTE), and the cap stops reading them: planned with the cap, the planner's guess of a term's
 * matches chose between the search indexes and a table scan stopping at the cap, and for "kettle"
 * at 500k it sometimes took the scan, reading ~65k descriptions (100–165 ms instead of ~14).
 */
async function countUpTo<O>(
  db: Kysely<Database>,
  filtered: SelectQueryBuilder<Database, "products", O>,
  cap: number,
): Promise<number> {
  const row = await db.with((cte) => cte("matches").materialized(), () => filtered.select("id"))
    .selectFrom((eb) => eb.selectFrom("matches").select("id").limit(cap).as("capped"))
    .select((eb) => eb.fn.countAll<string>().as("total"))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * Counts a search's matches up to COUNT_CAP + 1 as {@linkcode countUpTo} does, gathering their sort
 * columns: when it counts at most COUNT_CAP, it has read them all, and sorting them gives the
 * page's ids (`pageIds`, meaningless above the cap). One pass through the search indexes instead of
 * two: "walnut kettle" (985 matches at 500k) took ~45 ms counted, then gathered.
 */
async function countWithPage(
  db: Kysely<Database>,
  query: ProductQuery,
): Promise<{ total: number; pageIds: number[] }> {
  const offset = (query.page - 1) * query.limit;
  const row = await db.with(
    (cte) => cte("matches").materialized(),
    () => applyFilters(db.selectFrom("products"), query).select(["id", "sku", "name", "price", "updated_at"]),
  )
    .selectFrom((eb) => eb.selectFrom("matches").selectAll().limit(COUNT_CAP + 1).as("capped"))
    .select((eb) => [
      eb.fn.countAll<string>().as("total"),
      rawSql<number[] | null>`(array_agg(id ORDER BY ${rawSql.raw(orderByList(query.sort, query.order))}))
        [${offset + 1}:${offset + query.limit}]`.as("page_ids"),
    ])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), pageIds: (row.page_ids ?? []).map(Number) };
}

/** The products with these ids, in sort order. */
async function rowsInOrder(db: Kysely<Database>, ids: number[], query: ProductQuery): Promise<Product[]> {
  if (ids.length === 0) return [];
  return await applySort(
    db.selectFrom("products").selectAll().where("id", "in", ids),
    query.sort,
    query.order,
  )
    .execute();
}

/** Every product matching the filters, in SKU order, read with a cursor so memory stays flat. */
export async function* iterateProducts(
  db: Kysely<Database>,
  sql: Sql,
  filters: ProductFilters,
): AsyncGenerator<Product[]> {
  const compiled = applySort(applyFilters(db.selectFrom("products"), filters).selectAll(), "sku", "asc")
    .compile();
  const cursor = sql.unsafe<Product[]>(compiled.sql, compiled.parameters as never[]).cursor(1000);
  for await (const rows of cursor) yield rows;
}
