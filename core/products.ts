import { type Kysely, type SelectQueryBuilder, sql as rawSql } from "kysely";
import type { Sql } from "./db.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import type { ProductCreate, ProductUpdate } from "./product_input.ts";
import type { Database } from "./schema.ts";

/** A product as stored. */
export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string | null;
  /** numeric(10,2) as a string, e.g. "19.90", to keep cents exact. */
  price: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The columns a list can be sorted by. */
export const SORT_KEYS = ["updated", "sku", "name", "price"] as const;
/** A column a list can be sorted by. */
export type SortKey = typeof SORT_KEYS[number];

/** Filters shared by the list, the page and the export. */
export interface ProductFilters {
  search?: string;
  active?: boolean;
  priceMin?: number;
  priceMax?: number;
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
 * hundreds of milliseconds, and "10,000+" tells a person as much.
 */
export const COUNT_CAP = 10_000;

/** The search expression; it must match the trigram index in migration 002 exactly. */
const SEARCH_TEXT = rawSql<
  string
>`(lower(sku) || chr(31) || lower(name) || chr(31) || lower(coalesce(description, '')))`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

function applyFilters<O>(
  query: SelectQueryBuilder<Database, "products", O>,
  filters: ProductFilters,
): SelectQueryBuilder<Database, "products", O> {
  if (filters.search) {
    query = query.where(SEARCH_TEXT, "like", rawSql<string>`lower(${`%${escapeLike(filters.search)}%`})`);
  }
  if (filters.active !== undefined) query = query.where("active", "=", filters.active);
  if (filters.priceMin !== undefined) query = query.where("price", ">=", String(filters.priceMin));
  if (filters.priceMax !== undefined) query = query.where("price", "<=", String(filters.priceMax));
  return query;
}

function applySort<O>(
  query: SelectQueryBuilder<Database, "products", O>,
  sort: SortKey,
  order: "asc" | "desc",
): SelectQueryBuilder<Database, "products", O> {
  // Each order matches an index (migrations 001/002), with id breaking ties.
  switch (sort) {
    case "sku":
      return query.orderBy(rawSql`lower(sku)`, order);
    case "name":
      return query.orderBy("name", order).orderBy("id", order);
    case "price":
      return query.orderBy("price", order).orderBy("id", order);
    case "updated":
      return query.orderBy("updated_at", order).orderBy("id", order);
  }
}

/** Lists products, filtered, sorted and paged; a page past the end is empty. */
export async function listProducts(db: Kysely<Database>, query: ProductQuery): Promise<ProductPage> {
  const filtered = applyFilters(db.selectFrom("products"), query);
  const unfiltered = !query.search && query.active === undefined && query.priceMin === undefined &&
    query.priceMax === undefined;
  const [items, total] = await Promise.all([
    applySort(filtered.selectAll(), query.sort, query.order)
      .limit(query.limit)
      .offset((query.page - 1) * query.limit)
      .execute(),
    unfiltered ? countProducts(db) : countUpTo(db, filtered, COUNT_CAP + 1),
  ]);
  const totalExact = unfiltered || total <= COUNT_CAP;
  const shownTotal = totalExact ? total : COUNT_CAP;
  return {
    items: items as Product[],
    total: shownTotal,
    total_exact: totalExact,
    page: query.page,
    pages: Math.max(1, Math.ceil(shownTotal / query.limit)),
    limit: query.limit,
  };
}

async function countUpTo<O>(
  db: Kysely<Database>,
  filtered: SelectQueryBuilder<Database, "products", O>,
  cap: number,
): Promise<number> {
  const row = await db.selectFrom(filtered.select(rawSql`1`.as("one")).limit(cap).as("matches"))
    .select((eb) => eb.fn.countAll<string>().as("total"))
    .executeTakeFirstOrThrow();
  return Number(row.total);
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

/** The product with this id, or a {@linkcode NotFoundError}. */
export async function getProduct(db: Kysely<Database>, id: number): Promise<Product> {
  const product = await db.selectFrom("products").selectAll().where("id", "=", id).executeTakeFirst();
  if (!product) throw new NotFoundError(`There is no product with id ${id}.`);
  return product as Product;
}

function isSkuConflict(error: unknown): boolean {
  const pg = error as { code?: string; constraint_name?: string };
  return pg?.code === "23505" && pg.constraint_name === "products_sku_lower_key";
}

async function skuConflict(db: Kysely<Database>, sku: string): Promise<ConflictError> {
  const existing = await db.selectFrom("products").select(["id", "sku"])
    .where(rawSql`lower(sku)`, "=", rawSql`lower(${sku})`).executeTakeFirst();
  return new ConflictError(
    `A product with SKU "${existing?.sku ?? sku}" already exists; SKUs are unique regardless of letter case.`,
    [{ field: "sku", message: "This SKU is already used by another product", existing_id: existing?.id }],
  );
}

/** Creates a product; a SKU equal to another's in any letter case is a {@linkcode ConflictError}. */
export async function createProduct(db: Kysely<Database>, input: ProductCreate): Promise<Product> {
  try {
    return await db.insertInto("products").values({
      sku: input.sku,
      name: input.name,
      description: input.description ?? null,
      price: input.price ?? null,
      active: input.active ?? true,
    }).returningAll().executeTakeFirstOrThrow() as Product;
  } catch (error) {
    if (isSkuConflict(error)) throw await skuConflict(db, input.sku);
    throw error;
  }
}

/** Changes the given fields of a product; with no fields given it returns the product as it is. */
export async function updateProduct(
  db: Kysely<Database>,
  id: number,
  input: ProductUpdate,
): Promise<Product> {
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  if (Object.keys(changes).length === 0) return await getProduct(db, id);
  try {
    const updated = await db.updateTable("products")
      .set({ ...changes, updated_at: rawSql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new NotFoundError(`There is no product with id ${id}.`);
    return updated as Product;
  } catch (error) {
    if (isSkuConflict(error)) throw await skuConflict(db, input.sku!);
    throw error;
  }
}

/** Deletes a product and returns it, or throws {@linkcode NotFoundError}. */
export async function deleteProduct(db: Kysely<Database>, id: number): Promise<Product> {
  const deleted = await db.deleteFrom("products").where("id", "=", id).returningAll().executeTakeFirst();
  if (!deleted) throw new NotFoundError(`There is no product with id ${id}.`);
  return deleted as Product;
}

/** How many products there are, from the counter that triggers keep exact (migration 002). */
export async function countProducts(db: Kysely<Database>): Promise<number> {
  const { total } = await db.selectFrom("product_stats").select("total").executeTakeFirstOrThrow();
  return Number(total);
}

/**
 * Run after a bulk change: moves the search index's pending entries into the index and refreshes
 * the planner's statistics. Without it, searches right after a 500k import scan the pending list
 * and plan for an empty table (seconds instead of milliseconds) until autovacuum comes by.
 */
export async function tidyAfterBulkChange(sql: Sql): Promise<void> {
  await sql`SELECT gin_clean_pending_list('products_search_trgm_idx'::regclass)`;
  await sql`ANALYZE products`;
}
