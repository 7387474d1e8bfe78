/// <reference lib="deno.worker" />
/**
 * The job Web Worker: runs one claimed job off the main thread, so parsing and batching never
 * slow HTTP responses. Progress goes to the main thread, which publishes it to every process.
 */
import { findImportJob, type ProgressEvent, runJob } from "../core/imports/mod.ts";
import { connectDatabase } from "../core/platform/mod.ts";

/** The message the queue sends to start a job. */
export interface JobWorkerStart {
  kind: "start";
  jobId: string;
  databaseUrl: string;
  batchSize: number;
  lanes: number;
  deferSearchIndexRows: number | null;
  copyCleanRecords: boolean;
}

/** The message the queue sends when the process stops: commit what was handed over, then end. */
export interface JobWorkerStop {
  kind: "stop";
}

/** What the queue sends the worker. */
export type JobWorkerRequest = JobWorkerStart | JobWorkerStop;

/** What the worker sends back: each progress event, then `done` once the job ended or stopped. */
export type JobWorkerMessage =
  | { kind: "progress"; event: ProgressEvent }
  | { kind: "done"; jobId: string };

const stopping = new AbortController();

self.onmessage = async (message: MessageEvent<JobWorkerRequest>) => {
  if (message.data.kind === "stop") {
    stopping.abort();
    return;
  }
  const { jobId, databaseUrl, batchSize, lanes, deferSearchIndexRows, copyCleanRecords } = message.data;
  const post = (reply: JobWorkerMessage) => self.postMessage(reply);
  // One connection per lane, and one to set the search indexes aside while the lanes wait.
  const sql = connectDatabase(databaseUrl, { max: lanes + 1 });
  try {
    const job = await findImportJob(sql, jobId);
    if (job) {
      await runJob(sql, job, {
        batchSize,
        lanes,
        deferSearchIndexRows,
        copyCleanRecords,
        signal: stopping.signal,
        publish: (event) => post({ kind: "progress", event }),
      });
    }
  } catch (error) {
    // The outcome could not be recorded; the job's lease runs out and it is resumed.
    console.error(`job ${jobId} could not finish:`, error);
  } finally {
    await sql.end({ timeout: 5 });
    post({ kind: "done", jobId });
  }
};
