/** Starting work: an uploaded file or a delete-all becomes a queued job, and the queue is rung. */
import type { Sql } from "../platform/db.ts";
import { createBulkDeleteJob, createImportJob, type ImportJob } from "./jobs.ts";
import { receiveUpload, type UploadOptions } from "./uploads.ts";

/** The job queue's doorbell: a ring makes a consumer look for queued jobs. */
export interface JobQueue {
  ring(): Promise<void>;
  /** Resolves when the queue's store answers a cheap read; rejects when it cannot (for `/readyz`). */
  ping(): Promise<void>;
}

/** Stores the request's file, records its import job and rings the queue; the job runs later. */
export async function submitUpload(
  sql: Sql,
  request: Request,
  options: UploadOptions & { queue: JobQueue },
): Promise<ImportJob> {
  const upload = await receiveUpload(request, options);
  const job = await createImportJob(sql, {
    fileName: upload.fileName,
    filePath: upload.path,
    fileSize: upload.size,
  });
  await options.queue.ring();
  return job;
}

/** Records a delete-all job behind any queued imports and rings the queue. */
export async function submitDeleteAll(sql: Sql, queue: JobQueue): Promise<ImportJob> {
  const job = await createBulkDeleteJob(sql);
  await queue.ring();
  return job;
}
