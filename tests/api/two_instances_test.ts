/**
 * Two app processes on one database, each with its own data folder, as Fly runs several machines
 * with their own volumes: an import runs on the instance that holds its file, exactly once, its
 * progress reaches followers on the other instance live, and it survives kill -9 and SIGTERM.
 */
import { equal, ok } from "node:assert/strict";
import type { Sql } from "../../core/platform/mod.ts";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { committedAtLeast, exitAfter, withTwoServers } from "../helpers/server_process.ts";
import { apiJson, readProgress, uploadCsv } from "../helpers/test_app.ts";

/** Small batches, so even a small file commits in many steps; a short lease, so takeovers are quick. */
const ENV = { IMPORT_BATCH_SIZE: "500", JOB_LEASE_SECONDS: "1", WEBHOOK_ALLOW_PRIVATE: "true" };
/** How long an import in these tests may take, start to `complete`, on a loaded 2-core machine. */
const IMPORT_TIMEOUT_MS = 60_000;

/** `rows` products whose SKUs start with `prefix`, so several files never share a product. */
function prefixedCsv(prefix: string, rows: number): string {
  const lines = ["name,sku"];
  for (let i = 0; i < rows; i++) lines.push(`Item ${i},${prefix}-${i}`);
  return lines.join("\n") + "\n";
}

