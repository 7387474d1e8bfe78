import type { Sql } from "../platform/db.ts";
import { recordEvent } from "../webhooks/events.ts";
import { findImportJob, type ImportJob } from "./jobs.ts";
import { type ProgressEvent, progressFromJob } from "./progress.ts";

const numberFormat = new Intl.NumberFormat("en-US");

/** Records a delete-all job; {@linkcode runBulkDelete} then does the work. */
export async function createBulkDeleteJob(sql: Sql): Promise<ImportJob> {
  const [job] = await sql<ImportJob[]>`
    INSERT INTO import_jobs (id, kind, file_name, message)
    VALUES (${crypto.randomUUID()}, 'bulk_delete', 'Delete all products', 'Waiting to start')
    RETURNING *`;
  return job;
}

/**
 * Deletes every product. TRUNCATE empties 500k rows in milliseconds where DELETE takes seconds
 * and leaves dead rows behind; it runs in the same transaction that marks the job complete, so a
 * crash leaves either everything or nothing deleted. Returns the number deleted.
 */
export async function runBulkDelete(
  sql: Sql,
  jobId: string,
  publish: (event: ProgressEvent) => void,
): Promise<number> {
  const emit = async () => {
    const job = await findImportJob(sql, jobId);
    if (job) publish(progressFromJob(job));
  };
  try {
    await sql`UPDATE import_jobs SET status = 'processing', started_at = now(), heartbeat_at = now(),
      message = 'Counting products' WHERE id = ${jobId}`;
    await emit();
    const deleted = await sql.begin(async (tx) => {
      // Taking the lock first makes the count exact: no import can add rows in between.
      await tx`LOCK TABLE products IN ACCESS EXCLUSIVE MODE`;
      const [{ count }] = await tx<{ count: number }[]>`SELECT count(*)::int AS count FROM products`;
      await tx`TRUNCATE products`;
      await tx`UPDATE import_jobs SET status = 'complete', rows_done = ${count}, bytes_done = 0, finished_at = now(),
        message = ${`Deleted ${numberFormat.format(count)} products`} WHERE id = ${jobId}`;
      await recordEvent(tx, "products.bulk_deleted", { task_id: jobId, count });
      return count;
    });
    await emit();
    return deleted;
  } catch (error) {
    console.error("delete-all failed:", error);
    const reason = "Deleting all products failed; nothing was deleted.";
    await sql`UPDATE import_jobs SET status = 'error', error = ${reason}, message = ${reason}, finished_at = now()
      WHERE id = ${jobId}`.catch(() => {});
    await emit().catch(() => {});
    throw error;
  }
}

/** Fails delete-all jobs left unfinished by a process that died (their transaction rolled back). */
export async function failInterruptedBulkDeletes(sql: Sql, leaseSeconds: number): Promise<void> {
  const reason = "The delete-all was interrupted by a restart; nothing was deleted.";
  await sql`
    UPDATE import_jobs SET status = 'error', error = ${reason}, message = ${reason}, finished_at = now()
    WHERE kind = 'bulk_delete' AND status IN ('queued', 'processing')
      AND coalesce(heartbeat_at, created_at) < now() - make_interval(secs => ${leaseSeconds})`;
}
