import { deepStrictEqual, equal, match } from "node:assert/strict";
import Papa from "papaparse";
import { appTest, importCsv, readBody, type TestApp } from "../helpers/test_app.ts";

const CATALOG = [
  "sku,name,description,price,active",
  "OAK-1,Oak desk,Solid oak,250.00,true",
  "OAK-2,Oak shelf,Wall shelf in oak,80.00,false",
  "PINE-3,Pine stool,Light and cheap,15.00,true",
  "PINE-4,Pine bench,Garden bench,45.50,false",
  "STEEL-5,Steel lamp,Brushed steel,9.99,true",
  "GLASS-6,Glass vase,No price yet,,true",
].join("\n");

async function seed(app: TestApp) {
  const { final } = await importCsv(app, CATALOG);
  equal(final.status, "complete", final.message);
}

/** Downloads the export with `query` and returns the header row and the rows' SKUs, sorted. */
async function exported(app: TestApp, query: string) {
  const response = await app.fetch(`/api/products/export?${query}`);
  equal(response.status, 200, query);
  match(response.headers.get("content-type") ?? "", /^text\/csv/);
  const [header, ...rows] = Papa.parse<string[]>(await readBody(response), { skipEmptyLines: true }).data;
  return { header, skus: rows.map((row) => row[0]).sort() };
}

appTest(
  "the export holds exactly the products each filter matches, under the importer's header",
  async (app) => {
    await seed(app);
    const cases: [string, string[]][] = [
      ["", ["GLASS-6", "OAK-1", "OAK-2", "PINE-3", "PINE-4", "STEEL-5"]],
      ["search=oak", ["OAK-1", "OAK-2"]],
      ["search=GARDEN", ["PINE-4"]],
      ["active=false", ["OAK-2", "PINE-4"]],
      ["active=true", ["GLASS-6", "OAK-1", "PINE-3", "STEEL-5"]],
      ["price_min=15", ["OAK-1", "OAK-2", "PINE-3", "PINE-4"]],
      ["price_max=45.50", ["PINE-3", "PINE-4", "STEEL-5"]],
      ["price_min=10&price_max=100", ["OAK-2", "PINE-3", "PINE-4"]],
      ["search=pine&active=false&price_min=40&price_max=50", ["PINE-4"]],
      ["search=nothing-matches", []],
    ];
    for (const [query, skus] of cases) {
      const { header, skus: got } = await exported(app, query);
      deepStrictEqual(header, ["sku", "name", "description", "price", "active"], query);
      deepStrictEqual(got, skus, query || "no filter");
    }
  },
);

appTest("an export with a bad filter answers 400 with a JSON error instead of a CSV", async (app) => {
  await seed(app);
  const cases: [string, RegExp][] = [
    ["price_min=abc", /price_min/],
    ["price_max=-1", /price_max/],
    ["price_min=10&price_max=5", /price_min must not be greater than price_max/],
    ["active=maybe", /active/],
  ];
  for (const [query, message] of cases) {
    const response = await app.fetch(`/api/products/export?${query}`);
    equal(response.status, 400, query);
    match(response.headers.get("content-type") ?? "", /^application\/json/, query);
    const body = JSON.parse(await readBody(response));
    equal(body.error.code, "bad_request", query);
    match(body.error.message, message, query);
  }
});
