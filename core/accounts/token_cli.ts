/**
 * `deno task token NAME [--scope read|write]`: creates an API token without a browser and prints
 * it alone on the last line. Uses DATABASE_URL, or the embedded database (the running app's, if
 * one runs on this data folder).
 */
import { parseArgs } from "node:util";
import { connectDatabase, loadConfig, migrate, openTaskDatabase, queryBuilder } from "../platform/mod.ts";
import { createApiToken } from "./tokens.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { scope: { type: "string", default: "write" } },
  allowPositionals: true,
});
const name = positionals.join(" ").trim();
const scope = values.scope;
if (!name || (scope !== "read" && scope !== "write")) {
  console.error("Usage: deno task token NAME [--scope read|write]   (write is the default)");
  Deno.exit(2);
}

const database = await openTaskDatabase(loadConfig());
const sql = connectDatabase(database.url, { max: 1 });
try {
  await migrate(sql);
  const created = await createApiToken(queryBuilder(sql), { name, scope, createdBy: null }, {
    audit: { actor: { kind: "system", id: null, label: "deno task token" } },
  });
  console.error(
    `Created ${scope} token "${created.name}" (id ${created.id}). It is shown once; store it now:`,
  );
  console.log(created.token);
} finally {
  await sql.end();
  await database.close();
}
