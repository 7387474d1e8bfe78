import type { Kysely } from "kysely";
import type { Config } from "../core/platform/config.ts";
import type { Sql } from "../core/platform/db.ts";
import type { Database } from "../core/platform/schema.ts";
import type { ImportQueue } from "../workers/import_queue.ts";
import type { WebhookDispatcher } from "../workers/webhook_dispatcher.ts";

/** What every route module receives: configuration, the database, the job queue and the webhook dispatcher. */
export interface AppContext {
  config: Config;
  sql: Sql;
  db: Kysely<Database>;
  importQueue: ImportQueue;
  webhooks: WebhookDispatcher;
}
