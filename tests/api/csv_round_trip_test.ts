import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import Papa from "papaparse";
import { apiJson, appTest, importCsv, readBody, storedProducts, waitUntil } from "../helpers/test_app.ts";

/** Values a spreadsheet would run as formulas, or that already look neutralized. */
const TRICKY = ["=SUM(1)", "'=x", "''-y", "-5 off", "@home", "+1 more", "'plain", "a=b"];

appTest(
  "export → import gives back every value exactly, quotes before formula characters included",
  async (app) => {
    for (const [i, value] of TRICKY.entries()) {
      const created = await apiJson(app, "POST", "/api/products", {
        sku: `${value}#${i}`,
        name: value,
        description: `${value} described`,
        price: "1.50",
      });
      equal(created.status, 201, JSON.stringify(created.body));
    }
    const before = await storedProducts(app.db.sql);

    const response = await app.fetch(`/api/products/export`);
    equal(response.status, 200);
    const csv = await readBody(response);
    // Every cell a spreadsheet would run starts with a quote instead.
    const rows = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data.slice(1);
    for (const cell of rows.flat()) {
      ok(
        !/^[=+\-@\t\r]/.test(cell),
        `cell ${JSON.stringify(cell)} is not neutralized`,
      );
    }
    ok(rows.some((row) => row[1] === "''=x"), "'=x is exported as ''=x");

    const bulk = await apiJson(app, "DELETE", "/api/products/bulk");
    equal(bulk.status, 202);
    await waitUntil("the table to be empty", async () => (await storedProducts(app.db.sql)).length === 0);
    const { final } = await importCsv(app, csv);
    equal(final.status, "complete", final.message);
    deepStrictEqual(await storedProducts(app.db.sql), before);
  },
);

appTest(
  "the import-error report neutralizes formula cells and imports again as the upload did",
  async (app) => {
    const upload = [
      'sku,name,price,=HYPERLINK("x")',
      "=BAD-1,=cmd|' /C calc'!A0,not a price,@note",
      "'=BAD-2,'-quoted,also bad,+1",
    ].join("\n");
    const { final, job } = await importCsv(app, upload);
    equal(final.status, "complete", final.message);
    equal(job.failed, 2);
    const report = await readBody(await app.fetch(`/api/imports/${job.id}/errors.csv`));
    const [header, ...rows] = Papa.parse<string[]>(report, { skipEmptyLines: true }).data;
    deepStrictEqual(header, ["sku", "name", "price", '\'=HYPERLINK("x")', "_line", "_error"]);
    deepStrictEqual(rows.map((row) => row.slice(0, 4)), [
      ["'=BAD-1", "'=cmd|' /C calc'!A0", "not a price", "'@note"],
      ["'=BAD-2", "'-quoted", "also bad", "'+1"],
    ]);
    match(rows[0][5], /not a valid price/);

    // Fixed prices, the report imports as the upload would have.
    const fixed = Papa.unparse([
      header.slice(0, 3),
      ...rows.map((row) => [row[0], row[1], "2.00"]),
    ]);
    const again = await importCsv(app, fixed);
    equal(again.final.status, "complete", again.final.message);
    deepStrictEqual((await storedProducts(app.db.sql)).map((product) => [product.sku, product.name]), [
      ["=BAD-1", "=cmd|' /C calc'!A0"],
      ["=BAD-2", "-quoted"],
    ]);
  },
);
