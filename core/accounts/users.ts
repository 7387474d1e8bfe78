/** People who sign in: the owner created from the environment, checking a login, managing accounts. */
import { type Kysely, type Selectable, sql as rawSql } from "kysely";
import { ConflictError, NotFoundError, ValidationError } from "../platform/errors.ts";
import type { Database, Role, UserTable } from "../platform/schema.ts";
import { recordAudit } from "../audit/mod.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import type { AccountChangeOptions } from "./tokens.ts";

/** Records who changed an account, in the change's transaction, when the change names its actor. */
async function auditAccount(
  trx: Kysely<Database>,
  options: AccountChangeOptions,
  change: { action: string; user: { id: number; email: string }; summary: string },
): Promise<void> {
  await recordAudit(trx, options.audit, {
    action: change.action,
    targetType: "user",
    targetId: change.user.id,
    summary: change.summary,
  });
}

/** An account as stored. */
export type User = Selectable<UserTable>;

/** An account without its password hash: what pages and the API may show. */
export type Person = Omit<User, "password_hash">;

function withoutHash({ password_hash: _, ...person }: User): Person {
  return person;
}

/** Creates an admin with this email and password, or resets the password and role of the existing one. */
export async function ensureOwner(
  db: Kysely<Database>,
  owner: { email: string; password: string },
): Promise<Person> {
  const passwordHash = await hashPassword(owner.password);
  const existing = await db.selectFrom("users").select("id")
    .where(rawSql`lower(email)`, "=", owner.email.toLowerCase()).executeTakeFirst();
  const user = existing
    ? await db.updateTable("users")
      .set({ password_hash: passwordHash, role: "admin", updated_at: new Date() })
      .where("id", "=", existing.id).returningAll().executeTakeFirstOrThrow()
    : await db.insertInto("users")
      .values({ email: owner.email, password_hash: passwordHash, role: "admin" })
      .returningAll().executeTakeFirstOrThrow();
  return withoutHash(user);
}

/** Creates an account; an email already used (in any letter case) is a {@linkcode ConflictError}. */
export async function createUser(
  db: Kysely<Database>,
  input: { email: string; password: string; role: Role },
  options: AccountChangeOptions = {},
): Promise<Person> {
  const passwordHash = await hashPassword(input.password);
  return await db.transaction().execute((trx) =>
    insertUser(trx, { email: input.email, passwordHash, role: input.role }, options)
  );
}

/**
 * Inserts an account whose password is already hashed, with its audit entry, in the caller's
 * transaction (the first-admin setup claims its link in the same one).
 */
export async function insertUser(
  trx: Kysely<Database>,
  input: { email: string; passwordHash: string; role: Role },
  options: AccountChangeOptions = {},
): Promise<Person> {
  let user: User;
  try {
    user = await trx.insertInto("users")
      .values({ email: input.email, password_hash: input.passwordHash, role: input.role })
      .returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ConflictError(`An account for ${input.email} already exists.`, [
        { field: "email", message: "This email already has an account" },
      ]);
    }
    throw error;
  }
  await auditAccount(trx, options, {
    action: "user.created",
    user,
    summary: `Added ${user.email} as ${user.role}`,
  });
  return withoutHash(user);
}

/**
 * The account with this email and password, or null. A wrong email costs a hash too, so the
 * answer's timing does not tell which accounts exist.
 */
export async function checkLogin(
  db: Kysely<Database>,
  credentials: { email: string; password: string },
): Promise<Person | null> {
  const user = await db.selectFrom("users").selectAll()
    .where(rawSql`lower(email)`, "=", credentials.email.trim().toLowerCase()).executeTakeFirst();
  if (!user) {
    await hashPassword(credentials.password);
    return null;
  }
  return await verifyPassword(credentials.password, user.password_hash) ? withoutHash(user) : null;
}

/** Every account, oldest first. */
export async function listUsers(db: Kysely<Database>): Promise<Person[]> {
  const users = await db.selectFrom("users").selectAll().orderBy("id").execute();
  return users.map(withoutHash);
}

/** Whether any account exists yet (none: the app offers the first-admin setup). */
export async function hasUsers(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom("users").select("id").limit(1).executeTakeFirst()) !== undefined;
}

