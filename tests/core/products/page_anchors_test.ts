/**
 * Deep pages of the whole list come from stored anchors (migration 018): each must still be
 * exactly the page OFFSET gives, in every order, also right after the products changed.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { Kysely } from "kysely";
import { queryBuilder } from "../../../core/platform/mod.ts";
import type { Database } from "../../../core/platform/schema.ts";
import { listProducts, SORT_KEYS, type SortKey } from "../../../core/products/mod.ts";
import { ANCHOR_EVERY, anchorBefore } from "../../../core/products/page_anchors.ts";
import { type TestDatabase, withMigratedDatabase } from "../../helpers/test_app.ts";

const PRODUCTS = 3_600;
const LIMIT = 50;

/** The ORDER BY of each sort key, as the list documents it: the column, then id, both in `order`. */
function orderBy(sort: SortKey, order: "asc" | "desc"): string {
  const column = { sku: "lower(sku)", name: "name", price: "price", updated: "updated_at" }[sort];
  return `${column} ${order}, id ${order}`;
}

/** Products with ties in every order: one statement's time for most, repeated names and prices. */
async function seed(db: TestDatabase): Promise<void> {
  await db.sql`
    INSERT INTO products (sku, name, price)
    SELECT 'SKU-' || lpad(n::text, 5, '0') || CASE WHEN n % 2 = 0 THEN 'a' ELSE 'B' END,
      (ARRAY['Kettle', 'kettle', 'Lamp', 'Zebra mug', 'Ärmel'])[n % 5 + 1],
      CASE WHEN n % 7 = 0 THEN NULL ELSE (n % 4) * 2.5 END
    FROM generate_series(1, ${PRODUCTS}) n`;
  await db.sql`UPDATE products SET updated_at = updated_at + (id % 3) * interval '1 second' WHERE id % 5 = 0`;
}

/** Runs `fn` on a migrated database holding the seeded products, dropped afterwards. */
function withProducts(fn: (db: TestDatabase, kysely: Kysely<Database>) => Promise<void>): Promise<void> {
  return withMigratedDatabase(async (db) => {
    await seed(db);
    await fn(db, queryBuilder(db.sql));
  });
}

async function offsetPage(db: TestDatabase, sort: SortKey, order: "asc" | "desc", page: number) {
  const rows = await db.sql.unsafe<{ id: number }[]>(
    `SELECT id FROM products ORDER BY ${orderBy(sort, order)} LIMIT ${LIMIT} OFFSET ${(page - 1) * LIMIT}`,
  );
  return rows.map((row) => Number(row.id));
}

async function listedPage(kysely: Kysely<Database>, sort: SortKey, order: "asc" | "desc", page: number) {
  const listed = await listProducts(kysely, { sort, order, page, limit: LIMIT });
  return listed.items.map((item) => Number(item.id));
}

/** Pages just before, at and after anchors, the last one and one past the end. */
const DEEP_PAGES = [20, 21, 22, 40, 41, 61, 72, 73, 500];

Deno.test("every deep page of every order is the page OFFSET gives, anchors or not", async () => {
  await withProducts(async (db, kysely) => {
    for (const sort of SORT_KEYS) {
      for (const order of ["asc", "desc"] as const) {
        for (const page of DEEP_PAGES) {
          deepStrictEqual(
            await listedPage(kysely, sort, order, page),
            await offsetPage(db, sort, order, page),
            `${sort} ${order}, page ${page}`,
          );
        }
      }
    }
    const anchors = await db.sql<{ sort: string; current: boolean; count: number }[]>`
      SELECT a.sort, a.version = s.version AS current, cardinality(a.ids) AS count
      FROM product_page_anchors a, product_stats s ORDER BY a.sort`;
    deepStrictEqual(
      anchors.map((row) => row.sort),
      ["name asc", "name desc", "sku asc", "sku desc", "updated asc", "updated desc"],
      "each order but price took its anchors",
    );
    for (const row of anchors) {
      ok(row.current, `${row.sort}: taken at the current version`);
      equal(
        row.count,
        Math.floor((PRODUCTS - 1) / ANCHOR_EVERY),
        `${row.sort}: one anchor per ${ANCHOR_EVERY}`,
      );
    }
  });
});

Deno.test("a change outdates the anchors: the next deep pages are still OFFSET's, and they are taken again", async () => {
  await withProducts(async (db, kysely) => {
    const deep = (sort: SortKey) => listedPage(kysely, sort, "desc", 41);
    await deep("updated");
    await deep("sku");
    const anchored = () =>
      kysely.transaction().setIsolationLevel("repeatable read").execute(async (trx) =>
        (await anchorBefore(trx, { sort: "updated", order: "desc" }, 2000)).kind
      );
    equal(await anchored(), "found");

    // Each kind of change moves the version on, so the anchors no longer serve.
    const changes = [
      () => db.sql`UPDATE products SET updated_at = now() + interval '1 hour' WHERE id = 2500`,
      () => db.sql`INSERT INTO products (sku, name) VALUES ('AAA-NEW', 'Aardvark')`,
      () => db.sql`DELETE FROM products WHERE id = 1500`,
    ];
    for (const change of changes) {
      const [before] = await db.sql<{ version: number }[]>`SELECT version FROM product_stats`;
      await change();
      const [after] = await db.sql<{ version: number }[]>`SELECT version FROM product_stats`;
      ok(after.version > before.version, "the change moved the version on");
      // Just taken: the next deep page reads by OFFSET instead of taking them again.
      equal(await anchored(), "none");
      for (const sort of ["updated", "sku"] as const) {
        deepStrictEqual(await deep(sort), await offsetPage(db, sort, "desc", 41), `${sort} after a change`);
      }
      // Once a while has passed, the next deep page takes them again and reads from them.
      await db.sql`UPDATE product_page_anchors SET taken_at = now() - interval '1 minute'`;
      equal(await anchored(), "outdated");
      deepStrictEqual(await deep("updated"), await offsetPage(db, "updated", "desc", 41));
      equal(await anchored(), "found");
    }
  });
});

Deno.test("while a large import has set the name index aside, no name anchors are taken and pages are OFFSET's", async () => {
  await withProducts(async (db, kysely) => {
    await db.sql`DROP INDEX products_name_idx`;
    for (const order of ["asc", "desc"] as const) {
      deepStrictEqual(await listedPage(kysely, "name", order, 41), await offsetPage(db, "name", order, 41));
    }
    const anchors = await db.sql`SELECT sort FROM product_page_anchors`;
    equal(anchors.length, 0, "taking them would sort the table once per anchor");
  });
});
