import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import {
  checkLogin,
  createApiToken,
  createUser,
  endSession,
  ensureOwner,
  findApiToken,
  findSession,
  hasUsers,
  listApiTokens,
  revokeApiToken,
  setPassword,
  startSession,
} from "../../../core/accounts/mod.ts";
import { digest } from "../../../core/accounts/secrets.ts";
import { ConflictError, queryBuilder } from "../../../core/platform/mod.ts";
import { withMigratedDatabase } from "../../helpers/test_app.ts";

const LIMITS = { idleMinutes: 30, maxHours: 24 };

Deno.test("the owner from the environment is created once, then only reset", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const db = queryBuilder(sql);
    equal(await hasUsers(db), false);
    const first = await ensureOwner(db, { email: "Owner@Example.com", password: "first password 1" });
    equal(first.role, "admin");
    const again = await ensureOwner(db, { email: "owner@example.com", password: "second password 2" });
    equal(again.id, first.id, "the same account, whatever the letter case");
    equal(await checkLogin(db, { email: "owner@example.com", password: "first password 1" }), null);
    equal(
      (await checkLogin(db, { email: " OWNER@example.com ", password: "second password 2" }))?.id,
      first.id,
    );
    const [{ count }] = await sql`SELECT count(*)::int AS count FROM users`;
    equal(count, 1);
  });
});

Deno.test("an email is one account in any letter case; a wrong password or email signs nobody in", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const db = queryBuilder(sql);
    const viewer = await createUser(db, {
      email: "ann@example.com",
      password: "a long password",
      role: "viewer",
    });
    ok(!("password_hash" in viewer), "the hash never leaves the module");
    await rejects(
      createUser(db, { email: "ANN@example.com", password: "another password", role: "admin" }),
      ConflictError,
    );
    equal(await checkLogin(db, { email: "ann@example.com", password: "wrong password" }), null);
    equal(await checkLogin(db, { email: "bob@example.com", password: "a long password" }), null);
    equal((await checkLogin(db, { email: "ann@example.com", password: "a long password" }))?.role, "viewer");
  });
});

Deno.test("a session is found by its cookie until sign-out, and only its digest is stored", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const db = queryBuilder(sql);
    const user = await createUser(db, {
      email: "ann@example.com",
      password: "a long password",
      role: "admin",
    });
    const cookie = await startSession(db, user.id);
    const [{ count: plain }] =
      await sql`SELECT count(*)::int AS count FROM sessions WHERE id_hash = ${cookie}`;
    equal(plain, 0, "the cookie value itself is not in the table");
    const session = await findSession(db, cookie, LIMITS);
    deepStrictEqual({ ...session, csrfToken: typeof session?.csrfToken }, {
      userId: user.id,
      email: "ann@example.com",
      role: "admin",
      csrfToken: "string",
    });
    equal(await findSession(db, `${cookie}x`, LIMITS), null);
    await endSession(db, cookie);
    equal(await findSession(db, cookie, LIMITS), null);
  });
});

Deno.test("a session ends when idle too long or too old, and when the password changes", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const db = queryBuilder(sql);
    const user = await createUser(db, {
      email: "ann@example.com",
      password: "a long password",
      role: "admin",
    });
    const idle = await startSession(db, user.id);
    const old = await startSession(db, user.id);
    const other = await startSession(db, user.id);
    await sql`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = ${
      digest(idle)
    }`;
    await sql`UPDATE sessions SET created_at = now() - interval '25 hours' WHERE id_hash = ${digest(old)}`;
    const alive = [idle, old, other].map(async (cookie) => (await findSession(db, cookie, LIMITS)) !== null);
    deepStrictEqual(await Promise.all(alive), [false, false, true]);
    await setPassword(db, user.id, "a new long password");
    equal(await findSession(db, other, LIMITS), null, "a password change signs every session out");
  });
});

Deno.test("an API token works until revoked, is stored as a digest and listed without its value", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const db = queryBuilder(sql);
    const created = await createApiToken(db, { name: "nightly sync", scope: "read", createdBy: null });
    ok(created.token.startsWith("acme_") && created.token.length > 40);
    const [{ count: plain }] =
      await sql`SELECT count(*)::int AS count FROM api_tokens WHERE token_hash = ${created.token}`;
    equal(plain, 0);
    const found = await findApiToken(db, created.token);
    equal(found?.scope, "read");
    ok(found?.last_used_at, "its use is recorded");
    equal(await findApiToken(db, "acme_not-a-token"), null);
    equal(await findApiToken(db, created.token.slice(5)), null);
    const listed = await listApiTokens(db);
    equal(listed.length, 1);
    ok(!("token" in listed[0]) && !("token_hash" in listed[0]));
    await revokeApiToken(db, created.id);
    equal(await findApiToken(db, created.token), null);
    await rejects(revokeApiToken(db, created.id), /no active API token/);
  });
});
