/// <reference lib="deno.worker" />
/**
 * The job Web Worker: runs one claimed job off the main thread, so parsing and batching never
 * slow HTTP responses. Progress goes out on the job's BroadcastChannel.
 */
import { findImportJob, progressChannelName, runJob } from "../core/imports/mod.ts";
import { connectDatabase } from "../core/platform/mod.ts";

/** The message the queue sends to start a job. */
export interface JobWorkerRequest {
  jobId: string;
  databaseUrl: string;
  batchSize: number;
  lanes: number;
}

/** The message the worker answers with when the job has ended (complete or error). */
export interface JobWorkerDone {
  jobId: string;
}

self.onmessage = async (event: MessageEvent<JobWorkerRequest>) => {
  const { jobId, databaseUrl, batchSize, lanes } = event.data;
  const sql = connectDatabase(databaseUrl, { max: lanes });
  const channel = new BroadcastChannel(progressChannelName(jobId));
  try {
    const job = await findImportJob(sql, jobId);
    if (job) {
      await runJob(sql, job, { batchSize, lanes, publish: (progress) => channel.postMessage(progress) });
    }
  } catch (error) {
    // The outcome could not be recorded; the job's lease runs out and it is resumed.
    console.error(`job ${jobId} could not finish:`, error);
  } finally {
    channel.close();
    await sql.end({ timeout: 5 });
    self.postMessage({ jobId } satisfies JobWorkerDone);
  }
};
