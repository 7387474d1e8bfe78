/// <reference lib="deno.worker" />
/**
 * The import Web Worker: runs one claimed job off the main thread, so parsing and
 * batching never slow HTTP responses. Progress goes out on a BroadcastChannel.
 */
import { connectDatabase } from "../core/platform/db.ts";
import { runImportJob } from "../core/imports/run_import.ts";
import { findImportJob } from "../core/imports/jobs.ts";
import { progressChannelName } from "../core/imports/progress.ts";

/** The message the scheduler sends to start a job. */
export interface ImportWorkerRequest {
  jobId: string;
  databaseUrl: string;
  batchSize: number;
  lanes: number;
}

/** The message the worker answers with when the job has ended (complete or error). */
export interface ImportWorkerDone {
  jobId: string;
}

self.onmessage = async (event: MessageEvent<ImportWorkerRequest>) => {
  const { jobId, databaseUrl, batchSize, lanes } = event.data;
  const sql = connectDatabase(databaseUrl, { max: lanes });
  const channel = new BroadcastChannel(progressChannelName(jobId));
  try {
    const job = await findImportJob(sql, jobId);
    if (job) {
      await runImportJob(sql, job, {
        batchSize,
        lanes,
        publish: (progress) => channel.postMessage(progress),
      });
    }
  } finally {
    channel.close();
    await sql.end({ timeout: 5 });
    self.postMessage({ jobId } satisfies ImportWorkerDone);
  }
};
