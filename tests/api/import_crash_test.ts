import { equal, ok } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { createTestDatabase, readProgress, uploadCsv } from "../helpers/test_app.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function startServerProcess(env: Record<string, string>): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
      await response.body?.cancel();
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error("the server did not start within 30 s");
}

Deno.test({
  name: "a server killed mid-import resumes after the last committed batch: nothing lost or duplicated",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await createTestDatabase();
    const dataDir = await Deno.makeTempDir({ prefix: "importer-crash-" });
    const port = freePort();
    const env = {
      PORT: String(port),
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      JOB_LEASE_SECONDS: "1",
      IMPORT_BATCH_SIZE: "1000",
    };
    const base = `http://127.0.0.1:${port}`;
    const fixture = productsFixture(200_000);
    let server = await startServerProcess(env);
    try {
      const upload = await uploadCsv(base, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;

      // Wait until some batches are committed, then kill the server without warning.
      let committedBeforeCrash = 0;
      while (committedBeforeCrash < 20_000) {
        const [job] = await db.sql`SELECT rows_done, status FROM import_jobs WHERE id = ${taskId}`;
        ok(job.status !== "complete", "the import finished before the crash; make the file larger");
        committedBeforeCrash = job.rows_done;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      server.kill("SIGKILL");
      await server.status;
      const [stuck] = await db.sql`SELECT status, rows_done FROM import_jobs WHERE id = ${taskId}`;
      equal(stuck.status, "processing");
      ok(stuck.rows_done < fixture.rows, "killed before the end");

      server = await startServerProcess(env);
      const events = await readProgress(base, taskId);
      const final = events.at(-1)!;
      equal(final.status, "complete", final.message);

      const [job] = await db.sql`SELECT * FROM import_jobs WHERE id = ${taskId}`;
      equal(job.attempts, 2, "claimed once, resumed once");
      equal(job.rows_done, fixture.rows);
      const [{ count }] = await db.sql`SELECT count(*)::int AS count FROM products`;
      equal(count, fixture.expectedNames.size, "one product per distinct SKU");
      equal(job.inserted, fixture.expectedNames.size, "counts are not doubled by the resume");
      equal(job.inserted + job.updated + job.unchanged + job.duplicates + job.failed, fixture.rows);

      const stored = await db.sql<
        { key: string; name: string }[]
      >`SELECT lower(sku) AS key, name FROM products`;
      let wrong = 0;
      for (const { key, name } of stored) if (fixture.expectedNames.get(key) !== name) wrong += 1;
      equal(wrong, 0, "every SKU holds the last row's values");
    } finally {
      server.kill("SIGKILL");
      await server.status;
      await db.drop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "SIGTERM mid-import stops the server at once, and the next start finishes the job",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await createTestDatabase();
    const dataDir = await Deno.makeTempDir({ prefix: "importer-sigterm-" });
    const port = freePort();
    const env = { PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir, JOB_LEASE_SECONDS: "1" };
    const base = `http://127.0.0.1:${port}`;
    const fixture = productsFixture(200_000);
    let server = await startServerProcess(env);
    try {
      const upload = await uploadCsv(base, fixture.csv);
      const taskId = upload.body.task_id as string;
      for (let done = 0; done < 10_000;) {
        [{ rows_done: done }] = await db.sql`SELECT rows_done FROM import_jobs WHERE id = ${taskId}`;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stopping = performance.now();
      server.kill("SIGTERM");
      const status = await server.status;
      ok(performance.now() - stopping < 5_000, "a deploy does not wait for the import to finish");
      equal(status.success, true, "a clean exit");
      const [stopped] = await db.sql`SELECT status FROM import_jobs WHERE id = ${taskId}`;
      equal(stopped.status, "processing");

      server = await startServerProcess(env);
      const final = (await readProgress(base, taskId)).at(-1)!;
      equal(final.status, "complete", final.message);
      const [{ count }] = await db.sql`SELECT count(*)::int AS count FROM products`;
      equal(count, fixture.expectedNames.size);
    } finally {
      server.kill("SIGKILL");
      await server.status.catch(() => {});
      await db.drop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
