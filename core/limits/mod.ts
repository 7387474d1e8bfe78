/**
 * Rate limits kept in PostgreSQL, so they hold across app processes: the app's policy
 * (`policy.ts`) on top of atomic per-bucket window counters (`counters.ts`).
 */
export { HitCounter, type WindowCount } from "./counters.ts";
export { type ApiBudget, type LimitSettings, RateLimits } from "./policy.ts";
