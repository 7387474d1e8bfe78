/** Test fixtures: a real PostgreSQL database per test file and the real app serving HTTP on it. */
import postgres from "postgres";
import type { ProgressEvent } from "../../core/imports/mod.ts";
import { type Config, connectDatabase, loadConfig, type Sql } from "../../core/platform/mod.ts";
import { type RunningServer, startServer } from "../../main.ts";

/** The server PostgreSQL tests use; CI starts it if it is down. */
export const ADMIN_DATABASE_URL = Deno.env.get("TEST_DATABASE_ADMIN_URL") ??
  "postgres://postgres@127.0.0.1:5432/postgres";

/** A freshly created, uniquely named database, dropped by `drop()`. */
export interface TestDatabase {
  name: string;
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = connectDatabase(url.href, { max: 2 });
  return {
    name,
    url: url.href,
    sql,
    async drop() {
      await sql.end();
      const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A running app, its database and its data folder. */
export interface TestApp extends RunningServer {
  db: TestDatabase;
  config: Config;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the real app on a free port against a new database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "importer-test-" });
  const config = loadConfig({ PORT: "0", DATABASE_URL: db.url, DATA_DIR: dataDir, ...env });
  const server = await startServer(config);
  return {
    ...server,
    db,
    config,
    dataDir,
    async stop() {
      await server.shutdown();
      await db.drop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A parsed SSE event from `/api/progress/{id}`. */
export type ProgressEventJson = ProgressEvent;

/** Reads an SSE progress stream to its end (it closes after `complete` or `error`). */
export async function readProgress(baseUrl: string, taskId: string): Promise<ProgressEventJson[]> {
  const response = await fetch(`${baseUrl}/api/progress/${taskId}`);
  if (response.status !== 200) {
    throw new Error(`progress answered ${response.status}: ${await response.text()}`);
  }
  const events: ProgressEventJson[] = [];
  const text = await response.text();
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) =>
      line.slice(5).trim()
    );
    if (data.length > 0) events.push(JSON.parse(data.join("\n")));
  }
  return events;
}

/** Uploads CSV text as multipart field `file` and returns the parsed JSON answer and status. */
export async function uploadCsv(
  baseUrl: string,
  content: string | Uint8Array,
  fileName = "products.csv",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  form.append("file", new Blob([bytes as BlobPart], { type: "text/csv" }), fileName);
  const response = await fetch(`${baseUrl}/api/upload`, { method: "POST", body: form });
  return { status: response.status, body: await response.json() };
}

/** Uploads a CSV and waits for its import to end; returns the final event and the job JSON. */
export async function importCsv(
  baseUrl: string,
  content: string | Uint8Array,
  fileName?: string,
): Promise<{ final: ProgressEventJson; events: ProgressEventJson[]; job: Record<string, unknown> }> {
  const upload = await uploadCsv(baseUrl, content, fileName);
  if (upload.status !== 202) {
    throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
  }
  const taskId = upload.body.task_id as string;
  const events = await readProgress(baseUrl, taskId);
  const job = await (await fetch(`${baseUrl}/api/imports/${taskId}`)).json();
  return { final: events[events.length - 1], events, job };
}

/** Products as stored, ordered by SKU (case-insensitive). */
export async function storedProducts(sql: Sql) {
  const rows = await sql<
    { sku: string; name: string; description: string | null; price: string | null; active: boolean }[]
  >`SELECT sku, name, description, price, active FROM products ORDER BY lower(sku)`;
  return [...rows];
}

/** Declares a test that gets a fresh app and database, stopped afterwards even on failure. */
export function appTest(
  name: string,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
): void {
  Deno.test({
    name,
    // The app keeps pools, workers and a KV listener alive between requests by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const app = await startTestApp(env);
      try {
        await fn(app);
      } finally {
        await app.stop();
      }
    },
  });
}

/** Calls a JSON API route (a JSON body if given) and returns the status and the parsed answer. */
export async function apiJson(app: { url: string }, method: string, path: string, body?: unknown) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Polls `probe` every 50 ms until it returns something truthy, or throws after `ms`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
