import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import Papa from "papaparse";
import { COUNT_CAP } from "../../core/products/mod.ts";
import { appTest, importCsv, readProgress, type TestApp } from "../helpers/test_app.ts";

async function api(app: TestApp, method: string, path: string, body?: unknown) {
  const response = await app.fetch(`/api/products${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function seed(app: TestApp) {
  const csv = [
    "sku,name,description,price,active",
    "RED-1,Red chair,A comfortable red chair,49.90,true",
    "BLU-2,Blue chair,Sky blue; seats two,120.00,false",
    "RED-3,Red lamp,Bright desk lamp,15.50,true",
    "GRN-4,Green mug,Holds 100% of your coffee,8.00,true",
    "WHT-5,White table,,300.00,true",
  ].join("\n");
  const { final } = await importCsv(app, csv);
  equal(final.status, "complete");
}

appTest("a product is created, read, changed in part and deleted", async (app) => {
  const created = await api(app, "POST", "", {
    sku: " AB-1 ",
    name: "Widget",
    price: "12.5",
    description: "Nice",
  });
  equal(created.status, 201);
  equal(created.body.sku, "AB-1");
  equal(created.body.price, 12.5);
  equal(created.body.active, true);

  const read = await api(app, "GET", `/${created.body.id}`);
  deepStrictEqual(read.body, created.body);

  const changed = await api(app, "PUT", `/${created.body.id}`, { active: false, price: null });
  equal(changed.status, 200);
  equal(changed.body.active, false);
  equal(changed.body.price, null);
  equal(changed.body.name, "Widget", "fields not sent are kept");
  ok(changed.body.updated_at > created.body.updated_at);

  const deleted = await api(app, "DELETE", `/${created.body.id}`);
  deepStrictEqual(deleted, { status: 200, body: { message: "Deleted" } });
  equal((await api(app, "GET", `/${created.body.id}`)).status, 404);
});

appTest(
  "a SKU equal to another's in any letter case is refused with 409, on create and on update",
  async (app) => {
    const first = await api(app, "POST", "", { sku: "Case-1", name: "First" });
    const second = await api(app, "POST", "", { sku: "Other-2", name: "Second" });

    const clash = await api(app, "POST", "", { sku: "CASE-1", name: "Clash" });
    equal(clash.status, 409);
    equal(clash.body.error.code, "conflict");
    match(clash.body.error.message, /SKU "Case-1" already exists/);
    equal(clash.body.error.details[0].field, "sku");
    equal(clash.body.error.details[0].existing_id, first.body.id);

    const renamed = await api(app, "PUT", `/${second.body.id}`, { sku: "case-1" });
    equal(renamed.status, 409);
    equal((await api(app, "GET", `/${second.body.id}`)).body.sku, "Other-2", "nothing changed");

    const ownCase = await api(app, "PUT", `/${first.body.id}`, { sku: "CASE-1" });
    equal(ownCase.status, 200, "a product may change the case of its own SKU");
  },
);

appTest("invalid bodies get 415 or 422 with a message per field", async (app) => {
  const invalid = await api(app, "POST", "", { sku: "", name: "x".repeat(501), price: -1, colour: "red" });
  equal(invalid.status, 422);
  const fields = invalid.body.error.details.map((d: { field: string }) => d.field).sort();
  deepStrictEqual(fields, ["body", "name", "price", "sku"]);
  match(invalid.body.error.message, /sku: Enter a SKU/);

  const missing = await api(app, "POST", "", { name: "No SKU" });
  equal(missing.status, 422);
  equal(missing.body.error.details[0].field, "sku");

  // A negative number is refused however close to zero it is: it must not round to 0.00.
  for (const price of ["1.999", "abc", 100_000_000, -9.558303778979126e-250, 0.001]) {
    equal((await api(app, "POST", "", { sku: "P-1", name: "P", price })).status, 422, String(price));
  }

  const notJson = await app.fetch(`/api/products`, { method: "POST", body: "sku=1" });
  equal(notJson.status, 415);
  await notJson.body?.cancel();
  const broken = await app.fetch(`/api/products`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{not json",
  });
  equal(broken.status, 422);
  match((await broken.json()).error.message, /not valid JSON/);
});

appTest("unknown or malformed ids answer 404", async (app) => {
  for (const id of ["999999", "abc", "0", "-1", "1.5"]) {
    equal((await api(app, "GET", `/${id}`)).status, 404, id);
    equal((await api(app, "PUT", `/${id}`, { name: "x" })).status, 404, id);
    equal((await api(app, "DELETE", `/${id}`)).status, 404, id);
  }
});

appTest("search, status and price filters combine; sort and order apply", async (app) => {
  await seed(app);
  const list = async (query: string) => (await api(app, "GET", `?${query}`)).body;

  deepStrictEqual((await list("search=red&sort=sku")).items.map((p: { sku: string }) => p.sku), [
    "RED-1",
    "RED-3",
  ]);
  deepStrictEqual((await list("search=SKY BLUE")).items.map((p: { sku: string }) => p.sku), ["BLU-2"]);
  deepStrictEqual((await list("search=100%")).items.map((p: { sku: string }) => p.sku), ["GRN-4"]);
  equal((await list("search=_")).total, 0, "LIKE wildcards are matched literally");
  deepStrictEqual(
    (await list("search=chair&active=true")).items.map((p: { sku: string }) => p.sku),
    ["RED-1"],
  );
  deepStrictEqual(
    (await list("price_min=10&price_max=130&sort=price&order=desc")).items.map((p: { sku: string }) => p.sku),
    ["BLU-2", "RED-1", "RED-3"],
  );
  deepStrictEqual(
    (await list("active=false")).items.map((p: { sku: string }) => p.sku),
    ["BLU-2"],
  );
  deepStrictEqual(
    (await list("sort=name")).items.map((p: { name: string }) => p.name),
    ["Blue chair", "Green mug", "Red chair", "Red lamp", "White table"],
  );
});

appTest("paging stays within bounds and an oversized limit is refused", async (app) => {
  await seed(app);
  const page2 = await api(app, "GET", "?limit=2&page=2&sort=sku");
  equal(page2.body.total, 5);
  equal(page2.body.pages, 3);
  deepStrictEqual(page2.body.items.map((p: { sku: string }) => p.sku), ["RED-1", "RED-3"]);
  const past = await api(app, "GET", "?limit=2&page=9");
  equal(past.status, 200);
  deepStrictEqual(past.body.items, []);
  equal(past.body.total, 5);

  for (
    const query of ["limit=201", "limit=0", "page=0", "page=x", "price_min=5&price_max=1", "sort=colour"]
  ) {
    const response = await api(app, "GET", `?${query}`);
    equal(response.status, 400, query);
    equal(response.body.error.code, "bad_request");
  }
});

appTest(
  "export streams the filtered view as CSV, safe for spreadsheets, and imports back unchanged",
  async (app) => {
    await seed(app);
    await api(app, "POST", "", {
      sku: "=CMD-6",
      name: "+SUM(A1)",
      description: "-bullet\n@mention",
      price: 1,
    });
    await api(app, "POST", "", { sku: "Q-7", name: 'Quote "and", comma', description: null, price: null });

    const filtered = await app.fetch(`/api/products/export?search=red`);
    equal(filtered.headers.get("content-type"), "text/csv; charset=utf-8");
    match(filtered.headers.get("content-disposition") ?? "", /attachment; filename="products-/);
    const filteredRows = Papa.parse<string[]>(await filtered.text(), { skipEmptyLines: true }).data;
    deepStrictEqual(filteredRows.map((row) => row[0]), ["sku", "RED-1", "RED-3"]);

    const everything = await (await app.fetch(`/api/products/export`)).text();
    const rows = Papa.parse<string[]>(everything, { skipEmptyLines: true }).data;
    equal(rows.length, 8);
    const formula = rows.find((row) => row[0].includes("CMD-6"))!;
    deepStrictEqual(formula.slice(0, 3), ["'=CMD-6", "'+SUM(A1)", "'-bullet\n@mention"]);

    const { final } = await importCsv(app, everything, "export.csv");
    equal(final.status, "complete", final.message);
    equal(final.unchanged, 7, final.message);
    equal(final.inserted + final.updated + final.failed, 0, final.message);
    const cmd = (await api(app, "GET", "?search=cmd-6")).body.items[0];
    equal(cmd.sku, "=CMD-6");
  },
);

appTest(
  "delete all runs in the background with progress on the SSE stream and empties the table",
  async (app) => {
    await seed(app);
    const started = await api(app, "DELETE", "/bulk");
    equal(started.status, 202);
    equal(started.body.message, "Bulk delete started");
    const events = await readProgress(app, started.body.task_id);
    const final = events.at(-1)!;
    equal(final.status, "complete");
    equal(final.kind, "bulk_delete");
    equal(final.current, 5);
    equal(final.message, "Deleted 5 products");
    equal((await api(app, "GET", "")).body.total, 0);
    equal((await api(app, "GET", "?limit=1")).status, 200, "the app answers as usual");
  },
);

appTest("text from the database is escaped in pages", async (app) => {
  await api(app, "POST", "", {
    sku: "XSS-1",
    name: "<script>alert(1)</script>",
    description: "<img src=x onerror=alert(2)>",
  });
  const html = await (await app.fetch(`/`)).text();
  ok(!html.includes("<script>alert(1)</script>"));
  ok(html.includes("&lt;script>alert(1)&lt;/script>"));
  ok(!html.includes("<img src=x"));
});

appTest("a filtered list counts up to COUNT_CAP matches and says when there are more", async (app) => {
  const rows = Array.from({ length: COUNT_CAP + 50 }, (_, i) => `C-${i},Common item ${i},shared words`);
  await importCsv(app, ["sku,name,description", ...rows].join("\n"));
  const common = (await api(app, "GET", "?search=common&limit=10&sort=sku")).body;
  equal(common.total, COUNT_CAP);
  equal(common.total_exact, false);
  equal(common.pages, COUNT_CAP / 10);
  equal(common.items.length, 10);
  equal(common.items[0].sku, "C-0", "the page is the first in sort order, not any ten matches");
  const deep = (await api(app, "GET", "?search=common&limit=10&sort=sku&order=desc&page=102")).body;
  const offset = await app.db.sql<{ sku: string }[]>`SELECT sku FROM products WHERE name ILIKE '%common%'
    ORDER BY lower(sku) DESC LIMIT 10 OFFSET 1010`;
  equal(deep.items.length, 10, "a page past the counted matches is still there");
  deepStrictEqual(deep.items.map((item: { sku: string }) => item.sku), offset.map((row) => row.sku));
  const html = (await (await app.fetch("/?search=common")).text()).replace(/<[^>]+>/g, "").replace(
    /\s+/g,
    " ",
  );
  match(html, /1,000\+ products match/, "the page says the count is capped");
  match(html, /Page 1 of 20\+/);
  const inactive = (await api(app, "GET", "?active=true&limit=1")).body;
  equal(inactive.total, COUNT_CAP);
  equal(inactive.total_exact, false);
  const few = (await api(app, "GET", "?search=item 1005")).body;
  equal(few.total, 1);
  equal(few.total_exact, true);
  const all = (await api(app, "GET", "?limit=1")).body;
  equal(all.total, COUNT_CAP + 50);
  equal(all.total_exact, true, "the unfiltered total is always exact");
});

appTest("a search over the count cap, none of it among the first rows, pages by its matches", async (app) => {
  // 1,200 matches (over COUNT_CAP) that all sort after 2,000 other products: the first page's
  // leading rows hold none of them, so the page comes from the matches themselves.
  const others = Array.from({ length: 2000 }, (_, i) => `A-${String(i).padStart(4, "0")},Plain item ${i}`);
  const matches = Array.from({ length: 1200 }, (_, i) => `M-${String(i).padStart(4, "0")},Rare gadget ${i}`);
  await importCsv(app, ["sku,name", ...others, ...matches].join("\n"));
  for (const page of [1, 7, 24]) {
    const listed = (await api(app, "GET", `?search=gadget&limit=50&sort=sku&page=${page}`)).body;
    equal(listed.total, COUNT_CAP);
    equal(listed.total_exact, false);
    const expected = matches.slice((page - 1) * 50, page * 50).map((row) => row.split(",")[0]);
    deepStrictEqual(listed.items.map((item: { sku: string }) => item.sku), expected, `page ${page}`);
  }
});
