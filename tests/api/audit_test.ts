import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createUser } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import {
  apiJson,
  appTest,
  createTestToken,
  signIn,
  TEST_ADMIN,
  type TestApp,
  uploadCsv,
} from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";

interface EntryJson {
  id: number;
  at: string;
  actor_kind: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  summary: string;
  request_id: string | null;
}

async function entries(
  app: TestApp,
  query = "",
): Promise<{ items: EntryJson[]; next_before: number | null }> {
  const { status, body } = await apiJson(app, "GET", `/api/audit${query}`);
  equal(status, 200, JSON.stringify(body));
  return body;
}

/** The whole audit table as text, to look for what must never be in it. */
async function auditTableText(app: TestApp): Promise<string> {
  const rows = await app.db.sql`SELECT * FROM audit_log`;
  return JSON.stringify(rows);
}

appTest(
  "product changes through the API are recorded under the token's name, with the request id",
  async (app) => {
    const [{ id: tokenId }] = await app.db.sql<{ id: number }[]>`SELECT id FROM api_tokens`;
    const created = await apiJson(app, "POST", "/api/products", { sku: "AUD-1", name: "Kettle", price: 9.5 });
    equal(created.status, 201);
    const id = created.body.id;
    equal((await apiJson(app, "PATCH", `/api/products/${id}`, { price: 12 })).status, 200);
    const response = await app.fetch(`/api/products/${id}`, {
      method: "DELETE",
      headers: { "x-request-id": "req-audit-delete" },
    });
    equal(response.status, 200);
    await response.body?.cancel();

    const { items } = await entries(app);
    deepEqual(items.map((entry) => entry.action), ["product.deleted", "product.updated", "product.created"]);
    for (const entry of items) {
      equal(entry.actor_kind, "token");
      equal(entry.actor_id, tokenId);
      equal(entry.actor_label, "tests (write)");
      equal(entry.target_type, "product");
      equal(entry.target_id, String(id));
      ok(entry.request_id, "every entry names its request");
    }
    equal(items[0].request_id, "req-audit-delete");
    match(items[0].summary, /Deleted SKU "AUD-1" \(Kettle\)/);
    match(items[1].summary, /price/);
  },
);

appTest("product changes through the page forms are recorded under the admin's email", async (app) => {
  const session = await signIn(app);
  const post = async (path: string, fields: [string, string][]) => {
    const response = await session.fetch(path, {
      method: "POST",
      body: new URLSearchParams([...fields, ["_csrf", session.csrfToken]]),
      redirect: "manual",
    });
    await response.body?.cancel();
    equal(response.status, 303, `${path} answered ${response.status}`);
  };
  await post("/products", [["sku", "FORM-1"], ["name", "Teapot"], ["price", "3.00"], ["active", "on"]]);
  const [{ id }] = await app.db.sql<{ id: number }[]>`SELECT id FROM products WHERE sku = 'FORM-1'`;
  await post(`/products/${id}`, [["sku", "FORM-1"], ["name", "Big teapot"], ["price", "4.00"]]);
  await post(`/products/${id}/delete`, []);

  const rows = await app.db.sql<{ actor_kind: string; actor_label: string; action: string }[]>`
    SELECT actor_kind, actor_label, action FROM audit_log ORDER BY id`;
  deepEqual(rows.map((row) => ({ ...row })), [
    { actor_kind: "user", actor_label: TEST_ADMIN.email, action: "product.created" },
    { actor_kind: "user", actor_label: TEST_ADMIN.email, action: "product.updated" },
    { actor_kind: "user", actor_label: TEST_ADMIN.email, action: "product.deleted" },
  ]);
});

appTest(
  "an upload records import.started with the file name but not its contents; delete-all records its entry",
  async (app) => {
    const upload = await uploadCsv(app, "sku,name\nSECRET-ROW-1,Very private name\n", "spring catalog.csv");
    equal(upload.status, 202);
    const deleteAll = await apiJson(app, "DELETE", "/api/products/bulk");
    equal(deleteAll.status, 202);

    const { items } = await entries(app);
    deepEqual(items.map((entry) => entry.action), ["products.bulk_delete_started", "import.started"]);
    equal(items[1].target_id, upload.body.task_id);
    match(items[1].summary, /spring catalog\.csv/);
    equal(items[0].target_id, deleteAll.body.task_id);
    equal(items[0].actor_label, "tests (write)");
    const text = await auditTableText(app);
    ok(!text.includes("SECRET-ROW-1") && !text.includes("Very private name"), "no CSV contents in the log");
  },
);

