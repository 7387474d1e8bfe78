/** What the route modules are given. */
import type { Kysely } from "kysely";
import type { ActorVariables } from "../core/accounts/mod.ts";
import type { AssetUrls } from "../components/page_assets.tsx";
import type { JobQueue } from "../core/imports/mod.ts";
import type { RateLimits } from "../core/limits/mod.ts";
import type { Config, Database, Logger, Notifications, Sql } from "../core/platform/mod.ts";

/** What every route module receives: configuration, the database, the log, and the doorbells of the job queue and webhook dispatcher. */
export interface AppContext {
  config: Config;
  sql: Sql;
  db: Kysely<Database>;
  jobs: JobQueue;
  /** This instance's stable id (kept in its data folder): uploads it receives are its to import. */
  instanceId: string;
  /** Events every process hears (job progress), over PostgreSQL LISTEN/NOTIFY. */
  notifications: Notifications;
  /** Aborts when the server begins to stop: long responses (progress streams) end so it can close. */
  stopping: AbortSignal;
  /** Where request lines and unexpected errors are logged. */
  log: Logger;
  /** Rung after a write that may have queued webhook events. */
  webhooks: { ring(): Promise<void> };
  /** API calls per token, failed sign-ins and setup attempts, counted in the database. */
  limits: RateLimits;
}

/** What middleware leaves on each request for the handlers and the page renderer. */
export interface AppEnv {
  Variables: ActorVariables & {
    /** The request's form fields once read (see `formBody` in http.ts), so the body is read once. */
    form?: Promise<FormData>;
    /** The static files' content-hashed URLs, for the page renderer (see static_assets.ts). */
    assetUrls?: AssetUrls;
  };
}
