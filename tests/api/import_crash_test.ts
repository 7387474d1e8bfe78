import { equal, ok } from "node:assert/strict";
import type { Sql } from "../../core/platform/mod.ts";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { createTestDatabase, readProgress, uploadCsv, withCleanup } from "../helpers/test_app.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** How long a server process may take to answer `/healthz` after it was spawned. */
const START_TIMEOUT_MS = 30_000;
/** How long the first batches of a 200,000-row import may take to commit. */
const FIRST_BATCHES_TIMEOUT_MS = 60_000;
/** How long the resumed import may take to finish (the whole file on a loaded 2-core machine). */
const RESUME_TIMEOUT_MS = 120_000;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The app running as a child process (so it can be killed like a real server). */
interface ServerProcess {
  /** Sends `signal` unless the process has already ended; resolves with its exit status. */
  kill(signal: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Ends the process with SIGKILL if it still runs; safe to call any number of times. */
  stop(): Promise<void>;
}

/** Keeps the last few kilobytes a child wrote to stderr (and passes it on), for failure messages. */
function teeStderr(stream: ReadableStream<Uint8Array>): { tail(): string; done: Promise<void> } {
  let tail = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) {
      await Deno.stderr.write(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  })().catch(() => {});
  return { tail: () => tail, done };
}

/** Spawns `main.ts` and waits until `/healthz` answers; fails with the exit code and stderr if it cannot. */
async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = teeStderr(child.stderr);
  let exited: Deno.CommandStatus | null = null;
  const status = child.status.then((status) => (exited = status));
  const server: ServerProcess = {
    async kill(signal) {
      if (exited) return exited;
      try {
        child.kill(signal);
      } catch (error) {
        // It ended between the check and the signal; anything else is a real problem.
        if (!(error instanceof TypeError)) throw error;
      }
      const result = await status;
      await stderr.done;
      return result;
    },
    async stop() {
      await server.kill("SIGKILL");
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (exited) {
      await stderr.done;
      throw new Error(
        `the server process exited with code ${(exited as Deno.CommandStatus).code} before it answered ` +
          `/healthz; its stderr ended with:\n${stderr.tail()}`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${env.PORT}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.ok) return server;
      lastProblem = `/healthz answered ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message; // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(
    `the server did not answer /healthz within ${START_TIMEOUT_MS / 1000} s (last: ${lastProblem}); ` +
      `its stderr ended with:\n${stderr.tail()}`,
  );
}

/** Polls the job until it has committed at least `rows`; fails if it ends first or takes too long. */
async function committedAtLeast(sql: Sql, taskId: string, rows: number): Promise<number> {
  const deadline = Date.now() + FIRST_BATCHES_TIMEOUT_MS;
  let seen = { rows_done: 0, status: "not found" };
  while (Date.now() < deadline) {
    const [job] = await sql<{ rows_done: number; status: string }[]>`
      SELECT rows_done, status FROM import_jobs WHERE id = ${taskId}`;
    if (job) seen = job;
    ok(seen.status !== "complete", "the import finished before the crash; make the file larger");
    ok(seen.status !== "error", `the import failed before the crash (${JSON.stringify(seen)})`);
    if (seen.rows_done >= rows) return seen.rows_done;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `import ${taskId} committed ${seen.rows_done} rows (status ${seen.status}) within ` +
      `${FIRST_BATCHES_TIMEOUT_MS / 1000} s; the test needs ${rows} before it stops the server`,
  );
}

/** Starts a database, a data folder and a free port; `fn` gets them and everything is released once. */
async function withCrashableServer(
  prefix: string,
  extraEnv: Record<string, string>,
  fn: (ctx: {
    sql: Sql;
    env: Record<string, string>;
    base: string;
    start(): Promise<ServerProcess>;
  }) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix });
  const port = freePort();
  const env = { PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir, ...extraEnv };
  const started: ServerProcess[] = [];
  await withCleanup(
    () =>
      fn({
        sql: db.sql,
        env,
        base: `http://127.0.0.1:${port}`,
        async start() {
          const server = await startServerProcess(env);
          started.push(server);
          return server;
        },
      }),
    () => [
      ...started.map((server, i): [string, () => Promise<void>] => [`stop server #${i + 1}`, server.stop]),
      ["drop the database", () => db.drop()],
      ["remove the data folder", () => Deno.remove(dataDir, { recursive: true })],
    ],
  );
}

Deno.test({
  name: "a server killed mid-import resumes after the last committed batch: nothing lost or duplicated",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const fixture = productsFixture(200_000);
    const extraEnv = { JOB_LEASE_SECONDS: "1", IMPORT_BATCH_SIZE: "1000" };
    await withCrashableServer("importer-crash-", extraEnv, async ({ sql, base, start }) => {
      const first = await start();
      const upload = await uploadCsv(base, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;

      // Wait until some batches are committed, then kill the server without warning.
      await committedAtLeast(sql, taskId, 20_000);
      await first.kill("SIGKILL");
      const [stuck] = await sql`SELECT status, rows_done FROM import_jobs WHERE id = ${taskId}`;
      equal(stuck.status, "processing");
      ok(stuck.rows_done < fixture.rows, "killed before the end");

      await start();
      const events = await readProgress(base, taskId, RESUME_TIMEOUT_MS);
      const final = events.at(-1)!;
      equal(final.status, "complete", final.message);

      const [job] = await sql`SELECT * FROM import_jobs WHERE id = ${taskId}`;
      equal(job.attempts, 2, "claimed once, resumed once");
      equal(job.rows_done, fixture.rows);
      const [{ count }] = await sql`SELECT count(*)::int AS count FROM products`;
      equal(count, fixture.expectedNames.size, "one product per distinct SKU");
      equal(job.inserted, fixture.expectedNames.size, "counts are not doubled by the resume");
      equal(job.inserted + job.updated + job.unchanged + job.duplicates + job.failed, fixture.rows);

      const stored = await sql<{ key: string; name: string }[]>`
        SELECT lower(sku) AS key, name FROM products`;
      let wrong = 0;
      for (const { key, name } of stored) if (fixture.expectedNames.get(key) !== name) wrong += 1;
      equal(wrong, 0, "every SKU holds the last row's values");
    });
  },
});

Deno.test({
  name: "SIGTERM mid-import stops the server at once, and the next start finishes the job",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const fixture = productsFixture(200_000);
    await withCrashableServer(
      "importer-sigterm-",
      { JOB_LEASE_SECONDS: "1" },
      async ({ sql, base, start }) => {
        const first = await start();
        const upload = await uploadCsv(base, fixture.csv);
        equal(upload.status, 202);
        const taskId = upload.body.task_id as string;
        await committedAtLeast(sql, taskId, 10_000);

        const stopping = performance.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const status = await Promise.race([
          first.kill("SIGTERM"),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error("the server was still running 30 s after SIGTERM")),
              30_000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        ok(performance.now() - stopping < 5_000, "a deploy does not wait for the import to finish");
        equal(status.success, true, "a clean exit");
        const [stopped] = await sql`SELECT status, rows_done FROM import_jobs WHERE id = ${taskId}`;
        equal(stopped.status, "processing");
        ok(stopped.rows_done < fixture.rows, "stopped before the end");

        await start();
        const final = (await readProgress(base, taskId, RESUME_TIMEOUT_MS)).at(-1)!;
        equal(final.status, "complete", final.message);
        const [{ count }] = await sql`SELECT count(*)::int AS count FROM products`;
        equal(count, fixture.expectedNames.size);
      },
    );
  },
});