appTest(
  "webhook create, change, rotate, test and delete are recorded, and no secret reaches the log",
  async (app) => {
    const receiver = startReceiver();
    try {
      const created = await apiJson(app, "POST", "/api/webhooks", {
        url: `${receiver.url}/hook/private-path-key?key=abc123`,
        event_type: "product.created",
      });
      equal(created.status, 201);
      const id = created.body.id;
      const secrets = [created.body.secret as string];
      equal((await apiJson(app, "PUT", `/api/webhooks/${id}`, { enabled: false })).status, 200);
      const rotated = await apiJson(app, "POST", `/api/webhooks/${id}/rotate-secret`);
      equal(rotated.status, 200);
      secrets.push(rotated.body.secret);
      equal((await apiJson(app, "POST", `/api/webhooks/${id}/test`)).status, 200);
      equal((await apiJson(app, "DELETE", `/api/webhooks/${id}`)).status, 200);

      const { items } = await entries(app);
      deepEqual(items.map((entry) => entry.action).reverse(), [
        "webhook.created",
        "webhook.updated",
        "webhook.secret_rotated",
        "webhook.tested",
        "webhook.deleted",
      ]);
      for (const entry of items) equal(entry.target_id, String(id));
      match(items[3].summary, /turned off/);
      const text = await auditTableText(app);
      for (const secret of secrets) ok(!text.includes(secret), "a signing secret is in the audit log");
      ok(!text.includes("whsec_"), "no secret-looking value in the audit log");
      ok(!text.includes("private-path-key") && !text.includes("abc123"), "the URL's path and query stay out");
      ok(!text.includes(app.token), "the API token is not in the audit log");
    } finally {
      await receiver.close();
    }
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest("viewers and read tokens may not see the audit log; admins and write tokens may", async (app) => {
  const viewer = { email: "viewer@example.com", password: "viewer password 123" };
  await createUser(queryBuilder(app.db.sql), { ...viewer, role: "viewer" });
  const session = await signIn(app, viewer);
  const page = await session.fetch("/settings/audit");
  equal(page.status, 403);
  match(await page.text(), /Only admins/);
  const api = await session.fetch("/api/audit");
  equal(api.status, 403);
  equal((await api.json()).error.code, "forbidden");

  const readToken = await createTestToken(app.db.sql, "read");
  const asReader = await apiJson({ url: app.url, token: readToken }, "GET", "/api/audit");
  equal(asReader.status, 403);
  match(asReader.body.error.message, /read-only/);

  const admin = await signIn(app);
  const adminPage = await admin.fetch("/settings/audit");
  equal(adminPage.status, 200);
  match(await adminPage.text(), /Audit log/);
});

appTest(
  "the audit log pages newest first with before=<id>, and the page links to older entries",
  async (app) => {
    for (let n = 1; n <= 5; n++) {
      equal(
        (await apiJson(app, "POST", "/api/products", { sku: `PAGE-${n}`, name: `Product ${n}` })).status,
        201,
      );
    }
    const first = await entries(app, "?limit=2");
    deepEqual(first.items.map((entry) => entry.summary.match(/PAGE-\d/)![0]), ["PAGE-5", "PAGE-4"]);
    equal(first.next_before, first.items[1].id);
    const second = await entries(app, `?limit=2&before=${first.next_before}`);
    deepEqual(second.items.map((entry) => entry.summary.match(/PAGE-\d/)![0]), ["PAGE-3", "PAGE-2"]);
    const last = await entries(app, `?limit=2&before=${second.next_before}`);
    deepEqual(last.items.map((entry) => entry.summary.match(/PAGE-\d/)![0]), ["PAGE-1"]);
    equal(last.next_before, null);
    equal((await apiJson(app, "GET", "/api/audit?limit=0")).status, 400);
    equal((await apiJson(app, "GET", "/api/audit?before=abc")).status, 400);

    const admin = await signIn(app);
    const html = await (await admin.fetch("/settings/audit?limit=2")).text();
    match(html, /PAGE-5/);
    ok(!html.includes("PAGE-3"));
    match(html, new RegExp(`href="/settings/audit\\?before=${first.next_before}&amp;limit=2"`));
    const older = await (await admin.fetch(`/settings/audit?before=${first.next_before}&limit=2`)).text();
    match(older, /PAGE-3/);
    match(older, />Newest</);
  },
);
