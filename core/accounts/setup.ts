/**
 * The first admin on a fresh install without ADMIN_EMAIL/ADMIN_PASSWORD: the app prints a setup
 * link with a one-time secret on start-up (as Jupyter does); whoever opens it chooses the first
 * admin's email and password. The link works once, for a limited time, and only while no account exists.
 */
import type { Kysely } from "kysely";
import { timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import type { Database } from "../platform/schema.ts";
import { newSecret } from "./secrets.ts";
import { createUser, hasUsers, type Person } from "./users.ts";

/** How long the printed link works. */
const SETUP_LINK_MINUTES = 60;

/** The one-time setup link of this process, if the install has no account yet. */
export class FirstAdminSetup {
  readonly secret: string = newSecret();
  readonly #expiresAt = Date.now() + SETUP_LINK_MINUTES * 60_000;
  #used = false;

  /** A setup link when the database has no account yet, else null. */
  static async offer(db: Kysely<Database>): Promise<FirstAdminSetup | null> {
    return await hasUsers(db) ? null : new FirstAdminSetup();
  }

  /** Whether `secret` opens the setup form now. */
  accepts(secret: string): boolean {
    if (this.#used || Date.now() > this.#expiresAt || secret.length !== this.secret.length) return false;
    return timingSafeEqual(Buffer.from(secret), Buffer.from(this.secret));
  }

  /** Creates the first admin and closes the link; refused if an account appeared meanwhile. */
  async createAdmin(
    db: Kysely<Database>,
    input: { secret: string; email: string; password: string },
  ): Promise<Person | null> {
    if (!this.accepts(input.secret) || await hasUsers(db)) return null;
    this.#used = true;
    return await createUser(db, { email: input.email, password: input.password, role: "admin" });
  }
}
