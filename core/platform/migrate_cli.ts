/** `deno task migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { loadConfig } from "./config.ts";
import { connectDatabase } from "./db.ts";
import { openTaskDatabase } from "./embedded_postgres.ts";
import { migrate } from "./migrate.ts";

const database = await openTaskDatabase(loadConfig());
const sql = connectDatabase(database.url, { max: 1 });
try {
  const applied = await migrate(sql);
  console.log(applied.length ? `Applied ${applied.join(", ")}` : "The database is up to date.");
} finally {
  await sql.end();
  await database.close();
}
