/** Running a delete-all job: every product goes in one transaction with the job's outcome. */
import type { Sql } from "../platform/db.ts";
import { deleteAllProducts } from "../products/mod.ts";
import { completeBulkDeleteJob, failJob, type ImportJob, type JobRunOptions, setJobMessage } from "./jobs.ts";

/**
 * Deletes every product and completes the job in the same transaction, so an interrupted run
 * deleted nothing and is simply run again when its job is taken over. Ends the job `complete`
 * or `error`; throws only when the database cannot record the outcome.
 */
export async function runBulkDelete(sql: Sql, job: ImportJob, options: JobRunOptions): Promise<void> {
  try {
    options.report(await setJobMessage(sql, job.id, "Deleting every product"));
    options.report(
      await sql.begin(async (tx) => completeBulkDeleteJob(tx, job.id, await deleteAllProducts(tx))),
    );
  } catch (error) {
    console.error(`delete-all ${job.id} failed:`, error);
    options.report(await failJob(sql, job.id, "Deleting all products failed; nothing was deleted."));
  }
}
