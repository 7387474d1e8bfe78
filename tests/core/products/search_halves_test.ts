/**
 * The description's search index is in two halves by id (migration 017): a search must still find
 * exactly the rows a plain scan finds, and each half must be usable by it (else the rebuild's
 * speed-up would cost every search a table scan).
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { migrate, queryBuilder } from "../../../core/platform/mod.ts";
import { applyFilters } from "../../../core/products/listing.ts";
import { createTestDatabase } from "../../helpers/test_app.ts";

Deno.test("a search can use both halves of the description index and finds exactly what a scan finds", async () => {
  const db = await createTestDatabase();
  try {
    await migrate(db.sql);
    await db.sql`
      INSERT INTO products (sku, name, description)
      SELECT 'S-' || n, 'Item ' || n,
        CASE WHEN n % 7 = 0 THEN 'A Walnut KETTLE, no. ' || n ELSE 'Plain text ' || n END
      FROM generate_series(1, 20000) n`;
    await db.sql`ANALYZE products`;
    const query = applyFilters(queryBuilder(db.sql).selectFrom("products").select("id"), {
      search: "kettle",
    });
    const { sql, parameters } = query.compile();
    const plan = await db.sql.begin(async (tx) => {
      // Whether the planner can use the halves, not whether a table this small is worth it.
      await tx`SET LOCAL enable_seqscan = off`;
      return JSON.stringify(await tx.unsafe(`EXPLAIN (FORMAT JSON) ${sql}`, parameters as never[]));
    });
    ok(plan.includes("products_description_even_trgm_idx"), plan);
    ok(plan.includes("products_description_odd_trgm_idx"), plan);

    const found = (await query.execute()).map((row) => Number(row.id)).sort((a, b) => a - b);
    const scanned = (await db.sql<{ id: string }[]>`
      SELECT id FROM products WHERE lower(description) LIKE '%kettle%' ORDER BY id`).map((row) =>
      Number(row.id)
    );
    equal(found.length, Math.floor(20000 / 7));
    deepStrictEqual(found, scanned);
  } finally {
    await db.drop();
  }
});
