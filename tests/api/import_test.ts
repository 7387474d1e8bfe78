import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import Papa from "papaparse";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { appTest, importCsv, readProgress, storedProducts, uploadCsv } from "../helpers/test_app.ts";

appTest(
  "an import maps columns by name, keeps multi-line descriptions and reports live progress",
  async (app) => {
    const csv =
      'Description,SKU,Name,Price,Active\n"Line one\nline two, with ""quotes""",ab-1,Widget,12.50,yes\n' +
      "Plain,CD-2,Gadget,,false\n";
    const { final, events, job } = await importCsv(app, csv);

    equal(final.status, "complete", final.message);
    equal(final.percent, 100);
    equal(final.inserted, 2);
    ok(events.some((event) => event.status === "started" || event.status === "processing"));
    equal(job.status, "complete");
    equal(job.rows, 2);
    deepStrictEqual(await storedProducts(app.db.sql), [
      {
        sku: "ab-1",
        name: "Widget",
        description: 'Line one\nline two, with "quotes"',
        price: "12.50",
        active: true,
      },
      { sku: "CD-2", name: "Gadget", description: "Plain", price: null, active: false },
    ]);
  },
);

appTest("the last row wins across letter-case variants, inside a batch and across batches", async (app) => {
  const csv = [
    "name,sku,description",
    "First,abc-1,one", // batch 1
    "Second,ABC-1,two", // batch 1: same SKU, other case
    "Other,x-9,keep", // batch 1
    "Third,Abc-1,three", // batch 2
    "Fourth,aBC-1,four", // batch 2: the last one
  ].join("\n");
  const { final } = await importCsv(app, csv);

  equal(final.status, "complete", final.message);
  deepStrictEqual(
    (await storedProducts(app.db.sql)).map((p) => [p.sku, p.name]),
    [["aBC-1", "Fourth"], ["x-9", "Other"]],
  );
  equal(final.inserted, 2);
  equal(final.duplicates, 3, "every row of abc-1 but its last is a repeat, inside a batch or across");
  equal(final.updated, 0, "batch 2 rewrites a product this import created: still one new product");
}, { IMPORT_BATCH_SIZE: "3", IMPORT_LANES: "1" });

appTest("with several writers, the last row still wins for every SKU", async (app) => {
  const fixture = productsFixture(20_000);
  const { final } = await importCsv(app, fixture.csv);
  equal(final.status, "complete", final.message);
  const stored = await app.db.sql<
    { key: string; name: string }[]
  >`SELECT lower(sku) AS key, name FROM products`;
  equal(stored.length, fixture.expectedNames.size);
  for (const { key, name } of stored) equal(name, fixture.expectedNames.get(key), key);
  equal(final.inserted + final.updated + final.unchanged + final.duplicates, fixture.rows);
}, { IMPORT_BATCH_SIZE: "500", IMPORT_LANES: "3" });

appTest("re-importing the same file changes nothing and says so", async (app) => {
  const csv = "name,sku,description,price\nA,a-1,alpha,1.00\nB,b-2,beta,2.00\nC,c-3,gamma,\n";
  await importCsv(app, csv);
  const [before] = await app.db.sql`SELECT max(updated_at) AS latest FROM products`;

  const { final } = await importCsv(app, csv);
  equal(final.status, "complete");
  equal(final.unchanged, 3);
  equal(final.inserted, 0);
  equal(final.updated, 0);
  const [after] = await app.db.sql`SELECT max(updated_at) AS latest FROM products`;
  deepStrictEqual(after.latest, before.latest, "unchanged rows keep their updated_at");

  const changed = csv.replace("beta", "BETA");
  const second = await importCsv(app, changed);
  equal(second.final.updated, 1);
  equal(second.final.unchanged, 2);
});

appTest("columns missing from the file leave stored values untouched", async (app) => {
  await importCsv(app, "name,sku,price,active\nA,a-1,9.99,false\n");
  const { final } = await importCsv(app, "name,sku\nA renamed,A-1\n");
  equal(final.updated, 1);
  deepStrictEqual(await storedProducts(app.db.sql), [
    { sku: "A-1", name: "A renamed", description: null, price: "9.99", active: false },
  ]);
});

