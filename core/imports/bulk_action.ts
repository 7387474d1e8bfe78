/**
 * A bulk action as a job: deleting, activating or deactivating a large selection of products in
 * batches of {@linkcode BULK_BATCH_SIZE}, each committed with its events and the job's progress and
 * resume point, so the progress bar moves batch by batch and an interrupted run resumes after the
 * last committed batch instead of starting over.
 */
import { sql as rawSql } from "kysely";
import type postgres from "postgres";
import { type AuditContext, recordAuditSql } from "../audit/mod.ts";
import { queryBuilder, type Sql } from "../platform/db.ts";
import {
  applyToNextBatch,
  BULK_BATCH_SIZE,
  type BulkAction,
  bulkActionDone,
  describeSelection,
  type ProductSelection,
} from "../products/mod.ts";
import { failJob, type ImportJob, type JobRunOptions, setJobMessage } from "./jobs.ts";
import type { JobQueue } from "./submit.ts";

/** What a bulk-action job does, to which products, and how far it got: its `params` column. */
export type BulkActionParams = {
  action: BulkAction;
  selection: ProductSelection;
  /** How many products the selection named when it was submitted (what the bar counts toward). */
  total: number;
  /** Every selected product with an id up to this one is done. */
  after_id: number;
};

/** The bulk action a job runs; throws for a job of another kind. */
export function bulkActionOf(job: ImportJob): BulkActionParams {
  if (job.kind !== "bulk_action" || !job.params) throw new Error(`job ${job.id} is not a bulk action`);
  return job.params as BulkActionParams;
}

/** What {@linkcode submitBulkAction} queues. */
export interface BulkActionRequest {
  action: BulkAction;
  selection: ProductSelection;
  /** The selection's size as counted for the confirmation. */
  total: number;
}

/** Records a bulk-action job behind any queued jobs (with its audit entry, given `audit`) and rings the queue. */
export async function submitBulkAction(
  sql: Sql,
  queue: JobQueue,
  request: BulkActionRequest,
  options: { audit?: AuditContext } = {},
): Promise<ImportJob> {
  const params: BulkActionParams = { ...request, after_id: 0 };
  const what = `${request.action} ${request.total.toLocaleString("en-US")} products`;
  const job = await sql.begin(async (tx) => {
    const [job] = await tx<ImportJob[]>`
      INSERT INTO import_jobs (id, kind, file_name, message, rows_total, params)
      VALUES (${crypto.randomUUID()}, 'bulk_action', ${what[0].toUpperCase() + what.slice(1)},
        'Waiting in the queue', ${request.total}, ${tx.json(params as unknown as postgres.JSONValue)})
      RETURNING *`;
    await recordAuditSql(tx, options.audit, {
      action: `products.bulk_${request.action}_started`,
      targetType: "import",
      targetId: job.id,
      summary: `Asked to ${what} (${describeSelection(request.selection)})`,
    });
    return job;
  });
  await queue.ring();
  return job;
}

/**
 * Runs a claimed bulk-action job from its resume point to the end. Ends the job `complete` or
 * `error` (the batches committed before an error stay done, and the message says how many); when
 * the process stops it returns after the current batch, leaving the job to be resumed.
 */
export async function runBulkAction(sql: Sql, job: ImportJob, options: JobRunOptions): Promise<void> {
  const db = queryBuilder(sql);
  const { action, selection } = bulkActionOf(job);
  let latest = job;
  try {
    options.report(await setJobMessage(sql, job.id, `${bulkActionDone(action, job.updated)} so far`));
    while (!options.signal?.aborted) {
      const { row, outcome } = await db.transaction().execute(async (trx) => {
        // The resume point is read under the row's lock: the batch and its progress commit together.
        const current = await trx.selectFrom("import_jobs").select(["params", "updated"]).where(
          "id",
          "=",
          job.id,
        )
          .forUpdate().executeTakeFirstOrThrow();
        const afterId = Number(current.params?.after_id ?? 0);
        const outcome = await applyToNextBatch(trx, action, selection, { afterId, limit: BULK_BATCH_SIZE });
        const row = await trx.updateTable("import_jobs").set((eb) => ({
          rows_done: eb("rows_done", "+", outcome.scanned),
          updated: eb("updated", "+", outcome.changed),
          params: rawSql<Record<string, unknown>>`
            jsonb_set(params, '{after_id}', to_jsonb(${outcome.lastId}::bigint))`,
          message: `${bulkActionDone(action, current.updated + outcome.changed)} so far`,
          heartbeat_at: new Date(),
        })).where("id", "=", job.id).returningAll().executeTakeFirstOrThrow();
        return { row, outcome };
      });
      latest = row;
      options.report(row);
      if (outcome.scanned < BULK_BATCH_SIZE) {
        const [finished] = await sql<ImportJob[]>`
          UPDATE import_jobs SET status = 'complete', finished_at = now(),
            message = ${bulkActionDone(action, row.updated)}
          WHERE id = ${job.id}
          RETURNING *`;
        options.report(finished);
        return;
      }
    }
  } catch (error) {
    console.error(`bulk action ${job.id} failed:`, error);
    const reason = `The bulk ${action} failed after ${latest.rows_done.toLocaleString("en-US")} products; ` +
      "those stay done, the rest were left as they were.";
    options.report(await failJob(sql, job.id, reason));
  }
}
