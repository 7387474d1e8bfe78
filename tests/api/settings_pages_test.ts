import { equal, match, ok } from "node:assert/strict";
import {
  apiJson,
  appTest,
  type BrowserSession,
  fetchWithDeadline,
  signIn,
  TEST_ADMIN,
} from "../helpers/test_app.ts";

/** Posts a form as a browser without JavaScript does (its cookie, origin and CSRF field), not following the redirect. */
async function postForm(session: BrowserSession, path: string, fields: [string, string][]) {
  const response = await session.fetch(path, {
    method: "POST",
    body: new URLSearchParams([...fields, ["_csrf", session.csrfToken]]),
    redirect: "manual",
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    cookie: response.headers.get("set-cookie"),
    html: await response.text(),
  };
}

async function page(session: BrowserSession, path: string) {
  const response = await session.fetch(path, { redirect: "manual" });
  return { status: response.status, html: await response.text() };
}

appTest(
  "tokens are created on /settings/tokens, shown once, listed and revoked with plain forms",
  async (app) => {
    const admin = await signIn(app);
    const empty = await page(admin, "/settings/tokens");
    equal(empty.status, 200);
    match(empty.html, /href="\/settings\/users"/, "the sub-navigation offers People to an admin");

    const invalid = await postForm(admin, "/settings/tokens", [["name", ""], ["scope", "read"]]);
    equal(invalid.status, 422);
    match(invalid.html, /Give the token a name/);
    match(invalid.html, /tests \(write\)/, "the list stays on the page");

    const created = await postForm(admin, "/settings/tokens", [["name", "ERP sync"], ["scope", "write"]]);
    equal(created.status, 201);
    match(created.html, /shown only this once/);
    const token = created.html.match(/<code class="secret" id="new-token">(acme_[^<]+)<\/code>/)?.[1];
    ok(token, "the new token is on the page");
    const call = () =>
      fetchWithDeadline(`${app.url}/api/products`, { headers: { authorization: `Bearer ${token}` } });
    const works = await call();
    equal(works.status, 200);
    await works.body?.cancel();

    const listed = await page(admin, "/settings/tokens");
    match(listed.html, /ERP sync/);
    ok(!listed.html.includes(token!), "the list never shows the value again");
    const id = listed.html.match(/\/settings\/tokens\/(\d+)\/revoke/)![1];
    match((await page(admin, `/settings/tokens/${id}/revoke`)).html, /Revoke this token\?/);
    const revoked = await postForm(admin, `/settings/tokens/${id}/revoke`, []);
    equal(revoked.location, "/settings/tokens?notice=revoked");
    const refused = await call();
    equal(refused.status, 401);
    await refused.body?.cancel();
  },
);

appTest(
  "an admin adds people, changes roles, resets passwords and removes people; never the last admin",
  async (app) => {
    const admin = await signIn(app);
    const bad = await postForm(admin, "/settings/users", [["email", "nope"], ["password", "short"], [
      "role",
      "viewer",
    ]]);
    equal(bad.status, 422);
    match(bad.html, /Enter an email address/);
    match(bad.html, /Use at least 12 characters/);

    const added = await postForm(admin, "/settings/users", [
      ["email", "vera@example.com"],
      ["password", "vera's first password"],
      ["role", "viewer"],
    ]);
    equal(added.location, "/settings/users?notice=added");
    const again = await postForm(admin, "/settings/users", [
      ["email", "VERA@example.com"],
      ["password", "another password"],
      ["role", "viewer"],
    ]);
    equal(again.status, 409);
    match(again.html, /already has an account/);

    const list = (await page(admin, "/settings/users")).html;
    const veraId = list.match(/href="\/settings\/users\/(\d+)">vera@example.com/)![1];
    const adminId = list.match(/href="\/settings\/users\/(\d+)">admin@example.com/)![1];

    const lastAdmin = await postForm(admin, `/settings/users/${adminId}/role`, [["role", "viewer"]]);
    equal(lastAdmin.status, 409);
    match(lastAdmin.html, /This is the last admin/);
    const removeSelf = await postForm(admin, `/settings/users/${adminId}/remove`, []);
    equal(removeSelf.status, 409);
    match(removeSelf.html, /This is the last admin/);

    const vera = await signIn(app, { email: "vera@example.com", password: "vera's first password" });
    const reset = await postForm(admin, `/settings/users/${veraId}/password`, [[
      "password",
      "vera's new password",
    ]]);
    equal(reset.location, `/settings/users/${veraId}?notice=reset`);
    equal((await page(vera, "/")).status, 303, "a reset ends her sessions");
    const veraAgain = await signIn(app, { email: "vera@example.com", password: "vera's new password" });

    equal((await postForm(admin, `/settings/users/${veraId}/role`, [["role", "admin"]])).status, 303);
    match((await page(admin, `/settings/users/${veraId}`)).html, /<option value="admin" selected/);
    equal((await postForm(admin, `/settings/users/${veraId}/role`, [["role", "owner"]])).status, 422);

    match((await page(admin, `/settings/users/${veraId}/remove`)).html, /Remove this person\?/);
    const removed = await postForm(admin, `/settings/users/${veraId}/remove`, []);
    equal(removed.location, "/settings/users?notice=removed");
    equal((await page(veraAgain, "/")).status, 303, "a removed person is signed out");
    ok(!(await page(admin, "/settings/users")).html.includes("vera@example.com"));
  },
);

appTest(
  "everyone changes their own password; viewers get 403 on the admin settings and see no buttons",
  async (app) => {
    const admin = await signIn(app);
    await postForm(admin, "/settings/users", [
      ["email", "vic@example.com"],
      ["password", "vic's password 1"],
      [
        "role",
        "viewer",
      ],
    ]);
    const viewer = await signIn(app, { email: "vic@example.com", password: "vic's password 1" });
    const other = await signIn(app, { email: "vic@example.com", password: "vic's password 1" });

    for (const path of ["/settings/tokens", "/settings/users"]) {
      const refused = await page(viewer, path);
      equal(refused.status, 403, path);
      match(refused.html, /Only admins/);
    }
    const adding = await postForm(viewer, "/settings/users", [["email", "x@example.com"], [
      "password",
      "x password 123",
    ], [
      "role",
      "admin",
    ]]);
    equal(adding.status, 403);
    match(adding.html, /can view everything but change nothing/);

    await apiJson(app, "POST", "/api/products", { sku: "VIEW-1", name: "Seen, not touched" });
    const products = (await page(viewer, "/")).html;
    match(products, /VIEW-1/);
    ok(!products.includes("ConfirmSubmit") && !products.includes("/products/1/delete"), "no Delete button");
    ok(!products.includes(">Edit<"), "no Edit button");
    ok(!products.includes('href="/products/new"'), "no New button");
    ok(!products.includes("Delete all"), "no Delete all");
    ok(!products.includes('href="/settings/users"'), "no People link");

    const own = await page(viewer, "/settings/password");
    equal(own.status, 200);
    const wrong = await postForm(viewer, "/settings/password", [
      ["current_password", "not it"],
      ["new_password", "vic's password 2"],
      ["new_password_again", "vic's password 2"],
    ]);
    equal(wrong.status, 422);
    match(wrong.html, /This is not your current password/);
    const differ = await postForm(viewer, "/settings/password", [
      ["current_password", "vic's password 1"],
      ["new_password", "vic's password 2"],
      ["new_password_again", "vic's password 3"],
    ]);
    equal(differ.status, 422);
    match(differ.html, /The two new passwords differ/);

    const changed = await postForm(viewer, "/settings/password", [
      ["current_password", "vic's password 1"],
      ["new_password", "vic's password 2"],
      ["new_password_again", "vic's password 2"],
    ]);
    equal(changed.status, 303);
    equal(changed.location, "/settings/password?notice=changed");
    const cookie = changed.cookie!.split(";")[0];
    const here = await fetchWithDeadline(`${app.url}/settings/password?notice=changed`, {
      headers: { cookie },
    });
    equal(here.status, 200, "this browser stays signed in with a new session");
    match(await here.text(), /Your other sessions are signed out/);
    equal((await page(other, "/")).status, 303, "the other session ended");
    await signIn(app, { email: "vic@example.com", password: "vic's password 2" });
    equal(TEST_ADMIN.email, "admin@example.com");
  },
);