appTest("bad rows are reported with line numbers and the rest is imported", async (app) => {
  const csv = [
    "name,sku,description,price",
    "Good,g-1,fine,1",
    "No sku,,x,1",
    `Long sku,${"S".repeat(300)},x,1`,
    "Bad price,p-1,x,abc",
    'Multi,m-1,"two\nlines",2',
    `Huge,h-1,${"d".repeat(2 * 1024 * 1024)},1`,
    "Short row,s-1",
    "Good too,g-2,fine,2",
  ].join("\n");
  const { final, job } = await importCsv(app, csv);

  equal(final.status, "complete", final.message);
  equal(final.failed, 5);
  equal(final.inserted, 3);
  deepStrictEqual((await storedProducts(app.db.sql)).map((p) => p.sku), ["g-1", "g-2", "m-1"]);

  const response = await app.fetch(`${job.errors_csv_url}`);
  equal(response.headers.get("content-type"), "text/csv; charset=utf-8");
  const report = Papa.parse<string[]>(await response.text(), { skipEmptyLines: true }).data;
  deepStrictEqual(report[0], ["name", "sku", "description", "price", "_line", "_error"]);
  deepStrictEqual(report[1].slice(0, 5), ["No sku", "", "x", "1", "3"]);
  match(report[1][5], /^line 3: sku is empty$/);
  match(report[2][5], /^line 4: sku is 300 characters long; the limit is 255$/);
  match(report[3][5], /^line 5: price "abc" is not a valid price/);
  match(report[4][5], /^line 7: description is 2,097,152 characters long; the limit is 100,000$/);
  ok(report[4][2].endsWith("… [truncated]"), "huge fields are cut in the report");
  deepStrictEqual(report[5], [
    "Short row",
    "s-1",
    "",
    "",
    "8",
    "line 8: expected 4 fields like the header, found 2",
  ]);
});

/** A header and `count` valid rows. */
function manyRows(count: number): string {
  return "name,sku\n" + Array.from({ length: count }, (_, i) => `Product ${i},sku-${i}\n`).join("");
}

const fileProblems: [string, string | Uint8Array, RegExp][] = [
  ["no sku column", "name,code\nA,1\n", /no "sku" column/],
  ["semicolon separated", "name;sku\nA;1\n", /semicolons/],
  ["a header but no rows", "name,sku\n", /header row but no products/],
  ["only blank lines", "\n\n  \n", /file is empty/],
  ["binary data", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14, 0x00, 0x08]), /binary data/],
  [
    "invalid UTF-8",
    new Uint8Array([
      ...new TextEncoder().encode("name,sku\nCaf"),
      0xe9,
      ...new TextEncoder().encode(",c-1\n"),
    ]),
    /not valid UTF-8/,
  ],
  [
    // Far enough into the file that earlier rows were already staged (some by COPY).
    "invalid UTF-8 after 20,000 good rows",
    new Uint8Array([
      ...new TextEncoder().encode(manyRows(20_000)),
      0xe9,
      ...new TextEncoder().encode(",c-1\n"),
    ]),
    /not valid UTF-8 text \(the first invalid bytes are between byte \d+/,
  ],
  ["a NUL byte after 20,000 good rows", manyRows(20_000) + "A\0,a-0\n", /binary data/],
  [
    "an unterminated quote",
    'name,sku,description\nA,a-1,fine\nB,b-2,"never closed\nC,c-3,x\n',
    /never closed/,
  ],
];

for (const [problem, content, expected] of fileProblems) {
  appTest(`a file with ${problem} fails with a clear message`, async (app) => {
    const { final, job } = await importCsv(app, content);
    equal(final.status, "error");
    match(final.message, expected);
    equal(job.status, "error");
    if (problem !== "an unterminated quote") {
      equal((await storedProducts(app.db.sql)).length, 0, "nothing is written");
    }
  });
}

