/** Migrations: the numbered SQL files in `migrations/`, applied once each, in order. */
import type { Sql } from "./db.ts";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
// Any constant works; it only has to be the same for every instance of the app.
const MIGRATION_LOCK_ID = 727_001;

/** Applies the numbered SQL files in `migrations/` that have not run yet; returns their names. */
export async function migrate(sql: Sql): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    if (entry.isFile && entry.name.endsWith(".sql")) files.push(entry.name);
  }
  files.sort();

  return await sql.begin(async (tx) => {
    // Two instances starting together must not both apply the same migration.
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx`SELECT name FROM schema_migrations`).map((row) => row.name as string));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      await tx.unsafe(await Deno.readTextFile(new URL(name, MIGRATIONS_DIR)));
      await tx`INSERT INTO schema_migrations (name) VALUES (${name})`;
      applied.push(name);
    }
    return applied;
  });
}
