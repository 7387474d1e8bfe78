import { equal } from "node:assert/strict";
import {
  claimNextJob,
  createBulkDeleteJob,
  createImportJob,
  jobsChangedProducts,
  releaseJob,
  requeueOwnJobs,
} from "../../../core/imports/jobs.ts";
import type { Sql } from "../../../core/platform/mod.ts";
import { withMigratedDatabase } from "../../helpers/test_app.ts";

const LEASE = { leaseSeconds: 1 };
const file = { fileName: "a.csv", filePath: "/nowhere/a.csv", fileSize: 10 };

/** Ages a job's heartbeat past any lease, as when its process died. */
async function goStale(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE import_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${id}`;
}

Deno.test({
  name: "an import is claimed only by the instance that owns its file, even once its lease has run out",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withMigratedDatabase(async ({ sql }) => {
      const job = await createImportJob(sql, { ...file, ownerInstance: "a" });
      equal(await claimNextJob(sql, { ...LEASE, instanceId: "b" }), null, "b may not take a's queued import");
      const claimed = await claimNextJob(sql, { ...LEASE, instanceId: "a" });
      equal(claimed?.id, job.id);
      equal(claimed?.claimed_by, "a");

      await goStale(sql, job.id);
      equal(await claimNextJob(sql, { ...LEASE, instanceId: "b" }), null, "nor a's abandoned one");
      const resumed = await claimNextJob(sql, { ...LEASE, instanceId: "a" });
      equal(resumed?.id, job.id, "a takes its own abandoned import back");
      equal(resumed?.attempts, 2);
      equal(resumed?.message, "Resuming after an interruption");
    });
  },
});

Deno.test({
  name: "a delete-all has no owner: a released one goes at once to any instance, without counting an attempt",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withMigratedDatabase(async ({ sql }) => {
      const job = await createBulkDeleteJob(sql);
      equal((await claimNextJob(sql, { ...LEASE, instanceId: "a" }))?.id, job.id);
      const released = await releaseJob(sql, job.id);
      equal(released?.status, "queued");
      equal(released?.attempts, 0, "a stop on purpose is not a failed attempt");
      const taken = await claimNextJob(sql, { ...LEASE, instanceId: "b" });
      equal(taken?.id, job.id, "another instance takes it without waiting for a lease");
      equal(taken?.claimed_by, "b");
      equal(taken?.attempts, 1);
    });
  },
});

Deno.test({
  name: "at start-up an instance puts back only its own processing jobs, which it then resumes first",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withMigratedDatabase(async ({ sql }) => {
      const mine = await createImportJob(sql, { ...file, ownerInstance: "a" });
      const theirs = await createImportJob(sql, { ...file, ownerInstance: "b" });
      await claimNextJob(sql, { ...LEASE, instanceId: "a" });
      await claimNextJob(sql, { ...LEASE, instanceId: "b" });

      equal(await requeueOwnJobs(sql, "a"), 1);
      const [a, b] = await Promise.all(
        [mine, theirs].map(async ({ id }) =>
          (await sql`SELECT status FROM import_jobs WHERE id = ${id}`)[0].status
        ),
      );
      equal(a, "queued");
      equal(b, "processing", "another instance's running job is left alone");
      equal((await claimNextJob(sql, { ...LEASE, instanceId: "a" }))?.id, mine.id, "no lease to wait out");
    });
  },
});

Deno.test({
  name:
    "only an import that completed writing nothing leaves the table untouched; any other ended job changed it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withMigratedDatabase(async ({ sql }) => {
      const ended = async (kind: "import" | "delete", counts: { inserted: number; updated: number }) => {
        const job = kind === "import"
          ? await createImportJob(sql, { ...file, ownerInstance: "a" })
          : await createBulkDeleteJob(sql);
        await sql`UPDATE import_jobs SET status = 'complete', inserted = ${counts.inserted},
          updated = ${counts.updated} WHERE id = ${job.id}`;
        return job.id;
      };
      const unchangedFile = await ended("import", { inserted: 0, updated: 0 });
      const newRows = await ended("import", { inserted: 3, updated: 0 });
      const changedRows = await ended("import", { inserted: 0, updated: 2 });
      const deleteAll = await ended("delete", { inserted: 0, updated: 0 });
      const failed = await createImportJob(sql, { ...file, ownerInstance: "a" });
      await sql`UPDATE import_jobs SET status = 'error' WHERE id = ${failed.id}`;

      equal(await jobsChangedProducts(sql, [unchangedFile]), false);
      equal(await jobsChangedProducts(sql, [unchangedFile, newRows]), true);
      equal(await jobsChangedProducts(sql, [changedRows]), true);
      equal(await jobsChangedProducts(sql, [deleteAll]), true, "a delete-all counts however it ended");
      equal(await jobsChangedProducts(sql, [failed.id]), true, "a failed import may have written rows");
      equal(await jobsChangedProducts(sql, [crypto.randomUUID()]), true, "a job not found counts");
    });
  },
});
