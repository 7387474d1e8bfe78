/**
 * The first-admin setup link across instances (issue 10): Fly runs several machines on one
 * PostgreSQL, so a link printed by one must open on another, work once, and expire.
 */
import { equal, notEqual, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { SETUP_LINK_MINUTES } from "../../core/accounts/mod.ts";
import { loadConfig } from "../../core/platform/mod.ts";
import { type RunningServer, startServer } from "../../main.ts";
import {
  cleanUp,
  fetchWithDeadline,
  readBody,
  signIn,
  startTestApp,
  type TestApp,
} from "../helpers/test_app.ts";

/** Two app instances on one database, both started before any account exists. */
async function withTwoInstances(fn: (a: TestApp, b: RunningServer) => Promise<void>): Promise<void> {
  const a = await startTestApp({ ADMIN_EMAIL: "", ADMIN_PASSWORD: "" });
  const dataDir = await Deno.makeTempDir({ prefix: "importer-test-b-" });
  let b: RunningServer | undefined;
  try {
    b = await startServer(loadConfig({ PORT: "0", DATABASE_URL: a.db.url, DATA_DIR: dataDir }), {
      logSink: (line) => {
        if ((JSON.parse(line) as { level?: string }).level !== "info") console.error(line);
      },
    });
    await fn(a, b);
  } catch (error) {
    await cleanUp([
      ["stop instance B", () => b?.shutdown()],
      ["remove B's data folder", () => Deno.remove(dataDir, { recursive: true })],
      ["stop instance A", () => a.stop()],
    ], error);
    throw error;
  }
  await cleanUp([
    ["stop instance B", () => b.shutdown()],
    ["remove B's data folder", () => Deno.remove(dataDir, { recursive: true })],
    ["stop instance A", () => a.stop()],
  ]);
}

function twoInstanceTest(name: string, fn: (a: TestApp, b: RunningServer) => Promise<void>): void {
  // The app keeps pools, workers and a KV listener alive between requests by design.
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn: () => withTwoInstances(fn) });
}

async function open(base: string, path: string): Promise<number> {
  const response = await fetchWithDeadline(`${base}${path}`, { redirect: "manual" });
  await readBody(response);
  return response.status;
}

async function redeem(base: string, path: string, email: string): Promise<number> {
  const response = await fetchWithDeadline(`${base}${path}`, {
    method: "POST",
    body: new URLSearchParams({ email, password: "the first admin password" }),
    redirect: "manual",
  });
  await readBody(response);
  return response.status;
}

const pathOf = (setupUrl: string | null) => new URL(setupUrl!).pathname;

twoInstanceTest(
  "a setup link printed by one instance opens on another sharing the database, and works once",
  async (a, b) => {
    const linkA = pathOf(a.setupUrl);
    const linkB = pathOf(b.setupUrl);
    notEqual(linkA, linkB, "each start-up without an account prints its own link");

    const stored = await a.db.sql<{ secret_hash: string }[]>`SELECT secret_hash FROM setup_links`;
    const secretA = linkA.split("/").at(-1)!;
    equal(stored.length, 2);
    ok(stored.every((row) => !row.secret_hash.includes(secretA)), "the secret itself is never stored");
    ok(
      stored.some((row) => row.secret_hash === createHash("sha256").update(secretA).digest("base64url")),
      "its SHA-256 is",
    );

    equal(await open(b.url, linkA), 200, "A's link opens the form on B");
    equal(await redeem(b.url, linkA, "first@example.com"), 303, "and creates the admin there");
    equal(await open(a.url, linkA), 404, "used: closed on A");
    equal(await open(b.url, linkA), 404, "used: closed on B");
    equal(await open(a.url, linkB), 404, "B's own link closed with the first admin");
    equal(await redeem(a.url, linkB, "second@example.com"), 404);
    const [{ count }] = await a.db.sql<{ count: number }[]>`SELECT count(*)::int AS count FROM users`;
    equal(count, 1);
    await signIn(a, { email: "first@example.com", password: "the first admin password" });
  },
);

twoInstanceTest(
  "two instances redeeming the same link at once create one admin; the other answers 404",
  async (a, b) => {
    const link = pathOf(a.setupUrl);
    const statuses = await Promise.all([
      redeem(a.url, link, "on-a@example.com"),
      redeem(b.url, link, "on-b@example.com"),
    ]);
    equal(statuses.toSorted().join(","), "303,404");
    const users = await a.db.sql<{ email: string }[]>`SELECT email FROM users`;
    equal(users.length, 1);
  },
);

twoInstanceTest(
  "two instances redeeming their own links at once create one admin; the other answers 404",
  async (a, b) => {
    const statuses = await Promise.all([
      redeem(a.url, pathOf(a.setupUrl), "on-a@example.com"),
      redeem(b.url, pathOf(b.setupUrl), "on-b@example.com"),
    ]);
    equal(statuses.toSorted().join(","), "303,404");
    const users = await a.db.sql<{ email: string }[]>`SELECT email FROM users`;
    equal(users.length, 1);
  },
);

twoInstanceTest(
  "a setup link lasts an hour; expired, it opens on no instance and creates no admin",
  async (a, b) => {
    const link = pathOf(a.setupUrl);
    const lifetimes = await a.db.sql<{ minutes: number }[]>`
    SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM setup_links`;
    equal(lifetimes.length, 2);
    ok(lifetimes.every((row) => row.minutes === SETUP_LINK_MINUTES), JSON.stringify(lifetimes));
    equal(await open(b.url, link), 200);

    await a.db.sql`UPDATE setup_links SET expires_at = now() - interval '1 second'`;
    equal(await open(a.url, link), 404);
    equal(await open(b.url, link), 404);
    equal(await redeem(b.url, link, "late@example.com"), 404);
    equal((await a.db.sql`SELECT 1 FROM users`).length, 0);
  },
);