appTest("an unterminated quote keeps the rows before it and names the line", async (app) => {
  const { final } = await importCsv(
    app,
    'name,sku,description\nA,a-1,fine\nB,b-2,"never closed\nC,c-3,x\n',
  );
  match(final.message, /^Line 3: a quoted field is opened but never closed/);
  deepStrictEqual((await storedProducts(app.db.sql)).map((p) => p.sku), ["a-1"]);
});

appTest("an upload over MAX_UPLOAD_MB is refused with 413 and leaves no file", async (app) => {
  const { status, body } = await uploadCsv(app, "name,sku\n" + "A,a-1\n".repeat(5000));
  equal(status, 413);
  deepStrictEqual(Object.keys(body), ["error"]);
  match((body.error as { message: string }).message, /larger than the upload limit/);
  const left = [...Deno.readDirSync(app.config.uploadDir)];
  equal(left.length, 0);
}, { MAX_UPLOAD_MB: "0.01" });

appTest("uploads in the wrong shape get 415 or 422 with the reason", async (app) => {
  const json = await app.fetch(`/api/upload`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  equal(json.status, 415);
  match((await json.json()).error.message, /multipart\/form-data/);

  const form = new FormData();
  form.append("other", "x");
  const noFile = await app.fetch(`/api/upload`, { method: "POST", body: form });
  equal(noFile.status, 422);
  match((await noFile.json()).error.message, /form field named "file"/);

  const empty = await uploadCsv(app, "");
  equal(empty.status, 422);
  match((empty.body.error as { message: string }).message, /empty/);
});

appTest("a raw text/csv body is accepted too", async (app) => {
  const response = await app.fetch(`/api/upload?filename=raw.csv`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: "name,sku\nRaw,r-1\n",
  });
  equal(response.status, 202);
  const { task_id } = await response.json();
  const events = await readProgress(app, task_id);
  equal(events.at(-1)!.status, "complete");
  equal(events.at(-1)!.file_name, "raw.csv");
});

appTest("unknown import ids answer 404 in the JSON error shape", async (app) => {
  for (const path of ["/api/imports/nope", `/api/imports/${crypto.randomUUID()}`, "/api/progress/nope"]) {
    const response = await app.fetch(`${path}`);
    equal(response.status, 404, path);
    equal((await response.json()).error.code, "not_found");
  }
});

appTest("a late subscriber gets the final state at once and the stream ends", async (app) => {
  const { job } = await importCsv(app, "name,sku\nA,a-1\n");
  const events = await readProgress(app, job.id as string);
  equal(events.length, 1);
  equal(events[0].status, "complete");
  equal(events[0].current, 1);
});

appTest("imports run one at a time in upload order and history lists them", async (app) => {
  const first = await uploadCsv(app, "name,sku\n" + "A,a-$\n".repeat(1).replace("$", "1"));
  const second = await uploadCsv(app, "name,sku\nB,b-1\n");
  await readProgress(app, first.body.task_id as string);
  await readProgress(app, second.body.task_id as string);
  const { items } = await (await app.fetch(`/api/imports`)).json();
  equal(items.length, 2);
  const [newest, oldest] = items;
  equal(newest.id, second.body.task_id);
  ok(new Date(newest.started_at) >= new Date(oldest.finished_at), "the second started after the first ended");
  for (const item of items) {
    equal(item.status, "complete");
    ok(item.duration_ms >= 0);
    equal(typeof item.file_size, "number");
  }
});

appTest("GET /api/products lists with paging and refuses an oversized limit", async (app) => {
  await importCsv(
    app,
    "name,sku,description\n" + Array.from({ length: 7 }, (_, i) => `P${i},p-${i},d`).join("\n"),
  );
  const page = await (await app.fetch(`/api/products?limit=3&page=3`)).json();
  equal(page.total, 7);
  equal(page.pages, 3);
  equal(page.page, 3);
  equal(page.items.length, 1);
  const search = await (await app.fetch(`/api/products?search=P3`)).json();
  deepStrictEqual(search.items.map((p: { sku: string }) => p.sku), ["p-3"]);
  const tooMany = await app.fetch(`/api/products?limit=100000`);
  equal(tooMany.status, 400);
  equal((await tooMany.json()).error.code, "bad_request");
});
