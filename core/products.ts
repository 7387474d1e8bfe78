import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** A product as the API and pages show it. */
export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string | null;
  price: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Filters and paging for {@linkcode listProducts}. */
export interface ProductQuery {
  search?: string;
  active?: boolean;
  page: number;
  limit: number;
}

/** One page of products and the numbers needed to page through the rest. */
export interface ProductPage {
  items: Product[];
  total: number;
  page: number;
  pages: number;
  limit: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/** Lists products newest first, filtered by a case-insensitive substring and active state. */
export async function listProducts(db: Kysely<Database>, query: ProductQuery): Promise<ProductPage> {
  let filtered = db.selectFrom("products");
  if (query.search) {
    const pattern = `%${escapeLike(query.search)}%`;
    filtered = filtered.where((eb) =>
      eb.or([eb("sku", "ilike", pattern), eb("name", "ilike", pattern), eb("description", "ilike", pattern)])
    );
  }
  if (query.active !== undefined) filtered = filtered.where("active", "=", query.active);

  const [items, counted] = await Promise.all([
    filtered.selectAll().orderBy("id", "desc").limit(query.limit).offset((query.page - 1) * query.limit)
      .execute(),
    filtered.select((eb) => eb.fn.countAll<string>().as("total")).executeTakeFirstOrThrow(),
  ]);
  const total = Number(counted.total);
  return {
    items: items as Product[],
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / query.limit)),
    limit: query.limit,
  };
}
