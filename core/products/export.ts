/** The product export: the filtered products as an importable CSV. */
import type { Kysely } from "kysely";
import { csvStream } from "../platform/csv_stream.ts";
import type { Sql } from "../platform/db.ts";
import type { Database } from "../platform/schema.ts";
import { neutralizeFormula } from "./csv_formula.ts";
import { iterateProducts, type ProductFilters } from "./listing.ts";

/** The export's header: the importer's own column names, so an export can be imported again. */
export const EXPORT_HEADER = ["sku", "name", "description", "price", "active"];

/** Streams the filtered products as CSV, a thousand rows at a time, never the whole set in memory. */
export function productsCsvStream(
  db: Kysely<Database>,
  sql: Sql,
  filters: ProductFilters,
): ReadableStream<Uint8Array> {
  return csvStream(EXPORT_HEADER, exportRows(db, sql, filters));
}

async function* exportRows(
  db: Kysely<Database>,
  sql: Sql,
  filters: ProductFilters,
): AsyncGenerator<string[][]> {
  for await (const products of iterateProducts(db, sql, filters)) {
    yield products.map((product) => [
      neutralizeFormula(product.sku),
      neutralizeFormula(product.name),
      neutralizeFormula(product.description ?? ""),
      product.price ?? "",
      product.active ? "true" : "false",
    ]);
  }
}
