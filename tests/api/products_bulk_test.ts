import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import {
  apiJson,
  appTest,
  createTestToken,
  importCsv,
  readBody,
  readProgress,
  signIn,
  type TestApp,
  waitUntil,
} from "../helpers/test_app.ts";
import { withCrashableServer } from "../helpers/server_process.ts";

/** `count` products SKU-0001…, odd ones named "Red …" and even ones "Blue …", all active. */
async function seed(app: TestApp, count: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return `SKU-${n},${i % 2 ? "Blue" : "Red"} item ${n},${(i + 1).toFixed(2)},true`;
  });
  const { final } = await importCsv(app, ["sku,name,price,active", ...rows].join("\n"));
  equal(final.status, "complete", final.message);
}

async function idsOf(app: TestApp, skus: string[]): Promise<number[]> {
  const rows = await app.db.sql<
    { id: number }[]
  >`SELECT id FROM products WHERE sku = ANY(${skus}) ORDER BY id`;
  return rows.map((row) => row.id);
}

/** A webhook for every event, so each queued event leaves a delivery row to count. */
async function subscribeToEverything(app: TestApp) {
  const hook = await apiJson(app, "POST", "/api/webhooks", {
    url: "http://127.0.0.1:9/hook",
    event_types: ["*"],
  });
  equal(hook.status, 201, JSON.stringify(hook.body));
}

async function deliveries(app: TestApp, type: string): Promise<Record<string, unknown>[]> {
  const rows = await app.db.sql<{ body: string }[]>`
    SELECT body FROM webhook_deliveries WHERE event_type = ${type}`;
  return rows.map((row) => JSON.parse(row.body).data);
}

