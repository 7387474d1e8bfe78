/** Test fixtures: a real PostgreSQL database per test file and the real app serving HTTP on it. */
import postgres from "postgres";
import type { ProgressEvent } from "../../core/imports/mod.ts";
import { createApiToken } from "../../core/accounts/mod.ts";
import {
  type Config,
  connectDatabase,
  loadConfig,
  type LogSink,
  migrate,
  queryBuilder,
  type Sql,
} from "../../core/platform/mod.ts";
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

/** How long one helper request (or admin statement) may take before the test fails instead of hanging. */
export const REQUEST_TIMEOUT_MS = 30_000;

function adminConnection() {
  return postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
}

/** Creates an empty database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = adminConnection();
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = connectDatabase(url.href, { max: 2 });
  return {
    name,
    url: url.href,
    sql,
    async drop() {
      // The pool may already be broken (a test that dropped the database itself); drop anyway.
      await sql.end({ timeout: 5 }).catch(() => {});
      const admin = adminConnection();
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Runs every cleanup step even when one fails, so a failed step never leaks what the later ones
 * release. With `original` (the error the test already failed with) cleanup failures are only
 * logged, never thrown over it; otherwise the first one is thrown after all steps ran.
 */
export async function cleanUp(
  steps: [what: string, step: () => Promise<unknown> | unknown][],
  original?: unknown,
): Promise<void> {
  const failures: Error[] = [];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(
        new Error(`cleanup step "${what}" failed: ${(error as Error)?.message ?? error}`, {
          cause: error,
        }),
      );
    }
  }
  if (failures.length === 0) return;
  if (original !== undefined) {
    for (const failure of failures) console.error(`${failure.message} (after the test had failed)`);
    return;
  }
  throw failures[0];
}

/**
 * Runs `fn`, then `steps` once whatever happened; the test's own error wins over cleanup errors.
 */
export async function withCleanup<T>(
  fn: () => Promise<T>,
  steps: () => [string, () => Promise<unknown> | unknown][],
): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await cleanUp(steps(), error);
    throw error;
  }
  await cleanUp(steps());
  return result;
}

/** Runs `fn` on a new database with every migration applied, dropped afterwards even on failure. */
export async function withMigratedDatabase(fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  try {
    await migrate(database.sql);
    await fn(database);
  } finally {
    await database.drop();
  }
}

/** Where a script calls the API, and the token it signs its requests with. */
export interface ApiTarget {
  url: string;
  token: string;
}

/** The header a script sends with every API call. */
export function authHeaders(target: ApiTarget): Record<string, string> {
  return { authorization: `Bearer ${target.token}` };
}

/** The admin every test app is started with (ADMIN_EMAIL / ADMIN_PASSWORD), for tests that sign in. */
export const TEST_ADMIN = { email: "admin@example.com", password: "test admin password" };

/** Creates a write token the way `deno task token` does, for an app on this database. */
export async function createTestToken(sql: Sql, scope: "read" | "write" = "write"): Promise<string> {
  return (await createApiToken(queryBuilder(sql), { name: `tests (${scope})`, scope, createdBy: null }))
    .token;
}

/** A running app, its database and its data folder, and a write token for its API. */
export interface TestApp extends RunningServer, ApiTarget {
  db: TestDatabase;
  config: Config;
  dataDir: string;
  /** `fetch` of a path on the app, signed with the test token. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The log of test apps unless a test captures it: request lines are dropped (every test makes many),
 * error lines go to stderr, where a failing test's output shows them.
 */
function errorsToStderr(line: string): void {
  if ((JSON.parse(line) as { level?: string }).level !== "info") console.error(line);
}

/** Options of {@linkcode startTestApp}. */
export interface TestAppOptions {
  /** Receives the app's JSON log lines instead of the default (errors to stderr). */
  logSink?: LogSink;
}

/** Starts the real app on a free port against a new database. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "importer-test-" });
  const config = loadConfig({
    PORT: "0",
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ...env,
  });
  let server: RunningServer;
  try {
    server = await startServer(config, { logSink: options.logSink ?? errorsToStderr });
  } catch (error) {
    await cleanUp([
      ["drop the database", () => db.drop()],
      ["remove the data folder", () => Deno.remove(dataDir, { recursive: true })],
    ], error);
    throw new Error(`the test app did not start: ${(error as Error)?.message ?? error}`, { cause: error });
  }
  const token = await createTestToken(db.sql);
  return {
    ...server,
    token,
    db,
    config,
    dataDir,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
      return fetchWithDeadline(`${server.url}${path}`, { ...init, headers });
    },
    async stop() {
      await cleanUp([
        ["shut the server down", () => server.shutdown()],
        ["drop the database", () => db.drop()],
        ["remove the data folder", () => Deno.remove(dataDir, { recursive: true })],
      ]);
    },
  };
}

/** A parsed SSE event from `/api/progress/{id}`. */
export type ProgressEventJson = ProgressEvent;

/** How long `readProgress` waits for a task's stream to end unless told otherwise. */
export const PROGRESS_TIMEOUT_MS = 60_000;

/**
 * Reads an SSE progress stream to its end (it closes after `complete` or `error`). Fails after
 * `timeoutMs` with the task id and the last event seen, instead of hanging on a stuck task.
 */
export async function readProgress(
  target: ApiTarget,
  taskId: string,
  timeoutMs = PROGRESS_TIMEOUT_MS,
): Promise<ProgressEventJson[]> {
  const signal = AbortSignal.timeout(timeoutMs);
  const events: ProgressEventJson[] = [];
  const stuck = (cause: unknown) =>
    new Error(
      `the progress stream of task ${taskId} did not end within ${timeoutMs} ms; last event seen: ${
        events.length ? JSON.stringify(events.at(-1)) : "none"
      }`,
      { cause },
    );
  let response: Response;
  try {
    response = await fetch(`${target.url}/api/progress/${taskId}`, { signal, headers: authHeaders(target) });
  } catch (error) {
    throw signal.aborted ? stuck(error) : error;
  }
  if (response.status !== 200) {
    throw new Error(`progress of task ${taskId} answered ${response.status}: ${await response.text()}`);
  }
  const decoder = new TextDecoder();
  let buffered = "";
  const takeEvents = () => {
    let end: number;
    while ((end = buffered.indexOf("\n\n")) !== -1) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) =>
        line.slice(5).trim()
      );
      if (data.length > 0) events.push(JSON.parse(data.join("\n")));
    }
  };
  try {
    for await (const chunk of response.body!) {
      buffered += decoder.decode(chunk, { stream: true });
      takeEvents();
    }
  } catch (error) {
    throw signal.aborted ? stuck(error) : error;
  }
  buffered += decoder.decode() + "\n\n";
  takeEvents();
  return events;
}

