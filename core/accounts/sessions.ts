/**
 * Browser sessions, kept server-side: the cookie holds a random id, the table its digest, the
 * account and the session's CSRF token. A session ends when idle too long or too old.
 */
import type { Kysely } from "kysely";
import type { Database, Role } from "../platform/schema.ts";
import { digest, newSecret } from "./secrets.ts";

/** How long sessions live. */
export interface SessionLimits {
  /** Ends after this long without a request. */
  idleMinutes: number;
  /** Ends this long after sign-in, whatever the activity. */
  maxHours: number;
}

/** A signed-in session as a request sees it. */
export interface Session {
  userId: number;
  email: string;
  role: Role;
  /** Every form of this session carries it; a state-changing request without it is refused. */
  csrfToken: string;
}

/** Starts a session for an account; returns the cookie value (shown once, stored as a digest). */
export async function startSession(db: Kysely<Database>, userId: number): Promise<string> {
  const id = newSecret();
  await db.insertInto("sessions").values({ id_hash: digest(id), user_id: userId, csrf_token: newSecret() })
    .execute();
  return id;
}

/**
 * The live session behind a cookie value, or null; an expired one is deleted. Marks it as seen at
 * most once a minute, so a page full of requests writes one row, not one per request.
 */
export async function findSession(
  db: Kysely<Database>,
  cookie: string,
  limits: SessionLimits,
): Promise<Session | null> {
  const idHash = digest(cookie);
  const row = await db.selectFrom("sessions").innerJoin("users", "users.id", "sessions.user_id")
    .select(["sessions.user_id", "sessions.csrf_token", "sessions.created_at", "sessions.last_seen_at"])
    .select(["users.email", "users.role"])
    .where("sessions.id_hash", "=", idHash).executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  const idle = now - row.last_seen_at.getTime() > limits.idleMinutes * 60_000;
  const old = now - row.created_at.getTime() > limits.maxHours * 3_600_000;
  if (idle || old) {
    await endSession(db, cookie);
    return null;
  }
  if (now - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable("sessions").set({ last_seen_at: new Date(now) }).where("id_hash", "=", idHash)
      .execute();
  }
  return { userId: row.user_id, email: row.email, role: row.role, csrfToken: row.csrf_token };
}

/** Ends a session (sign-out); unknown values are ignored. */
export async function endSession(db: Kysely<Database>, cookie: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", digest(cookie)).execute();
}
