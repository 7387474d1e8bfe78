import { equal, rejects } from "node:assert/strict";
import {
  changeOwnPassword,
  changeRole,
  checkLogin,
  countAdmins,
  createUser,
  findSession,
  listUsers,
  parseNewUser,
  parsePasswordChange,
  parseTokenCreate,
  removeUser,
  startSession,
} from "../../../core/accounts/mod.ts";
import { ConflictError, NotFoundError, queryBuilder, ValidationError } from "../../../core/platform/mod.ts";
import { withMigratedDatabase } from "../../helpers/test_app.ts";

const LIMITS = { idleMinutes: 30, maxHours: 24 };

async function withAccounts(fn: (db: ReturnType<typeof queryBuilder>) => Promise<void>): Promise<void> {
  await withMigratedDatabase(({ sql }) => fn(queryBuilder(sql)));
}

Deno.test("the last admin can be neither demoted nor removed; with two, either can go", async () => {
  await withAccounts(async (db) => {
    const ann = await createUser(db, { email: "ann@example.com", password: "ann's password", role: "admin" });
    await rejects(changeRole(db, { userId: ann.id, role: "viewer" }), ConflictError);
    await rejects(removeUser(db, ann.id), /last admin/);
    equal(await countAdmins(db), 1);

    const bob = await createUser(db, {
      email: "bob@example.com",
      password: "bob's password",
      role: "viewer",
    });
    equal((await changeRole(db, { userId: bob.id, role: "admin" })).role, "admin");
    equal(await countAdmins(db), 2);
    equal((await changeRole(db, { userId: ann.id, role: "viewer" })).role, "viewer");
    await rejects(
      changeRole(db, { userId: bob.id, role: "viewer" }),
      ConflictError,
      "bob is now the last admin",
    );
    equal((await removeUser(db, ann.id)).email, "ann@example.com");
    equal((await listUsers(db)).map((user) => user.email).join(), "bob@example.com");
    await rejects(removeUser(db, ann.id), NotFoundError);
    await rejects(changeRole(db, { userId: 999, role: "admin" }), NotFoundError);
  });
});

Deno.test("removing a person ends their sessions", async () => {
  await withAccounts(async (db) => {
    await createUser(db, { email: "admin@example.com", password: "admin password", role: "admin" });
    const viewer = await createUser(db, {
      email: "v@example.com",
      password: "viewer password",
      role: "viewer",
    });
    const cookie = await startSession(db, viewer.id);
    await removeUser(db, viewer.id);
    equal(await findSession(db, cookie, LIMITS), null);
  });
});

Deno.test("changing one's own password needs the current one and ends every session", async () => {
  await withAccounts(async (db) => {
    const ann = await createUser(db, {
      email: "ann@example.com",
      password: "old password 1",
      role: "viewer",
    });
    const cookie = await startSession(db, ann.id);
    await rejects(
      changeOwnPassword(db, ann.id, { current: "wrong password", next: "new password 2" }),
      (error: ValidationError) => error.details !== undefined && /current password/.test(error.message),
    );
    equal((await checkLogin(db, { email: "ann@example.com", password: "old password 1" }))?.id, ann.id);
    await changeOwnPassword(db, ann.id, { current: "old password 1", next: "new password 2" });
    equal(await checkLogin(db, { email: "ann@example.com", password: "old password 1" }), null);
    equal((await checkLogin(db, { email: "ann@example.com", password: "new password 2" }))?.id, ann.id);
    equal(await findSession(db, cookie, LIMITS), null);
  });
});

Deno.test("account and token input is checked field by field", () => {
  equal(parseTokenCreate({ name: "  sync ", scope: "write" }).name, "sync");
  equal(
    parseNewUser({ email: "a@example.com", password: "long enough pw", role: "viewer" }).role,
    "viewer",
  );
  for (
    const [input, field] of [
      [{ email: "a@example.com", password: "long enough pw", role: "owner" }, "role"],
      [{ email: "a@example.com", password: "short", role: "admin" }, "password"],
    ] as const
  ) {
    try {
      parseNewUser(input);
      throw new Error("accepted");
    } catch (error) {
      equal(((error as ValidationError).details as { field: string }[])[0].field, field);
    }
  }
  try {
    parsePasswordChange({
      current_password: "x",
      new_password: "long enough pw",
      new_password_again: "other pw",
    });
    throw new Error("accepted");
  } catch (error) {
    equal(((error as ValidationError).details as { field: string }[])[0].field, "new_password_again");
  }
});
