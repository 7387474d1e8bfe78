/**
 * Cancelling an import over the API: a running import stops after its current batch and keeps what
 * it committed; a queued one never starts; a finished one or a delete-all cannot be cancelled; and a
 * cancelled job is never resumed, whichever instance asked and even if its own instance died.
 */
import { equal, match, ok } from "node:assert/strict";
import type { Sql } from "../../core/platform/mod.ts";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { committedAtLeast, exitAfter, withTwoServers } from "../helpers/server_process.ts";
import { apiJson, appTest, importCsv, readProgress, uploadCsv, waitUntil } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";

/** Small batches, so a generated file of 150,000 rows takes many commits: time to cancel mid-way. */
const SLOW = { IMPORT_BATCH_SIZE: "500" };
const fixture = productsFixture(150_000);

async function productCount(sql: Sql): Promise<number> {
  const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM products`;
  return count;
}

/** The files in an upload folder (none if it was never created). */
function uploadFiles(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

appTest(
  "a running import cancelled over the API stops after its batch and keeps what it committed",
  async (app) => {
    const upload = await uploadCsv(app, fixture.csv, "long.csv");
    equal(upload.status, 202);
    const taskId = upload.body.task_id as string;
    await committedAtLeast(app.db.sql, taskId, 2_000);

    const cancel = await apiJson(app, "POST", `/api/imports/${taskId}/cancel`);
    ok(cancel.status === 202 || cancel.status === 200, JSON.stringify(cancel.body));
    if (cancel.status === 202) {
      equal(cancel.body.status, "processing");
      equal(cancel.body.cancelling, true, "the answer says the import is stopping");
    }

    const events = await readProgress(app, taskId, 30_000);
    const final = events.at(-1)!;
    equal(final.status, "cancelled", final.message);
    ok(final.current > 0 && final.current < fixture.rows, `stopped mid-way at ${final.current} rows`);
    match(final.message, new RegExp(`^Cancelled after ${final.current.toLocaleString("en-US")} rows`));
    // Every committed row stays: one product per new SKU counted, and the counts add up.
    equal(await productCount(app.db.sql), final.inserted);
    equal(final.inserted + final.updated + final.unchanged + final.duplicates + final.failed, final.current);

    // Asking again is harmless; the job stays as it ended and is never picked up again.
    const again = await apiJson(app, "POST", `/api/imports/${taskId}/cancel`);
    equal(again.status, 200);
    equal(again.body.status, "cancelled");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const job = await apiJson(app, "GET", `/api/imports/${taskId}`);
    equal(job.body.status, "cancelled");
    equal(job.body.rows, final.current);
    equal(job.body.cancelling, false);
    equal(await productCount(app.db.sql), final.inserted);
    equal((uploadFiles(app.config.uploadDir)).length, 0, "the cancelled job's file is removed");
  },
  SLOW,
);

appTest("a queued import cancelled over the API never starts; the one running goes on", async (app) => {
  const first = await uploadCsv(app, fixture.csv, "first.csv");
  const second = await uploadCsv(app, "name,sku\nNever imported,never-1\n", "second.csv");
  equal(second.status, 202);
  const secondId = second.body.task_id as string;
  const queued = await apiJson(app, "GET", `/api/imports/${secondId}`);
  equal(queued.body.status, "queued", "jobs run one at a time, so the second waits");

  const cancel = await apiJson(app, "POST", `/api/imports/${secondId}/cancel`);
  equal(cancel.status, 200, JSON.stringify(cancel.body));
  equal(cancel.body.status, "cancelled");
  match(cancel.body.message, /Cancelled before it started; nothing was imported/);

  // The first import is stopped too (to end the test quickly); the second still never ran.
  await apiJson(app, "POST", `/api/imports/${first.body.task_id}/cancel`);
  await readProgress(app, first.body.task_id as string, 30_000);
  const after = await apiJson(app, "GET", `/api/imports/${secondId}`);
  equal(after.body.status, "cancelled");
  equal(after.body.rows, 0);
  equal(after.body.started_at, null, "it was never claimed");
  const [{ count }] = await app.db
    .sql`SELECT count(*)::int AS count FROM products WHERE lower(sku) = 'never-1'`;
  equal(count, 0);
}, SLOW);

appTest(
  "each cancelled import, queued or running, sends one import.cancelled event with what it committed",
  async (app) => {
    const receiver = startReceiver();
    try {
      const hook = await apiJson(app, "POST", "/api/webhooks", {
        url: `${receiver.url}/imports`,
        event_types: ["import.cancelled"],
      });
      equal(hook.status, 201, JSON.stringify(hook.body));
      const running = await uploadCsv(app, fixture.csv, "running.csv");
      const queued = await uploadCsv(app, "name,sku\nNever imported,never-1\n", "queued.csv");
      await committedAtLeast(app.db.sql, running.body.task_id as string, 2_000);
      equal((await apiJson(app, "POST", `/api/imports/${queued.body.task_id}/cancel`)).status, 200);
      await apiJson(app, "POST", `/api/imports/${running.body.task_id}/cancel`);
      const final = (await readProgress(app, running.body.task_id as string, 30_000)).at(-1)!;
      equal(final.status, "cancelled", final.message);

      const received = (await receiver.waitFor("/imports", 2)).map((request) => JSON.parse(request.body));
      // Asking again sends nothing more.
      await apiJson(app, "POST", `/api/imports/${queued.body.task_id}/cancel`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      equal(receiver.on("/imports").length, 2, "one event per cancelled import");
      equal(received.every((event) => event.type === "import.cancelled"), true);
      const byTask = new Map(received.map((event) => [event.data.task_id, event.data]));
      const queuedEvent = byTask.get(queued.body.task_id)!;
      equal(queuedEvent.status, "cancelled");
      equal(queuedEvent.rows, 0);
      const runningEvent = byTask.get(running.body.task_id)!;
      equal(runningEvent.status, "cancelled");
      equal(runningEvent.rows, final.current);
      equal(runningEvent.inserted, final.inserted);
    } finally {
      await receiver.close();
    }
  },
  { ...SLOW, WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest(
  "a finished import, a delete-all and an unknown id cannot be cancelled, each with its reason",
  async (app) => {
    const done = await importCsv(app, "name,sku\nA,a-1\n");
    equal(done.final.status, "complete");
    const finished = await apiJson(app, "POST", `/api/imports/${done.final.task_id}/cancel`);
    equal(finished.status, 409);
    match(finished.body.error.message, /already finished; there is nothing to cancel/);

    const deleteAll = await apiJson(app, "DELETE", "/api/products/bulk");
    equal(deleteAll.status, 202);
    const refused = await apiJson(app, "POST", `/api/imports/${deleteAll.body.task_id}/cancel`);
    equal(refused.status, 409);
    match(refused.body.error.message, /A delete-all cannot be cancelled/);

    const unknown = await apiJson(app, "POST", `/api/imports/${crypto.randomUUID()}/cancel`);
    equal(unknown.status, 404);
    const notAnId = await apiJson(app, "POST", "/api/imports/nope/cancel");
    equal(notAnId.status, 404);
  },
);

appTest(
  "the first failed rows are listed over the API with line and reason; the CSV keeps them all",
  async (app) => {
    const lines = ["name,sku,price"];
    for (let i = 0; i < 30; i++) lines.push(`Bad ${i},bad-${i},not-a-price`);
    lines.push("Good,good-1,1.50");
    const { final } = await importCsv(app, lines.join("\n") + "\n");
    equal(final.status, "complete");
    equal(final.failed, 30);
    const listed = await apiJson(app, "GET", `/api/imports/${final.task_id}/errors?limit=5`);
    equal(listed.status, 200);
    equal(listed.body.total, 30);
    equal(listed.body.items.length, 5);
    equal(listed.body.items[0].line, 2);
    match(listed.body.items[0].message, /price "not-a-price" is not a valid price/);
    equal(listed.body.csv_url, `/api/imports/${final.task_id}/errors.csv`);
    const tooMany = await apiJson(app, "GET", `/api/imports/${final.task_id}/errors?limit=500`);
    equal(tooMany.status, 400);
    match(JSON.stringify(tooMany.body), /limit must be at most 100/);
  },
);

Deno.test({
  name:
    "a cancel asked on instance B stops the import running on A; a cancel asked while A is dead is not resumed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTwoServers(
      "importer-cancel-",
      { IMPORT_BATCH_SIZE: "500", JOB_LEASE_SECONDS: "1" },
      async ({ sql, a, b }) => {
        const [firstA] = await Promise.all([a.start(), b.start()]);

        // Live: asked on B, stopped by A (the instance holding the file) after its current batch.
        const live = await uploadCsv(a.api, fixture.csv);
        const liveId = live.body.task_id as string;
        await committedAtLeast(sql, liveId, 2_000);
        const asked = await apiJson(b.api, "POST", `/api/imports/${liveId}/cancel`);
        equal(asked.status, 202, JSON.stringify(asked.body));
        const final = (await readProgress(b.api, liveId, 30_000)).at(-1)!;
        equal(final.status, "cancelled", final.message);
        ok(final.current < fixture.rows);

        // Dead: A is killed mid-import, the cancel is asked on B, A restarts — and must not resume it.
        const orphan = await uploadCsv(a.api, fixture.csv);
        const orphanId = orphan.body.task_id as string;
        await committedAtLeast(sql, orphanId, 2_000);
        await exitAfter(firstA, "SIGKILL");
        const [killed] = await sql`SELECT rows_done, attempts FROM import_jobs WHERE id = ${orphanId}`;
        const askedDead = await apiJson(b.api, "POST", `/api/imports/${orphanId}/cancel`);
        equal(askedDead.status, 202, JSON.stringify(askedDead.body));
        // Past the lease: B's sweep may end it (B cannot run it: the file is on A's volume).
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        await a.start(); // same data folder, same instance id, same file
        const ended = await waitUntil("the orphaned import to end cancelled", async () => {
          const [job] = await sql`SELECT status, rows_done, attempts FROM import_jobs WHERE id = ${orphanId}`;
          return job.status === "cancelled" ? job : null;
        }, 30_000);
        equal(ended.rows_done, killed.rows_done, "not a row more after the cancel: it was not resumed");
        equal(ended.attempts, killed.attempts, "never claimed again");
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const [still] = await sql`SELECT status, rows_done FROM import_jobs WHERE id = ${orphanId}`;
        equal(still.status, "cancelled");
        equal(still.rows_done, killed.rows_done);
        await waitUntil(
          "A to remove the cancelled jobs' files",
          () => Promise.resolve(uploadFiles(`${a.dataDir}/uploads`).length === 0),
        );
      },
    );
  },
});
