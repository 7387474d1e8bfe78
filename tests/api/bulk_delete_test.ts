import { equal } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { withCrashableServer } from "../helpers/server_process.ts";
import { appTest, authHeaders, readProgress, uploadCsv, waitUntil } from "../helpers/test_app.ts";

appTest("a delete-all waits behind an import submitted before it, so the table ends empty", async (app) => {
  const fixture = productsFixture(20_000);
  const upload = await uploadCsv(app, fixture.csv);
  equal(upload.status, 202);
  const bulk = await app.fetch(`/api/products/bulk`, { method: "DELETE" });
  equal(bulk.status, 202);
  const { task_id: deleteId } = await bulk.json();

  const imported = (await readProgress(app, upload.body.task_id as string)).at(-1)!;
  equal(imported.status, "complete", imported.message);
  const deleted = (await readProgress(app, deleteId)).at(-1)!;
  equal(deleted.status, "complete", deleted.message);
  equal(deleted.current, fixture.expectedNames.size, "it deleted every product the import wrote");
  const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM products`;
  equal(count, 0);
});

Deno.test({
  name: "a delete-all interrupted by a crash deleted nothing, and the next start runs it to the end",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withCrashableServer(
      "importer-bulk-crash-",
      { JOB_LEASE_SECONDS: "1" },
      async ({ sql, api, start }) => {
        const first = await start();
        const seeded = await uploadCsv(api, "sku,name\nA-1,Apple\nB-2,Banana\nC-3,Cherry\n");
        equal((await readProgress(api, seeded.body.task_id as string)).at(-1)!.status, "complete");

        // An open transaction holds the table, so the delete-all is caught mid-way when the server dies.
        const blocker = await sql.reserve();
        try {
          await blocker`BEGIN`;
          await blocker`LOCK TABLE products IN ROW EXCLUSIVE MODE`;
          const started = await fetch(`${api.url}/api/products/bulk`, {
            method: "DELETE",
            headers: authHeaders(api),
          });
          const { task_id: taskId } = await started.json();
          await waitUntil("the delete-all to wait for the table", async () => {
            const [job] = await sql`SELECT message FROM import_jobs WHERE id = ${taskId}`;
            return job.message === "Deleting every product";
          });
          await first.kill("SIGKILL");
          await blocker`ROLLBACK`;

          const [stuck] = await sql`SELECT status FROM import_jobs WHERE id = ${taskId}`;
          equal(stuck.status, "processing");
          const [{ count: left }] = await sql`SELECT count(*)::int AS count FROM products`;
          equal(left, 3, "nothing was deleted by the interrupted run");

          await start();
          const final = (await readProgress(api, taskId)).at(-1)!;
          equal(final.status, "complete", final.message);
          equal(final.current, 3);
          const [job] = await sql`SELECT attempts FROM import_jobs WHERE id = ${taskId}`;
          equal(job.attempts, 2, "claimed once, resumed once");
          const [{ count }] = await sql`SELECT count(*)::int AS count FROM products`;
          equal(count, 0);
        } finally {
          blocker.release();
        }
      },
    );
  },
});
