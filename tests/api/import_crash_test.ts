import { equal, ok } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { committedAtLeast, withCrashableServer } from "../helpers/server_process.ts";
import { readProgress, uploadCsv } from "../helpers/test_app.ts";

/** How long the resumed import may take to finish (the whole file on a loaded 2-core machine). */
const RESUME_TIMEOUT_MS = 120_000;

Deno.test({
  name: "a server killed mid-import resumes after the last committed batch: nothing lost or duplicated",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const fixture = productsFixture(200_000);
    const extraEnv = { JOB_LEASE_SECONDS: "1", IMPORT_BATCH_SIZE: "1000" };
    await withCrashableServer("importer-crash-", extraEnv, async ({ sql, api, start }) => {
      const first = await start();
      const upload = await uploadCsv(api, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;

      // Wait until some batches are committed, then kill the server without warning.
      await committedAtLeast(sql, taskId, 20_000);
      await first.kill("SIGKILL");
      const [stuck] = await sql`SELECT status, rows_done FROM import_jobs WHERE id = ${taskId}`;
      equal(stuck.status, "processing");
      ok(stuck.rows_done < fixture.rows, "killed before the end");

      await start();
      const events = await readProgress(api, taskId, RESUME_TIMEOUT_MS);
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
  name: "SIGTERM mid-import stops the server at once, hands the job back, and the next start finishes it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const fixture = productsFixture(200_000);
    await withCrashableServer(
      "importer-sigterm-",
      { JOB_LEASE_SECONDS: "1" },
      async ({ sql, api, start }) => {
        const first = await start();
        const upload = await uploadCsv(api, fixture.csv);
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
        const [stopped] = await sql`SELECT status, rows_done, attempts FROM import_jobs WHERE id = ${taskId}`;
        equal(stopped.status, "queued", "the stopping server hands the job back to the queue");
        equal(stopped.attempts, 0, "a deploy's stop does not count as a failed attempt");
        ok(stopped.rows_done < fixture.rows, "stopped before the end");

        await start();
        const final = (await readProgress(api, taskId, RESUME_TIMEOUT_MS)).at(-1)!;
        equal(final.status, "complete", final.message);
        const [{ count }] = await sql`SELECT count(*)::int AS count FROM products`;
        equal(count, fixture.expectedNames.size);
      },
    );
  },
});
