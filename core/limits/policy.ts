/**
 * The app's limits: API calls per token per minute, failed sign-ins per account and per client
 * address, and first-admin setup attempts per address. Counts live in PostgreSQL (`counters.ts`),
 * so every app process enforces the same budget.
 */
import type { Sql } from "../platform/db.ts";
import { RateLimitedError } from "../platform/errors.ts";
import { HitCounter } from "./counters.ts";

/** The limits, from the configuration. */
export interface LimitSettings {
  /** API calls per token per minute. */
  apiPerMinute: number;
  /** Failed sign-ins per account (email, lowercased) within `loginWindowMinutes`. */
  loginFailuresPerAccount: number;
  /** Failed sign-ins (and setup attempts) per client address within `loginWindowMinutes`. */
  loginFailuresPerAddress: number;
  loginWindowMinutes: number;
}

/** A token's budget after one more call: what the `RateLimit-*` headers say. */
export interface ApiBudget {
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the budget is whole again. */
  resetSeconds: number;
  /** Whether this call is within the budget. */
  allowed: boolean;
}

const API_WINDOW_SECONDS = 60;

function accountBucket(email: string): string {
  return `login-account:${email.trim().toLowerCase()}`;
}

/** Counts and enforces the app's limits; one instance per process, all sharing the database. */
export class RateLimits {
  readonly #counter: HitCounter;
  readonly #settings: LimitSettings;

  /** Limits counted on this pool. */
  constructor(sql: Sql, settings: LimitSettings) {
    this.#counter = new HitCounter(sql);
    this.#settings = settings;
  }

  /** Counts one API call of a token; `allowed` is false past the per-minute budget. */
  async apiCall(tokenId: number): Promise<ApiBudget> {
    const limit = this.#settings.apiPerMinute;
    const { count, resetSeconds } = await this.#counter.hit(`api-token:${tokenId}`, API_WINDOW_SECONDS);
    return { limit, remaining: Math.max(0, limit - count), resetSeconds, allowed: count <= limit };
  }

  /**
   * Throws `RateLimitedError` while the account or the address has too many recent failed
   * sign-ins; called before the password is checked, so a locked account reveals nothing.
   */
  async checkLogin(email: string, address: string): Promise<void> {
    const account = accountBucket(email);
    const place = `login-address:${address}`;
    const windows = await this.#counter.peek([account, place]);
    const byAccount = windows.get(account);
    if (byAccount && byAccount.count >= this.#settings.loginFailuresPerAccount) {
      throw new RateLimitedError(
        `Too many failed sign-ins for this account. Try again in ${minutes(byAccount.resetSeconds)}.`,
        byAccount.resetSeconds,
      );
    }
    const byAddress = windows.get(place);
    if (byAddress && byAddress.count >= this.#settings.loginFailuresPerAddress) {
      throw new RateLimitedError(
        `Too many failed sign-ins from your network address. Try again in ${
          minutes(byAddress.resetSeconds)
        }.`,
        byAddress.resetSeconds,
      );
    }
  }

  /** Records a failed sign-in against the account and the address. */
  async loginFailed(email: string, address: string): Promise<void> {
    const seconds = this.#settings.loginWindowMinutes * 60;
    await Promise.all([
      this.#counter.hit(accountBucket(email), seconds),
      this.#counter.hit(`login-address:${address}`, seconds),
    ]);
  }

  /** A successful sign-in clears the account's failures (not the address's: others may share it). */
  async loginSucceeded(email: string): Promise<void> {
    await this.#counter.reset(accountBucket(email));
  }

  /** Counts one first-admin setup attempt from an address; throws `RateLimitedError` past the limit. */
  async setupAttempt(address: string): Promise<void> {
    const { count, resetSeconds } = await this.#counter.hit(
      `setup-address:${address}`,
      this.#settings.loginWindowMinutes * 60,
    );
    if (count > this.#settings.loginFailuresPerAddress) {
      throw new RateLimitedError(
        `Too many setup attempts from your network address. Try again in ${minutes(resetSeconds)}.`,
        resetSeconds,
      );
    }
  }
}

function minutes(seconds: number): string {
  const whole = Math.ceil(seconds / 60);
  return whole === 1 ? "a minute" : `${whole} minutes`;
}
