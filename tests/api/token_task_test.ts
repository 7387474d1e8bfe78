import { equal, match } from "node:assert/strict";
import { findApiToken } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import { createTestDatabase } from "../helpers/test_app.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function runTokenTask(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "token", ...args],
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("deno task token prints a new token alone on its last line, and it works", async () => {
  const database = await createTestDatabase();
  try {
    const run = await runTokenTask(["nightly sync", "--scope", "read"], { DATABASE_URL: database.url });
    equal(run.code, 0, run.stderr);
    const token = run.stdout.trim().split("\n").at(-1)!;
    match(token, /^acme_[A-Za-z0-9_-]{43}$/);
    match(run.stderr, /Created read token "nightly sync"/);
    const found = await findApiToken(queryBuilder(database.sql), token);
    equal(found?.name, "nightly sync");
    equal(found?.scope, "read");
  } finally {
    await database.drop();
  }
});

Deno.test("deno task token without a name, or with an unknown scope, explains its usage", async () => {
  const database = await createTestDatabase();
  try {
    for (const args of [[], ["bot", "--scope", "admin"]]) {
      const run = await runTokenTask(args, { DATABASE_URL: database.url });
      equal(run.code, 2);
      match(run.stderr, /Usage: deno task token NAME \[--scope read\|write\]/);
      equal(run.stdout, "");
    }
  } finally {
    await database.drop();
  }
});
