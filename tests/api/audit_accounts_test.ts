import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { apiJson, appTest, signIn, TEST_ADMIN } from "../helpers/test_app.ts";

async function entries(app: { db: { sql: import("../../core/platform/mod.ts").Sql } }) {
  return await app.db.sql<{ actor_label: string; action: string; summary: string }[]>`
    SELECT actor_label, action, summary FROM audit_log ORDER BY id`;
}

appTest("creating and revoking a token is in the audit log, without the token's value", async (app) => {
  const created = await apiJson(app, "POST", "/api/tokens", { name: "nightly sync", scope: "read" });
  equal(created.status, 201);
  equal((await apiJson(app, "DELETE", `/api/tokens/${created.body.id}`)).status, 200);
  const log = await entries(app);
  deepStrictEqual(log.map((entry) => [entry.action, entry.summary]), [
    ["token.created", 'Created read token "nightly sync"'],
    ["token.revoked", 'Revoked read token "nightly sync"'],
  ]);
  ok(log.every((entry) => entry.actor_label === "tests (write)"), "the token that did it is named");
  const [{ text }] = await app.db.sql<
    { text: string }[]
  >`SELECT string_agg(audit_log::text, ' ') AS text FROM audit_log`;
  ok(!text.includes(created.body.token) && !text.includes(app.token), "no token value is logged");
});

appTest(
  "adding a person, changing their role, resetting and changing passwords, removing: all logged",
  async (app) => {
    const admin = await signIn(app);
    const post = async (path: string, fields: Record<string, string>) => {
      const response = await admin.fetch(path, {
        method: "POST",
        body: new URLSearchParams({ ...fields, _csrf: admin.csrfToken }),
        redirect: "manual",
      });
      await response.body?.cancel();
      ok(response.status < 400, `${path} answered ${response.status}`);
    };
    await post("/settings/users", {
      email: "vera@example.com",
      password: "vera's first password",
      role: "viewer",
    });
    const [vera] = await app.db.sql<{ id: number }[]>`SELECT id FROM users WHERE email = 'vera@example.com'`;
    await post(`/settings/users/${vera.id}/role`, { role: "admin" });
    await post(`/settings/users/${vera.id}/password`, { password: "vera's second password" });
    await post(`/settings/users/${vera.id}/remove`, {});
    await post("/settings/password", {
      current_password: TEST_ADMIN.password,
      new_password: "the admin's new password",
      new_password_again: "the admin's new password",
    });
    const log = await entries(app);
    deepStrictEqual(log.map((entry) => entry.action), [
      "user.created",
      "user.role_changed",
      "user.password_reset",
      "user.removed",
      "user.password_changed",
    ]);
    ok(log.every((entry) => entry.actor_label === TEST_ADMIN.email));
    equal(log[0].summary, "Added vera@example.com as viewer");
    const [{ text }] = await app.db.sql<
      { text: string }[]
    >`SELECT string_agg(audit_log::text, ' ') AS text FROM audit_log`;
    ok(!/vera's first password|vera's second password|the admin's new password/.test(text), "no password");
  },
);
