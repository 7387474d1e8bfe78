import { equal } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { freePort, type ServerProcess, startServerProcess } from "../helpers/server_process.ts";
import { appTest, createTestDatabase, readProgress, uploadCsv, waitUntil } from "../helpers/test_app.ts";

appTest("a delete-all waits behind an import submitted before it, so the table ends empty", async (app) => {
  const fixture = productsFixture(20_000);
  const upload = await uploadCsv(app.url, fixture.csv);
  equal(upload.status, 202);
  const bulk = await fetch(`${app.url}/api/products/bulk`, { method: "DELETE" });
  equal(bulk.status, 202);
  const { task_id: deleteId } = await bulk.json();

  const imported = (await readProgress(app.url, upload.body.task_id as string)).at(-1)!;
  equal(imported.status, "complete", imported.message);
  const deleted = (await readProgress(app.url, deleteId)).at(-1)!;
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
    const db = await createTestDatabase();
    const dataDir = await Deno.makeTempDir({ prefix: "importer-bulk-crash-" });
    const env = { PORT: String(freePort()), DATABASE_URL: db.url, DATA_DIR: dataDir, JOB_LEASE_SECONDS: "1" };
    let server: ServerProcess | null = null;
    const blocker = await db.sql.reserve();
    try {
      server = await startServerProcess(env);
      await uploadCsv(server.url, "sku,name\nA-1,Apple\nB-2,Banana\nC-3,Cherry\n")
        .then(({ body }) => readProgress(server!.url, body.task_id as string));

      // An open transaction holds the table, so the delete-all is caught mid-way when the server dies.
      await blocker`BEGIN`;
      await blocker`LOCK TABLE products IN ROW EXCLUSIVE MODE`;
      const { task_id: taskId } = await (await fetch(`${server.url}/api/products/bulk`, { method: "DELETE" }))
        .json();
      await waitUntil("the delete-all to wait for the table", async () => {
        const [job] = await db.sql`SELECT message FROM import_jobs WHERE id = ${taskId}`;
        return job.message === "Deleting every product";
      });
      await server.kill("SIGKILL");
      await blocker`ROLLBACK`;

      const [stuck] = await db.sql`SELECT status FROM import_jobs WHERE id = ${taskId}`;
      equal(stuck.status, "processing");
      const [{ count: left }] = await db.sql`SELECT count(*)::int AS count FROM products`;
      equal(left, 3, "nothing was deleted by the interrupted run");

      server = await startServerProcess(env);
      const final = (await readProgress(server.url, taskId)).at(-1)!;
      equal(final.status, "complete", final.message);
      equal(final.current, 3);
      const [job] = await db.sql`SELECT attempts FROM import_jobs WHERE id = ${taskId}`;
      equal(job.attempts, 2, "claimed once, resumed once");
      const [{ count }] = await db.sql`SELECT count(*)::int AS count FROM products`;
      equal(count, 0);
    } finally {
      blocker.release();
      await server?.kill();
      await db.drop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
