/** Starting work: an uploaded file or a delete-all becomes a queued job, and the queue is rung. */
import type postgres from "postgres";
import { type AuditContext, recordAuditSql } from "../audit/mod.ts";
import type { Sql } from "../platform/db.ts";
import type { ColumnMapping } from "./column_mapping.ts";
import { createBulkDeleteJob, createImportJob, type ImportJob, type NewImportJob } from "./jobs.ts";
import { receiveUpload, type UploadOptions } from "./uploads.ts";

/** The job queue's doorbell: a ring makes a consumer look for queued jobs. */
export interface JobQueue {
  ring(): Promise<void>;
  /** Resolves when the queue's store answers a cheap read; rejects when it cannot (for `/readyz`). */
  ping(): Promise<void>;
}

/** Who starts the job, recorded in the audit log in the transaction that records the job. */
export interface SubmitAuditOptions {
  audit?: AuditContext;
}

/** What {@linkcode submitUpload} needs besides the request. */
export interface SubmitUploadOptions extends UploadOptions, SubmitAuditOptions {
  queue: JobQueue;
  /** This instance's id: the file lands on its volume, so only it may run the import. */
  instanceId: string;
  /** How the file's headers map to product fields (normalized header → field or "ignore"); by name if absent. */
  columnMapping?: ColumnMapping;
}

/**
 * Stores the request's file, records its import job as owned by this instance (and, given
 * `audit`, its `import.started` entry with the file's name) and rings the queue; the job runs later.
 */
export async function submitUpload(
  sql: Sql,
  request: Request,
  options: SubmitUploadOptions,
): Promise<ImportJob> {
  const upload = await receiveUpload(request, options);
  const job = await sql.begin((tx) =>
    queueImportJob(tx, {
      fileName: upload.fileName,
      filePath: upload.path,
      fileSize: upload.size,
      ownerInstance: options.instanceId,
      columnMapping: options.columnMapping,
    }, options.audit)
  );
  await options.queue.ring();
  return job;
}

/** Records a queued import of `file` and, given `audit`, its `import.started` entry, in `tx`. */
export async function queueImportJob(
  tx: postgres.TransactionSql,
  file: NewImportJob,
  audit?: AuditContext,
): Promise<ImportJob> {
  const job = await createImportJob(tx, file);
  await recordAuditSql(tx, audit, {
    action: "import.started",
    targetType: "import",
    targetId: job.id,
    summary: `Started importing "${job.file_name}" (${job.file_size} bytes)`,
  });
  return job;
}

/** Records a delete-all job behind any queued imports (with its audit entry, given `audit`) and rings the queue. */
export async function submitDeleteAll(
  sql: Sql,
  queue: JobQueue,
  options: SubmitAuditOptions = {},
): Promise<ImportJob> {
  const job = await sql.begin(async (tx) => {
    const job = await createBulkDeleteJob(tx);
    await recordAuditSql(tx, options.audit, {
      action: "products.bulk_delete_started",
      targetType: "import",
      targetId: job.id,
      summary: "Asked to delete all products",
    });
    return job;
  });
  await queue.ring();
  return job;
}