/** `fetch` that gives up after `REQUEST_TIMEOUT_MS` with a message naming the request. */
export async function fetchWithDeadline(
  url: string,
  init: RequestInit = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await fetch(url, { ...init, signal });
  } catch (error) {
    if (!signal.aborted) throw error;
    throw new Error(`${init.method ?? "GET"} ${url} got no answer within ${timeoutMs} ms`, { cause: error });
  }
}

/** Reads a response body as text, failing after `timeoutMs` instead of waiting for a body that never ends. */
export async function readBody(response: Response, timeoutMs = REQUEST_TIMEOUT_MS): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      response.body?.cancel().catch(() => {});
      reject(new Error(`the body of ${response.url} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([response.text(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Uploads CSV text as multipart field `file` and returns the parsed JSON answer and status. */
export async function uploadCsv(
  target: ApiTarget,
  content: string | Uint8Array,
  fileName = "products.csv",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  form.append("file", new Blob([bytes as BlobPart], { type: "text/csv" }), fileName);
  const response = await fetchWithDeadline(`${target.url}/api/upload`, {
    method: "POST",
    body: form,
    headers: authHeaders(target),
  });
  return { status: response.status, body: JSON.parse(await readBody(response)) };
}

/** Uploads a CSV and waits for its import to end; returns the final event and the job JSON. */
export async function importCsv(
  target: ApiTarget,
  content: string | Uint8Array,
  fileName?: string,
  timeoutMs = PROGRESS_TIMEOUT_MS,
): Promise<{ final: ProgressEventJson; events: ProgressEventJson[]; job: Record<string, unknown> }> {
  const upload = await uploadCsv(target, content, fileName);
  if (upload.status !== 202) {
    throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
  }
  const taskId = upload.body.task_id as string;
  const events = await readProgress(target, taskId, timeoutMs);
  const answer = await fetchWithDeadline(`${target.url}/api/imports/${taskId}`, {
    headers: authHeaders(target),
  });
  const job = JSON.parse(await readBody(answer));
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
      await withCleanup(() => fn(app), () => [["stop the app", () => app.stop()]]);
    },
  });
}

/** Calls a JSON API route (a JSON body if given) and returns the status and the parsed answer. */
export async function apiJson(app: ApiTarget, method: string, path: string, body?: unknown) {
  const response = await fetchWithDeadline(`${app.url}${path}`, {
    method,
    headers: { ...authHeaders(app), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await readBody(response);
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new Error(
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
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
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** A browser's session as a script sees it: its cookie and the CSRF token its forms carry. */
export interface BrowserSession {
  csrfToken: string;
  /** The session cookie as the browser sends it (`name=value`). */
  cookie: string;
  /** `fetch` of a path on the app with the session cookie and the app's own `Origin`, as a browser sends them. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** Signs in through `POST /login` as the test admin (or `credentials`), as a browser without JavaScript does. */
export async function signIn(
  app: { url: string },
  credentials: { email: string; password: string } = TEST_ADMIN,
): Promise<BrowserSession> {
  const login = await fetchWithDeadline(`${app.url}/login`, {
    method: "POST",
    headers: { origin: app.url },
    body: new URLSearchParams({ ...credentials, next: "/" }),
    redirect: "manual",
  });
  await login.body?.cancel();
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (login.status !== 303 || !cookie) {
    throw new Error(`signing in answered ${login.status}, no session cookie`);
  }
  const fetchAs = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", cookie);
    if (!headers.has("origin") && !headers.has("sec-fetch-site")) headers.set("origin", app.url);
    return fetchWithDeadline(`${app.url}${path}`, { ...init, headers });
  };
  const home = await readBody(await fetchAs("/"));
  const csrfToken = home.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1];
  if (!csrfToken) throw new Error("the signed-in page carries no CSRF token");
  return { csrfToken, cookie, fetch: fetchAs };
}
