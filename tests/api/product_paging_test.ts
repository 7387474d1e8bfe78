import { deepStrictEqual, equal } from "node:assert/strict";
import { SORT_KEYS } from "../../core/products/mod.ts";
import { apiJson, appTest, importCsv, type TestApp } from "../helpers/test_app.ts";

const LIMIT = 17;
// Walking every page of every order makes a few hundred requests with one token.
const MANY_REQUESTS = { RATE_LIMIT_PER_MINUTE: "100000" };

/** The ORDER BY of each sort key, as the list documents it: the column, then id, both in `order`. */
function orderBy(sort: string, order: "asc" | "desc"): string {
  const column = { sku: "lower(sku)", name: "name", price: "price", updated: "updated_at" }[sort];
  return `${column} ${order}, id ${order}`;
}

/** Products with many ties in every sort column: repeated names and prices, empty prices, one batch's time. */
async function seedTies(app: TestApp, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => {
    const name = ["Kettle", "kettle", "Lamp", "Zebra mug", "Ärmel"][i % 5];
    const price = i % 7 === 0 ? "" : String((i % 4) * 2.5);
    const description = i % 3 === 0 ? "with a steel KETTLE lid" : "plain";
    return `SKU-${String(i).padStart(4, "0")}${i % 2 ? "a" : "B"},${name},${description},${price},true`;
  });
  const { final } = await importCsv(app, ["sku,name,description,price,active", ...rows].join("\n"));
  equal(final.status, "complete");
  // Later edits give some rows their own times, so `updated` has ties and distinct values alike.
  await app.db.sql`UPDATE products SET updated_at = updated_at + (id % 3) * interval '1 second'`;
}

async function walkPages(app: TestApp, query: string): Promise<{ pages: number[][]; total: number }> {
  const first = await apiJson(app, "GET", `/api/products?${query}&limit=${LIMIT}&page=1`);
  equal(first.status, 200);
  const pages = [first.body.items.map((item: { id: number }) => item.id)];
  for (let page = 2; page <= first.body.pages; page++) {
    const { status, body } = await apiJson(app, "GET", `/api/products?${query}&limit=${LIMIT}&page=${page}`);
    equal(status, 200);
    equal(body.page, page);
    equal(body.total, first.body.total, "the total stays the same while paging");
    pages.push(body.items.map((item: { id: number }) => item.id));
  }
  return { pages, total: first.body.total };
}

appTest(
  "paging by bookmark: every ?page=N of every sort and order holds the rows OFFSET gives",
  async (app) => {
    await seedTies(app, 230);
    for (const sort of SORT_KEYS) {
      for (const order of ["asc", "desc"] as const) {
        const { pages, total } = await walkPages(app, `sort=${sort}&order=${order}`);
        equal(total, 230);
        const ids = pages.flat();
        equal(new Set(ids).size, 230, `${sort} ${order}: every product appears exactly once`);
        for (const [index, page] of pages.entries()) {
          const expected = await app.db.sql.unsafe<{ id: string }[]>(
            `SELECT id FROM products ORDER BY ${orderBy(sort, order)} LIMIT ${LIMIT} OFFSET ${index * LIMIT}`,
          );
          deepStrictEqual(page, expected.map((row) => Number(row.id)), `${sort} ${order}, page ${index + 1}`);
        }
      }
    }
    const pastTheEnd = await apiJson(app, "GET", `/api/products?limit=${LIMIT}&page=999`);
    equal(pastTheEnd.body.items.length, 0);
    equal(pastTheEnd.body.total, 230);
  },
  MANY_REQUESTS,
);

appTest("a search pages through exactly its matches: SKU, name or description, any case", async (app) => {
  await seedTies(app, 230);
  for (const sort of SORT_KEYS) {
    const { pages, total } = await walkPages(app, `search=KETTLE&sort=${sort}&order=desc`);
    const expected = await app.db.sql.unsafe<{ id: string }[]>(
      `SELECT id FROM products WHERE sku ILIKE '%kettle%' OR name ILIKE '%kettle%' OR description ILIKE '%kettle%'
       ORDER BY ${orderBy(sort, "desc")}`,
    );
    equal(total, expected.length);
    deepStrictEqual(pages.flat(), expected.map((row) => Number(row.id)), `search sorted by ${sort}`);
  }
  const bySku = await apiJson(app, "GET", "/api/products?search=0042a");
  deepStrictEqual(bySku.body.items.map((item: { sku: string }) => item.sku), []);
  const exact = await apiJson(app, "GET", "/api/products?search=sku-0041A");
  deepStrictEqual(exact.body.items.map((item: { sku: string }) => item.sku), ["SKU-0041a"]);
  const wildcard = await apiJson(app, "GET", "/api/products?search=_");
  equal(wildcard.body.total, 0, "_ is a character to look for, not a wildcard");
}, MANY_REQUESTS);
