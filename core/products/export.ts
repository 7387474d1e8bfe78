import type { Kysely } from "kysely";
import Papa from "papaparse";
import { neutralizeFormula } from "./csv_formula.ts";
import type { Sql } from "../platform/db.ts";
import { iterateProducts, type ProductFilters } from "./listing.ts";
import type { Database } from "../platform/schema.ts";

/** The export's header: the importer's own column names, so an export can be imported again. */
export const EXPORT_HEADER = ["sku", "name", "description", "price", "active"];

/** Streams the filtered products as CSV, a thousand rows at a time, never the whole set in memory. */
export function productsCsvStream(
  db: Kysely<Database>,
  sql: Sql,
  filters: ProductFilters,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = iterateProducts(db, sql, filters);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(Papa.unparse([EXPORT_HEADER]) + "\r\n"));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) return controller.close();
      const rows = next.value.map((product) => [
        neutralizeFormula(product.sku),
        neutralizeFormula(product.name),
        neutralizeFormula(product.description ?? ""),
        product.price ?? "",
        product.active ? "true" : "false",
      ]);
      controller.enqueue(encoder.encode(Papa.unparse(rows, { newline: "\r\n" }) + "\r\n"));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