async function productCount(sql: Sql): Promise<number> {
  const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM products`;
  return count;
}

Deno.test({
  name: "an import uploaded to instance A streams its batches live to a follower on instance B",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTwoServers("importer-two-live-", ENV, async ({ sql, a, b }) => {
      await Promise.all([a.start(), b.start()]);
      const fixture = productsFixture(20_000);
      const upload = await uploadCsv(a.api, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;

      const events = await readProgress(b.api, taskId, IMPORT_TIMEOUT_MS);
      const final = events.at(-1)!;
      equal(final.status, "complete", final.message);
      equal(final.current, fixture.rows);
      const live = new Set(
        events.filter((event) => event.status === "processing").map((event) => event.current),
      );
      // Polling (every 10 s) would show one or two; the notifications show the batches as they commit.
      ok(
        live.size >= 5,
        `B saw ${live.size} distinct progress events before complete: ${[...live].join(", ")}`,
      );
      const currents = events.map((event) => event.current);
      ok(currents.every((current, i) => i === 0 || current >= currents[i - 1]), "progress never goes back");

      const [job] =
        await sql`SELECT owner_instance, claimed_by, attempts FROM import_jobs WHERE id = ${taskId}`;
      equal(job.owner_instance, await a.instanceId(), "the job belongs to the instance holding its file");
      equal(job.claimed_by, await a.instanceId(), "and ran there");
      equal(job.attempts, 1);
      equal(await productCount(sql), fixture.expectedNames.size);
    });
  },
});

Deno.test({
  name: "imports submitted to both instances at once each run exactly once, on the instance holding the file",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTwoServers("importer-two-once-", ENV, async ({ sql, a, b }) => {
      await Promise.all([a.start(), b.start()]);
      // Each import.completed event becomes one delivery row: a second completion would show.
      const hook = await apiJson(a.api, "POST", "/api/webhooks", {
        url: "http://127.0.0.1:9/",
        event_type: "import.completed",
      });
      equal(hook.status, 201, JSON.stringify(hook.body));
      const rows = 2_000;
      const files = Array.from({ length: 6 }, (_, i) => ({
        via: i % 2 === 0 ? a : b,
        csv: prefixedCsv(`F${i}`, rows),
      }));
      const uploads = await Promise.all(
        files.map((file, i) => uploadCsv(file.via.api, file.csv, `file-${i}.csv`)),
      );
      for (const upload of uploads) equal(upload.status, 202, JSON.stringify(upload.body));
      const taskIds = uploads.map((upload) => upload.body.task_id as string);

      // Each job is followed on the instance that did not receive it.
      const finals = await Promise.all(
        taskIds.map(async (taskId, i) =>
          (await readProgress((files[i].via === a ? b : a).api, taskId, IMPORT_TIMEOUT_MS)).at(-1)!
        ),
      );
      for (const final of finals) {
        equal(final.status, "complete", final.message);
        equal(final.current, rows);
      }
      const ids = { a: await a.instanceId(), b: await b.instanceId() };
      for (const [i, taskId] of taskIds.entries()) {
        const [job] = await sql`SELECT * FROM import_jobs WHERE id = ${taskId}`;
        equal(job.status, "complete");
        equal(job.attempts, 1, "claimed once");
        equal(job.inserted, rows, "every row inserted once");
        const receiver = files[i].via === a ? ids.a : ids.b;
        equal(job.owner_instance, receiver);
        equal(job.claimed_by, receiver, "run by the instance that received the file");
        const [{ count }] = await sql<{ count: number }[]>`
          SELECT count(*)::int AS count FROM webhook_deliveries
          WHERE event_type = 'import.completed' AND strpos(body, ${taskId}) > 0`;
        equal(count, 1, `job ${taskId} completed exactly once`);
      }
      equal(await productCount(sql), files.length * rows);
    });
  },
});

Deno.test({
  name: "kill -9 of the instance running an import: the other leaves it alone, and its restart finishes it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTwoServers("importer-two-kill-", ENV, async ({ sql, a, b }) => {
      const [firstA] = await Promise.all([a.start(), b.start()]);
      const fixture = productsFixture(80_000);
      const upload = await uploadCsv(a.api, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;
      await committedAtLeast(sql, taskId, 8_000);
      await exitAfter(firstA, "SIGKILL");

      // Well past the 1 s lease and several of B's sweeps: B must not claim a file it does not have.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const [waiting] = await sql`SELECT status, attempts, rows_done FROM import_jobs WHERE id = ${taskId}`;
      equal(waiting.status, "processing", "the job waits for the instance that holds its file");
      equal(waiting.attempts, 1, "no other instance claimed it");
      ok(waiting.rows_done < fixture.rows, "killed before the end");

      await a.start(); // the same data folder: the same instance id and the same uploaded file
      const final = (await readProgress(b.api, taskId, IMPORT_TIMEOUT_MS)).at(-1)!;
      equal(final.status, "complete", final.message);
      const [job] = await sql`SELECT * FROM import_jobs WHERE id = ${taskId}`;
      equal(job.attempts, 2, "claimed once, resumed once");
      equal(job.rows_done, fixture.rows);
      equal(job.inserted, fixture.expectedNames.size, "counts are not doubled by the resume");
      equal(job.inserted + job.updated + job.unchanged + job.duplicates + job.failed, fixture.rows);
      equal(await productCount(sql), fixture.expectedNames.size, "one product per distinct SKU");
      const stored = await sql<{ key: string; name: string }[]>`SELECT lower(sku) AS key, name FROM products`;
      equal(stored.filter(({ key, name }) => fixture.expectedNames.get(key) !== name).length, 0);
    });
  },
});

Deno.test({
  name:
    "SIGTERM to both instances mid-import: both exit 0 within seconds, and after restarts the job completes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTwoServers("importer-two-term-", ENV, async ({ sql, a, b }) => {
      const [firstA, firstB] = await Promise.all([a.start(), b.start()]);
      const fixture = productsFixture(80_000);
      const upload = await uploadCsv(a.api, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;
      await committedAtLeast(sql, taskId, 8_000);
      // A progress page open on B must not keep B from stopping: its stream ends, the browser reconnects.
      const following = readProgress(b.api, taskId, IMPORT_TIMEOUT_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));

      const stopping = performance.now();
      const statuses = await Promise.all([exitAfter(firstA, "SIGTERM"), exitAfter(firstB, "SIGTERM")]);
      const took = performance.now() - stopping;
      ok(took < 6_000, `both stopped within 6 s (took ${Math.round(took)} ms)`);
      equal(statuses[0].code, 0, "A exits 0");
      equal(statuses[1].code, 0, "B exits 0");
      const cutShort = await following;
      ok(cutShort.length > 0, "the follower on B got events before B stopped");
      ok(cutShort.every((event) => event.status !== "complete"), "its stream ended without a complete event");
      const [stopped] = await sql`SELECT status, attempts, rows_done FROM import_jobs WHERE id = ${taskId}`;
      equal(stopped.status, "queued", "the job was handed back to the queue");
      equal(stopped.attempts, 0, "a deploy's stop is not a failed attempt");
      ok(stopped.rows_done < fixture.rows, "stopped before the end");

      await Promise.all([a.start(), b.start()]);
      const final = (await readProgress(b.api, taskId, IMPORT_TIMEOUT_MS)).at(-1)!;
      equal(final.status, "complete", final.message);
      const [job] = await sql`SELECT * FROM import_jobs WHERE id = ${taskId}`;
      equal(job.attempts, 1);
      equal(job.rows_done, fixture.rows);
      equal(job.inserted, fixture.expectedNames.size, "nothing counted twice");
      equal(await productCount(sql), fixture.expectedNames.size, "nothing lost");
    });
  },
});
