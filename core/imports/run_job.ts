/** Running a claimed job, whatever its kind, and reporting its progress from the stored row. */
import type { Sql } from "../platform/db.ts";
import { runBulkAction } from "./bulk_action.ts";
import { runBulkDelete } from "./bulk_delete.ts";
import type { ImportJob, JobRunOptions } from "./jobs.ts";
import { type ProgressEvent, progressFromJob } from "./progress.ts";
import { runImport } from "./run_import.ts";

/**
 * Runs a claimed job to its end and publishes its progress events, each built from the stored
 * job (so followers in other processes, who read the row, see the same numbers).
 */
export async function runJob(
  sql: Sql,
  job: ImportJob,
  options: Omit<JobRunOptions, "report"> & { publish(event: ProgressEvent): void },
): Promise<void> {
  let latest: ImportJob | null = null;
  const run: JobRunOptions = {
    ...options,
    report(stored) {
      // Lanes commit concurrently and their answers may arrive out of order: an older state is skipped.
      if (
        latest && stored.status === "processing" &&
        (stored.rows_done < latest.rows_done || stored.bytes_done < latest.bytes_done)
      ) return;
      latest = stored;
      options.publish(progressFromJob(stored));
    },
  };
  if (job.kind === "bulk_delete") await runBulkDelete(sql, job, run);
  else if (job.kind === "bulk_action") await runBulkAction(sql, job, run);
  else await runImport(sql, job, run);
}
