import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { createUser } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import {
  apiJson,
  appTest,
  createTestToken,
  fetchWithDeadline,
  readBody,
  signIn,
} from "../helpers/test_app.ts";

appTest(
  "a token created by POST /api/tokens is shown once, listed with its last use, and refused once revoked",
  async (app) => {
    const created = await apiJson(app, "POST", "/api/tokens", { name: "nightly sync", scope: "read" });
    equal(created.status, 201);
    deepStrictEqual(Object.keys(created.body).sort(), [
      "created_at",
      "created_by",
      "id",
      "last_used_at",
      "name",
      "scope",
      "token",
    ]);
    equal(created.body.name, "nightly sync");
    equal(created.body.scope, "read");
    match(created.body.token, /^acme_/);
    const [stored] = await app.db.sql`SELECT token_hash FROM api_tokens WHERE id = ${created.body.id}`;
    ok(!stored.token_hash.includes(created.body.token), "only a digest is stored");

    const target = { url: app.url, token: created.body.token as string };
    equal((await apiJson(target, "GET", "/api/products")).status, 200);
    const listed = await apiJson(app, "GET", "/api/tokens");
    equal(listed.status, 200);
    const entry = listed.body.find((token: { id: number }) => token.id === created.body.id);
    equal(entry.name, "nightly sync");
    equal(entry.token, undefined, "a list never holds token values");
    ok(entry.last_used_at !== null, "the call just made is its last use");

    const revoked = await apiJson(app, "DELETE", `/api/tokens/${created.body.id}`);
    equal(revoked.status, 200);
    const after = await apiJson(target, "GET", "/api/products");
    equal(after.status, 401);
    match(after.body.error.message, /revoked/);
    equal((await apiJson(app, "DELETE", `/api/tokens/${created.body.id}`)).status, 404, "revoked once");
    equal((await apiJson(app, "DELETE", "/api/tokens/abc")).status, 404);
    ok(
      !(await apiJson(app, "GET", "/api/tokens")).body.some((t: { id: number }) => t.id === created.body.id),
    );
  },
);

appTest("a token's name and scope are validated: 422 with a message per field", async (app) => {
  const cases: [unknown, string][] = [
    [{ name: "", scope: "read" }, "name"],
    [{ name: "x".repeat(201), scope: "read" }, "name"],
    [{ name: "ok", scope: "admin" }, "scope"],
    [{ scope: "write" }, "name"],
    [{ name: "ok", scope: "read", expires: "never" }, "body"],
  ];
  for (const [body, field] of cases) {
    const answer = await apiJson(app, "POST", "/api/tokens", body);
    equal(answer.status, 422, JSON.stringify(body));
    equal(answer.body.error.code, "validation_error");
    equal(answer.body.error.details[0].field, field, JSON.stringify(body));
  }
  const notJson = await app.fetch("/api/tokens", { method: "POST", body: "name=x" });
  equal(notJson.status, 415);
  await notJson.body?.cancel();
  equal((await apiJson(app, "POST", "/api/tokens", { name: "x".repeat(200), scope: "write" })).status, 201);
});

appTest(
  "viewers and read tokens may neither list, create nor revoke tokens; an admin session may",
  async (app) => {
    const readToken = { url: app.url, token: await createTestToken(app.db.sql, "read") };
    for (
      const [method, path, body] of [
        ["GET", "/api/tokens", undefined],
        ["POST", "/api/tokens", { name: "sneaky", scope: "write" }],
        ["DELETE", "/api/tokens/1", undefined],
      ] as const
    ) {
      const answer = await apiJson(readToken, method, path, body);
      equal(answer.status, 403, `${method} ${path} with a read token`);
      match(answer.body.error.message, /read-only/);
    }

    await createUser(queryBuilder(app.db.sql), {
      email: "viewer@example.com",
      password: "viewer password",
      role: "viewer",
    });
    const viewer = await signIn(app, { email: "viewer@example.com", password: "viewer password" });
    const list = await viewer.fetch("/api/tokens");
    equal(list.status, 403);
    match(JSON.parse(await readBody(list)).error.message, /Only admins/);
    const create = await viewer.fetch("/api/tokens", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": viewer.csrfToken },
      body: JSON.stringify({ name: "sneaky", scope: "write" }),
    });
    equal(create.status, 403);
    await create.body?.cancel();

    const admin = await signIn(app);
    const made = await admin.fetch("/api/tokens", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": admin.csrfToken },
      body: JSON.stringify({ name: "by admin", scope: "write" }),
    });
    equal(made.status, 201);
    const body = JSON.parse(await readBody(made));
    ok(typeof body.created_by === "number", "the admin is recorded as its creator");
    const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM api_tokens WHERE name = 'sneaky'`;
    equal(count, 0);
    const anonymous = await fetchWithDeadline(`${app.url}/api/tokens`);
    equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  },
);
