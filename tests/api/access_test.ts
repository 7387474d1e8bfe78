import { equal, match, ok } from "node:assert/strict";
import { createUser, revokeApiToken } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import {
  apiJson,
  appTest,
  createTestToken,
  fetchWithDeadline,
  readBody,
  signIn,
  TEST_ADMIN,
  type TestApp,
} from "../helpers/test_app.ts";

async function anonymous(app: TestApp, path: string, init: RequestInit = {}) {
  const response = await fetchWithDeadline(`${app.url}${path}`, { redirect: "manual", ...init });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

appTest("without a session or token, the API answers 401 and pages send you to sign in", async (app) => {
  const api = await anonymous(app, "/api/products");
  equal(api.status, 401);
  equal(api.headers.get("www-authenticate"), 'Bearer realm="api"');
  equal(JSON.parse(api.body).error.code, "unauthorized");
  const wiped = await anonymous(app, "/api/products/bulk", { method: "DELETE" });
  equal(wiped.status, 401, "an anonymous delete-all is refused");
  const page = await anonymous(app, "/webhooks?x=1");
  equal(page.status, 303);
  equal(page.headers.get("location"), "/login?next=%2Fwebhooks%3Fx%3D1");
  const bogus = await anonymous(app, "/api/products", { headers: { authorization: "Bearer acme_nope" } });
  equal(bogus.status, 401);
  match(JSON.parse(bogus.body).error.message, /not valid/);
  for (const path of ["/healthz", "/login", "/static/app.css", "/api/openapi.json"]) {
    equal((await anonymous(app, path)).status, 200, `${path} is public`);
  }
});

appTest(
  "signing in sets an HttpOnly SameSite=Lax cookie; a wrong password does not; signing out ends it",
  async (app) => {
    const wrong = await anonymous(app, "/login", {
      method: "POST",
      body: new URLSearchParams({ email: TEST_ADMIN.email, password: "not the password", next: "/" }),
    });
    equal(wrong.status, 401);
    match(wrong.body, /The email or the password is wrong/);
    equal(wrong.headers.get("set-cookie"), null);

    const login = await fetchWithDeadline(`${app.url}/login`, {
      method: "POST",
      headers: { "x-forwarded-proto": "https" },
      body: new URLSearchParams({ ...TEST_ADMIN, next: "//evil.example/" }),
      redirect: "manual",
    });
    await login.body?.cancel();
    equal(login.status, 303);
    equal(login.headers.get("location"), "/", "a next that leaves the site is ignored");
    const cookie = login.headers.get("set-cookie") ?? "";
    match(cookie, /^session=[\w-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);

    const session = await signIn(app);
    equal((await session.fetch("/webhooks")).status, 200);
    const out = await session.fetch("/logout", {
      method: "POST",
      body: new URLSearchParams({ _csrf: session.csrfToken }),
      redirect: "manual",
    });
    equal(out.status, 303);
    await out.body?.cancel();
    const after = await session.fetch("/webhooks", { redirect: "manual" });
    await after.body?.cancel();
    equal(after.status, 303, "the old cookie opens nothing");
  },
);

appTest("a change from another site, or without the session's CSRF token, is refused", async (app) => {
  const session = await signIn(app);
  const create = (headers: Record<string, string>, csrf: string | null) =>
    session.fetch("/products", {
      method: "POST",
      headers,
      body: new URLSearchParams({ sku: "CSRF-1", name: "Forged", ...(csrf ? { _csrf: csrf } : {}) }),
      redirect: "manual",
    });
  const foreign = await create({ origin: "https://evil.example" }, session.csrfToken);
  equal(foreign.status, 403);
  match(await foreign.text(), /came from another site/);
  const crossSite = await create({ "sec-fetch-site": "cross-site" }, session.csrfToken);
  equal(crossSite.status, 403);
  await crossSite.body?.cancel();
  const tokenless = await create({}, null);
  equal(tokenless.status, 403);
  match(await tokenless.text(), /reload the page/);
  const upload = await session.fetch("/api/upload", {
    method: "POST",
    headers: { origin: "https://evil.example", "content-type": "text/plain" },
    body: "sku,name\nX-1,Forged\n",
  });
  equal(upload.status, 403, "a cross-site text/plain upload starts nothing");
  await upload.body?.cancel();
  const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM products`;
  equal(count, 0);
  const genuine = await create({}, session.csrfToken);
  equal(genuine.status, 303);
  await genuine.body?.cancel();
});

appTest("viewers and read-only tokens read everything and change nothing", async (app) => {
  const db = queryBuilder(app.db.sql);
  await createUser(db, { email: "viewer@example.com", password: "viewer password", role: "viewer" });
  const viewer = await signIn(app, { email: "viewer@example.com", password: "viewer password" });
  equal((await viewer.fetch("/")).status, 200);
  const refused = await viewer.fetch("/products", {
    method: "POST",
    body: new URLSearchParams({ sku: "V-1", name: "Viewer", _csrf: viewer.csrfToken }),
  });
  equal(refused.status, 403);
  match(await refused.text(), /can view everything but change nothing/);

  const readToken = await createTestToken(app.db.sql, "read");
  const read = { authorization: `Bearer ${readToken}` };
  equal((await fetchWithDeadline(`${app.url}/api/products`, { headers: read })).status, 200);
  const write = await fetchWithDeadline(`${app.url}/api/products`, {
    method: "POST",
    headers: { ...read, "content-type": "application/json" },
    body: JSON.stringify({ sku: "T-1", name: "Token" }),
  });
  equal(write.status, 403);
  match(JSON.parse(await readBody(write)).error.message, /read-only/);
});

appTest("a revoked token is refused on its next call", async (app) => {
  const [row] = await app.db.sql<{ id: number }[]>`SELECT id FROM api_tokens ORDER BY id DESC LIMIT 1`;
  equal((await app.fetch("/api/products")).status, 200);
  await revokeApiToken(queryBuilder(app.db.sql), row.id);
  const after = await app.fetch("/api/products");
  equal(after.status, 401);
  await after.body?.cancel();
});

appTest(
  "a fresh install without ADMIN_EMAIL offers a one-time setup link that creates the first admin",
  async (app) => {
    ok(app.setupUrl, "the link is offered");
    const path = new URL(app.setupUrl).pathname;
    equal((await anonymous(app, path)).status, 200);
    equal((await anonymous(app, "/setup/not-the-secret")).status, 404);
    const short = await anonymous(app, path, {
      method: "POST",
      body: new URLSearchParams({ email: "first@example.com", password: "short" }),
    });
    equal(short.status, 422);
    match(short.body, /Use at least 12 characters/);
    const created = await anonymous(app, path, {
      method: "POST",
      body: new URLSearchParams({ email: "first@example.com", password: "the first admin password" }),
    });
    equal(created.status, 303);
    match(created.headers.get("set-cookie") ?? "", /^session=/);
    equal((await anonymous(app, path)).status, 404, "the link works once");
    await signIn(app, { email: "first@example.com", password: "the first admin password" });
  },
  { ADMIN_EMAIL: "", ADMIN_PASSWORD: "" },
);

appTest("a webhook's signing secret is shown only to those who may change the webhook", async (app) => {
  const created = await apiJson(app, "POST", "/api/webhooks", {
    url: "https://93.184.215.14/h",
    event_type: "*",
  });
  equal(created.status, 201);
  const id = created.body.id;
  match((await apiJson(app, "GET", `/api/webhooks/${id}`)).body.secret, /^whsec_/, "a write token sees it");
  const reader = { url: app.url, token: await createTestToken(app.db.sql, "read") };
  const read = await apiJson(reader, "GET", `/api/webhooks/${id}`);
  equal(read.status, 200);
  equal(read.body.secret, undefined, "a read token does not");

  await createUser(queryBuilder(app.db.sql), {
    email: "viewer@example.com",
    password: "viewer password",
    role: "viewer",
  });
  const viewer = await signIn(app, { email: "viewer@example.com", password: "viewer password" });
  const page = await readBody(await viewer.fetch(`/webhooks/${id}`));
  match(page, /Only admins can see the signing secret/);
  ok(!page.includes("whsec_"), "the viewer's page holds no secret");
});
