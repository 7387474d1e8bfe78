/**
 * Cancelling an import. Anyone may ask, on any instance: a queued import ends at once; a running
 * one is marked, the instance running it is told (`jobs_cancel`, and its heartbeat checks too),
 * its worker stops after the batches it handed over commit, and the job ends `cancelled` with
 * what was committed. A job marked for cancelling is never claimed again.
 */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import { ConflictError } from "../platform/errors.ts";
import { recordEvent } from "../webhooks/mod.ts";
import { importEventData, type ImportJob } from "./jobs.ts";
import { dropStage, stageTableName } from "./staging.ts";

/** The notification channel that tells every instance a job should stop; the payload is its id. */
export const JOBS_CANCEL_CHANNEL = "jobs_cancel";

/**
 * Asks to cancel an import: a queued one is cancelled at once, a running one is marked for its
 * runner. `instanceId` is this instance (a queued import's file on its volume goes at once). Returns the job as stored; asking again is harmless. A finished import or a delete-all
 * (one transaction, nothing to stop half-way) is a {@linkcode ConflictError}.
 */
export async function requestCancel(sql: Sql, job: ImportJob, instanceId: string): Promise<ImportJob> {
  if (job.kind !== "import") {
    throw new ConflictError(
      "A delete-all cannot be cancelled: it deletes every product in one transaction, all or nothing.",
    );
  }
  const row = await sql.begin(async (tx) => {
    const [asked] = await tx<ImportJob[]>`
      UPDATE import_jobs SET
        cancel_requested_at = coalesce(cancel_requested_at, now()),
        status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
        finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
        message = CASE WHEN status = 'queued' THEN 'Cancelled before it started; nothing was imported'
          ELSE message END
      WHERE id = ${job.id} AND status IN ('queued', 'processing')
      RETURNING *`;
    if (asked?.status === "cancelled") await recordCancelled(tx, asked);
    return asked;
  });
  if (row) {
    // A queued import's file is removed here when it is on this volume (else it stays as an orphan).
    if (row.status === "cancelled" && row.owner_instance === instanceId && row.file_path) {
      await Deno.remove(row.file_path).catch(() => {});
    }
    return row;
  }
  const [now] = await sql<ImportJob[]>`SELECT * FROM import_jobs WHERE id = ${job.id}`;
  if (now?.status === "cancelled") return now;
  throw new ConflictError(
    `This import has already ${now?.status === "error" ? "failed" : "finished"}; there is nothing to cancel.`,
  );
}

/** Whether someone asked to cancel this job. */
export async function cancelRequested(sql: Sql, id: string): Promise<boolean> {
  const [row] = await sql<{ asked: boolean }[]>`
    SELECT cancel_requested_at IS NOT NULL AS asked FROM import_jobs WHERE id = ${id}`;
  return row?.asked ?? false;
}

/**
 * Ends a job that stopped because it was cancelled, keeping its counts; returns it, or null when
 * it was not marked for cancelling or already ended (it completed before the cancel took effect).
 * Its file is removed: a cancelled job never resumes.
 */
export async function finishCancelledJob(sql: Sql, id: string): Promise<ImportJob | null> {
  const row = await sql.begin(async (tx) => {
    const [ended] = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'cancelled', finished_at = now(), heartbeat_at = NULL,
        message = ${"Cancelled after "} || to_char(rows_done, 'FM999,999,999,990') || ' rows'
          || CASE WHEN rows_done > 0 THEN '; the rows committed before the cancel are kept' ELSE '' END
      WHERE id = ${id} AND status IN ('queued', 'processing') AND cancel_requested_at IS NOT NULL
      RETURNING *`;
    if (ended) await recordCancelled(tx, ended);
    return ended;
  });
  if (!row) return null;
  if (row.file_path) await Deno.remove(row.file_path).catch(() => {});
  await dropStage(sql, stageTableName(id));
  return row;
}

/**
 * Ends the jobs marked for cancelling whose runner is gone (queued again after a restart, or a
 * heartbeat older than the lease), so nobody resumes them; removes the files of this instance's
 * cancelled jobs (another instance may have ended them). Returns the jobs ended.
 */
export async function finishAbandonedCancels(
  sql: Sql,
  options: { instanceId: string; leaseSeconds: number },
): Promise<ImportJob[]> {
  const rows = await sql.begin(async (tx) => {
    const ended = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'cancelled', finished_at = now(), heartbeat_at = NULL,
        message = 'Cancelled after ' || to_char(rows_done, 'FM999,999,999,990') || ' rows'
      WHERE cancel_requested_at IS NOT NULL
        AND (status = 'queued' OR (status = 'processing'
          AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => ${options.leaseSeconds}))))
      RETURNING *`;
    for (const job of ended) await recordCancelled(tx, job);
    return ended;
  });
  for (const row of rows) await dropStage(sql, stageTableName(row.id));
  // Files of this instance's cancelled jobs, whoever ended them, go now ('' marks them removed).
  const files = await sql<{ file_path: string }[]>`
    WITH gone AS (
      SELECT id, file_path FROM import_jobs
      WHERE owner_instance = ${options.instanceId} AND status = 'cancelled' AND file_path <> ''
      FOR UPDATE SKIP LOCKED
    )
    UPDATE import_jobs SET file_path = '' FROM gone WHERE import_jobs.id = gone.id
    RETURNING gone.file_path`;
  for (const { file_path } of files) await Deno.remove(file_path).catch(() => {});
  return rows;
}

/** Queues `import.cancelled` in the transaction that ended the job, so a cancel always has its event. */
async function recordCancelled(tx: postgres.TransactionSql, job: ImportJob): Promise<void> {
  await recordEvent(tx, "import.cancelled", importEventData(job));
}
