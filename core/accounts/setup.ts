/**
 * The first admin on a fresh install without ADMIN_EMAIL/ADMIN_PASSWORD: the app prints a setup
 * link with a one-time secret on start-up (as Jupyter does); whoever opens it chooses the first
 * admin's email and password. The link works once, for a limited time, and only while no account
 * exists. Links live in PostgreSQL (only the secret's digest), so a link printed by one instance
 * opens on every instance that shares the database.
 */
import { type Kysely, sql as rawSql } from "kysely";
import type { Database } from "../platform/schema.ts";
import { hashPassword } from "./passwords.ts";
import { digest, newSecret } from "./secrets.ts";
import { hasUsers, insertUser, type Person } from "./users.ts";

/** How long a printed link works. */
export const SETUP_LINK_MINUTES = 60;

// Any constant works; it only has to be the same for every instance (migrations use 727_001).
const SETUP_LOCK_ID = 727_002;

/**
 * Mints a setup link when the database has no account yet and returns its secret (to print; only
 * its digest is stored), else null. Links minted earlier stay valid until they expire or one is used.
 */
export async function offerSetupLink(db: Kysely<Database>): Promise<string | null> {
  if (await hasUsers(db)) return null;
  const secret = newSecret();
  await db.deleteFrom("setup_links").where("expires_at", "<", rawSql<Date>`now()`).execute();
  await db.insertInto("setup_links").values({
    secret_hash: digest(secret),
    expires_at: rawSql<Date>`now() + make_interval(mins => ${SETUP_LINK_MINUTES})`,
  }).execute();
  return secret;
}

/** Whether `secret` opens the setup form now: a stored link, unused, unexpired, and still no account. */
export async function setupLinkOpens(db: Kysely<Database>, secret: string): Promise<boolean> {
  const link = await db.selectFrom("setup_links").select("secret_hash")
    .where("secret_hash", "=", digest(secret))
    .where("used_at", "is", null)
    .where("expires_at", ">", rawSql<Date>`now()`)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("users").select("id"))))
    .executeTakeFirst();
  return link !== undefined;
}

/**
 * Creates the first admin with a link's secret, or returns null when the link is used, expired or
 * unknown, or an account exists. The link is claimed by one UPDATE in the transaction that creates
 * the admin, so of two redeems (on any instances) exactly one succeeds; every other link closes with it.
 */
export async function redeemSetupLink(
  db: Kysely<Database>,
  input: { secret: string; email: string; password: string },
): Promise<Person | null> {
  // Cheap refusal first: hashing a password costs ~0.3 s and a guesser should not get it for free.
  if (!await setupLinkOpens(db, input.secret)) return null;
  const passwordHash = await hashPassword(input.password);
  return await db.transaction().execute(async (trx) => {
    // The row lock serializes two redeems of one link; two different links need this lock, or both
    // could see no account and each create an admin.
    await rawSql`SELECT pg_advisory_xact_lock(${SETUP_LOCK_ID})`.execute(trx);
    const claimed = await trx.updateTable("setup_links")
      .set({ used_at: rawSql<Date>`now()` })
      .where("secret_hash", "=", digest(input.secret))
      .where("used_at", "is", null)
      .where("expires_at", ">", rawSql<Date>`now()`)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom("users").select("id"))))
      .returning("secret_hash")
      .executeTakeFirst();
    if (!claimed) return null;
    const admin = await insertUser(trx, { email: input.email, passwordHash, role: "admin" });
    await trx.updateTable("setup_links").set({ used_at: rawSql<Date>`now()` })
      .where("used_at", "is", null).execute();
    return admin;
  });
}