/** Sets a new password; the account's other sessions end, so a reset locks out whoever knew the old one. */
export async function setPassword(
  db: Kysely<Database>,
  userId: number,
  password: string,
  options: AccountChangeOptions & { action?: "user.password_reset" | "user.password_changed" } = {},
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const user = await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: new Date() })
      .where("id", "=", userId).returning(["id", "email"]).executeTakeFirst();
    if (!user) throw new NotFoundError(`There is no account with id ${userId}.`);
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    const action = options.action ?? "user.password_reset";
    const summary = action === "user.password_reset"
      ? `Reset the password of ${user.email}`
      : `${user.email} changed their password`;
    await auditAccount(trx, options, { action, user, summary });
  });
}

/** How many admins there are. */
export async function countAdmins(db: Kysely<Database>): Promise<number> {
  const { count } = await db.selectFrom("users").select((eb) => eb.fn.countAll<string>().as("count"))
    .where("role", "=", "admin").executeTakeFirstOrThrow();
  return Number(count);
}

/** The message when a change would leave nobody who can manage the install. */
const LAST_ADMIN =
  "This is the last admin; make another account an admin first, so someone can still manage the app.";

/**
 * Changes an account's role; demoting the last admin is a {@linkcode ConflictError}. The admins are
 * locked while checking, so two admins demoting each other at once cannot both succeed.
 */
export async function changeRole(
  db: Kysely<Database>,
  change: { userId: number; role: Role },
  options: AccountChangeOptions = {},
): Promise<Person> {
  const { userId, role } = change;
  return await db.transaction().execute(async (trx) => {
    const admins = await lockAdmins(trx);
    if (role !== "admin" && admins.length === 1 && admins[0] === userId) throw lastAdmin("role");
    const user = await trx.updateTable("users").set({ role, updated_at: new Date() })
      .where("id", "=", userId).returningAll().executeTakeFirst();
    if (!user) throw new NotFoundError(`There is no account with id ${userId}.`);
    await auditAccount(trx, options, {
      action: "user.role_changed",
      user,
      summary: `Made ${user.email} ${role === "admin" ? "an admin" : "a viewer"}`,
    });
    return withoutHash(user);
  });
}

/** Removes an account with its sessions (its tokens stay); removing the last admin is a {@linkcode ConflictError}. */
export async function removeUser(
  db: Kysely<Database>,
  userId: number,
  options: AccountChangeOptions = {},
): Promise<Person> {
  return await db.transaction().execute(async (trx) => {
    const admins = await lockAdmins(trx);
    if (admins.length === 1 && admins[0] === userId) throw lastAdmin("remove");
    const user = await trx.deleteFrom("users").where("id", "=", userId).returningAll().executeTakeFirst();
    if (!user) throw new NotFoundError(`There is no account with id ${userId}.`);
    await auditAccount(trx, options, { action: "user.removed", user, summary: `Removed ${user.email}` });
    return withoutHash(user);
  });
}

function lastAdmin(field: string): ConflictError {
  return new ConflictError(LAST_ADMIN, [{ field, message: LAST_ADMIN }]);
}

async function lockAdmins(trx: Kysely<Database>): Promise<number[]> {
  const rows = await trx.selectFrom("users").select("id").where("role", "=", "admin").forUpdate().execute();
  return rows.map((row) => row.id);
}

/**
 * Changes one's own password after checking the current one; a wrong current password is a
 * {@linkcode ValidationError} on `current_password`. Every session of the account ends.
 */
export async function changeOwnPassword(
  db: Kysely<Database>,
  userId: number,
  passwords: { current: string; next: string },
  options: AccountChangeOptions = {},
): Promise<void> {
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", userId)
    .executeTakeFirst();
  if (!user) throw new NotFoundError(`There is no account with id ${userId}.`);
  if (!(await verifyPassword(passwords.current, user.password_hash))) {
    throw new ValidationError("The current password is wrong.", [
      { field: "current_password", message: "This is not your current password" },
    ]);
  }
  await setPassword(db, userId, passwords.next, { ...options, action: "user.password_changed" });
}
