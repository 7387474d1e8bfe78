/** `deno task migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { loadConfig } from "./config.ts";
import { connectDatabase } from "./db.ts";
import { startEmbeddedPostgres } from "./embedded_postgres.ts";
import { migrate } from "./migrate.ts";

const config = loadConfig();
const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(`${config.dataDir}/pglite`);
const sql = connectDatabase(config.databaseUrl ?? embedded!.url, { max: 1 });
try {
  const applied = await migrate(sql);
  console.log(applied.length ? `Applied ${applied.join(", ")}` : "The database is up to date.");
} finally {
  await sql.end();
  await embedded?.stop();
}
