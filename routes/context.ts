import type { Kysely } from "kysely";
import type { Config } from "../core/config.ts";
import type { Sql } from "../core/db.ts";
import type { Database } from "../core/schema.ts";
import type { ImportQueue } from "../workers/import_queue.ts";

/** What every route module receives: configuration, the database and the job queue. */
export interface AppContext {
  config: Config;
  sql: Sql;
  db: Kysely<Database>;
  importQueue: ImportQueue;
}