appTest(
  "POST /api/products/bulk deactivates the given ids as a job, with one product.updated event per product",
  async (app) => {
    await seed(app, 6);
    await subscribeToEverything(app);
    const ids = await idsOf(app, ["SKU-0001", "SKU-0002", "SKU-0003"]);

    const started = await apiJson(app, "POST", "/api/products/bulk", { action: "deactivate", ids });
    equal(started.status, 202, JSON.stringify(started.body));
    equal(started.body.total, 3);
    const final = (await readProgress(app, started.body.task_id)).at(-1)!;
    equal(final.status, "complete", final.message);
    equal(final.kind, "bulk_action");
    equal(final.current, 3);
    equal(final.updated, 3);
    equal(final.message, "Deactivated 3 products");

    const inactive = await app.db.sql`SELECT sku FROM products WHERE NOT active ORDER BY sku`;
    deepStrictEqual(inactive.map((row) => row.sku), ["SKU-0001", "SKU-0002", "SKU-0003"]);
    // One transaction queued them all: by SKU, since they share a timestamp.
    const events = (await deliveries(app, "product.updated")).sort((a, b) =>
      String(a.sku).localeCompare(String(b.sku))
    );
    deepStrictEqual(events.map((data) => [data.sku, data.active]), [
      ["SKU-0001", false],
      ["SKU-0002", false],
      ["SKU-0003", false],
    ]);

    // Again: nothing left to change, so no new event.
    const again = await apiJson(app, "POST", "/api/products/bulk", { action: "deactivate", ids });
    const repeat = (await readProgress(app, again.body.task_id)).at(-1)!;
    equal(repeat.current, 3);
    equal(repeat.updated, 0);
    equal((await deliveries(app, "product.updated")).length, 3);

    const audit = await app.db.sql`SELECT action, summary FROM audit_log WHERE action LIKE 'products.bulk%'`;
    equal(audit.length, 2);
    match(audit[0].summary as string, /Asked to deactivate 3 products \(products with ids /);
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest(
  "a bulk delete of a filter removes only the matches, in batches, with a product.deleted event each",
  async (app) => {
    await seed(app, 2_500);
    await subscribeToEverything(app);
    const started = await apiJson(app, "POST", "/api/products/bulk", {
      action: "delete",
      filter: { search: "red item", price_min: 2 },
    });
    equal(started.status, 202, JSON.stringify(started.body));
    equal(started.body.total, 1_249, "the odd rows from the third on: Red, price ≥ 2");
    const events = await readProgress(app, started.body.task_id);
    const final = events.at(-1)!;
    equal(final.status, "complete", final.message);
    equal(final.current, 1_249);
    equal(final.message, "Deleted 1,249 products");
    ok(
      events.some((event) =>
        event.status === "processing" && event.current === 1_000 && event.percent === 80
      ),
      `a batch of 1,000 committed first: ${JSON.stringify(events.map((e) => [e.status, e.current]))}`,
    );

    const [{ red, blue }] = await app.db.sql`
      SELECT count(*) FILTER (WHERE name LIKE 'Red%')::int AS red,
        count(*) FILTER (WHERE name LIKE 'Blue%')::int AS blue FROM products`;
    equal(red, 1, "SKU-0001 costs 1.00, below price_min");
    equal(blue, 1_250);
    const deleted = await deliveries(app, "product.deleted");
    equal(deleted.length, 1_249);
    ok(deleted.every((data) => String(data.name).startsWith("Red")));
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest(
  "a bulk action that is not exactly one of ids or filter, or names a bad value, is a 422",
  async (app) => {
    const cases: [unknown, RegExp][] = [
      [{ action: "delete" }, /ids: Send either ids or filter/],
      [{ action: "delete", ids: [1], filter: {} }, /ids: Send either ids or filter/],
      [{ action: "delete", ids: [] }, /ids: Name at least one product id/],
      [{ action: "explode", ids: [1] }, /action:/],
      [
        { action: "activate", filter: { price_min: 5, price_max: 2 } },
        /price_min must not be greater than price_max/,
      ],
      [{ action: "activate", filter: { color: "red" } }, /Unknown field\(s\): color/],
      [{ action: "activate", ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, /at most 1000 ids/],
    ];
    for (const [body, message] of cases) {
      const answer = await apiJson(app, "POST", "/api/products/bulk", body);
      equal(answer.status, 422, JSON.stringify(body));
      match(answer.body.error.message, message);
    }
    const reader = { url: app.url, token: await createTestToken(app.db.sql, "read") };
    const refused = await apiJson(reader, "POST", "/api/products/bulk", { action: "delete", filter: {} });
    equal(refused.status, 403);
    const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM import_jobs`;
    equal(count, 0, "no job was queued");
  },
);

appTest("the export takes the ids of the ticked products, and refuses ids that are not ids", async (app) => {
  await seed(app, 5);
  const ids = await idsOf(app, ["SKU-0002", "SKU-0004"]);
  const answer = await app.fetch(`/api/products/export?ids=${ids.join(",")}`);
  equal(answer.status, 200);
  deepStrictEqual((await readBody(answer)).trim().split("\r\n"), [
    "sku,name,description,price,active",
    "SKU-0002,Blue item 0002,,2.00,true",
    "SKU-0004,Blue item 0004,,4.00,true",
  ]);
  const bad = await app.fetch("/api/products/export?ids=1,abc");
  equal(bad.status, 400);
  match(JSON.parse(await readBody(bad)).error.message, /ids must be up to 1000 product ids/);
});

Deno.test({
  name:
    "a bulk action interrupted by a crash resumes after its last committed batch, each product changed once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withCrashableServer(
      "importer-bulk-action-crash-",
      { JOB_LEASE_SECONDS: "1", WEBHOOK_ALLOW_PRIVATE: "true" },
      async ({ sql, api, start }) => {
        const first = await start();
        const hook = await apiJson(api, "POST", "/api/webhooks", {
          url: "http://127.0.0.1:9/hook",
          event_types: ["product.updated"],
        });
        equal(hook.status, 201);
        await sql`INSERT INTO products (sku, name) SELECT 'SKU-' || g, 'Item ' || g FROM generate_series(1, 2500) g`;
        const [{ id: lockedId }] = await sql`SELECT id FROM products ORDER BY id OFFSET 1500 LIMIT 1`;

        // A row of the second batch is locked, so the job stops there when the server dies.
        const blocker = await sql.reserve();
        try {
          await blocker`BEGIN`;
          await blocker`SELECT 1 FROM products WHERE id = ${lockedId} FOR UPDATE`;
          const started = await apiJson(api, "POST", "/api/products/bulk", {
            action: "deactivate",
            filter: {},
          });
          equal(started.status, 202);
          const taskId = started.body.task_id;
          await waitUntil("the first batch to commit", async () => {
            const [job] = await sql`SELECT rows_done FROM import_jobs WHERE id = ${taskId}`;
            return job.rows_done === 1000;
          });
          await first.kill("SIGKILL");
          await blocker`ROLLBACK`;

          await start();
          const final = (await readProgress(api, taskId)).at(-1)!;
          equal(final.status, "complete", final.message);
          equal(final.current, 2500, "the first batch was not done again");
          equal(final.updated, 2500);
          const [job] = await sql`SELECT attempts FROM import_jobs WHERE id = ${taskId}`;
          equal(job.attempts, 2, "claimed once, resumed once");
          const [{ active }] = await sql`SELECT count(*) FILTER (WHERE active)::int AS active FROM products`;
          equal(active, 0);
          const [{ events }] = await sql`
            SELECT count(*)::int AS events FROM webhook_deliveries WHERE event_type = 'product.updated'`;
          equal(events, 2500, "one event per product: none lost with the crash, none repeated");
        } finally {
          blocker.release();
        }
      },
    );
  },
});

appTest(
  "from the page, every product goes through delete-all, and a small filtered delete runs at once",
  async (app) => {
    await seed(app, 6);
    const browser = await signIn(app);
    const everything = await browser.fetch("/products/bulk?action=delete&scope=matching&return=%2F", {
      redirect: "manual",
    });
    equal(everything.status, 303);
    equal(everything.headers.get("location"), "/products/delete-all");
    await readBody(everything);

    const fields = { action: "delete", scope: "matching", search: "red", return: "/?search=red&page=2" };
    const confirm = await readBody(await browser.fetch(`/products/bulk?${new URLSearchParams(fields)}`));
    match(confirm, /<h1>Delete 3 products\?<\/h1>/);
    const done = await browser.fetch("/products/bulk", {
      method: "POST",
      body: new URLSearchParams({ _csrf: browser.csrfToken, ...fields }),
      redirect: "manual",
    });
    equal(done.status, 303);
    equal(done.headers.get("location"), "/?search=red&notice=bulk&action=delete&count=3", "page 2 is gone");
    await readBody(done);
    const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM products`;
    equal(count, 3);
    const [{ jobs }] = await app.db
      .sql`SELECT count(*)::int AS jobs FROM import_jobs WHERE kind = 'bulk_action'`;
    equal(jobs, 0, "no job for three products");
  },
);
