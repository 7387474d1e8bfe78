/**
 * The one progress model of a job: the event that `/api/progress/{task_id}` streams, the pages
 * render and the import worker publishes, always built from the stored job row, so live and
 * polled progress show the same numbers. Browser-safe (type imports only): the progress island
 * uses it too.
 */
import type { Selectable } from "kysely";
import type { ImportJobTable, JobKind, JobStatus } from "../platform/schema.ts";

/** A job as stored in `import_jobs`: a CSV import, or a delete-all run (no file). */
export type ImportJob = Selectable<ImportJobTable>;

/** The SSE event of `/api/progress/{task_id}`, in the brief's format plus the import's counts. */
export interface ProgressEvent {
  task_id: string;
  /** What the task does: a CSV import or deleting all products. */
  kind: JobKind;
  /** `started` is a processing job that has not committed a row yet. */
  status: "queued" | "started" | "processing" | "complete" | "error" | "cancelled";
  /** Someone asked to cancel the job; it stops after its current batch. */
  cancelling: boolean;
  /** Rows committed so far (data rows, header excluded); for a delete-all, the products deleted. */
  current: number;
  /** Rows in the file: known once the whole file is read, null before. */
  total: number | null;
  /** Percent of the file's bytes processed (rows can span lines, so bytes are the honest measure). */
  percent: number;
  message: string;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  failed: number;
  /** Rows committed per second since the job started. */
  rows_per_sec: number;
  /** From the start to the end, or to now while the job runs. */
  elapsed_ms: number;
  file_name: string;
  file_size: number;
  error?: string;
}

/** One failed row as the import page and `GET /api/imports/{id}/errors` list it: where and why. */
export interface ListedRowError {
  line: number;
  message: string;
}

/** True once a job can no longer change: it completed, failed or was cancelled. */
export function isFinalStatus(status: JobStatus | ProgressEvent["status"]): boolean {
  return status === "complete" || status === "error" || status === "cancelled";
}

/** The progress event of a stored job, as of `now`. */
export function progressFromJob(job: ImportJob, now = new Date()): ProgressEvent {
  const end = job.finished_at ?? now;
  const elapsedMs = job.started_at ? Math.max(0, end.getTime() - job.started_at.getTime()) : 0;
  return {
    task_id: job.id,
    kind: job.kind,
    status: job.status === "processing" && job.rows_done === 0 ? "started" : job.status,
    cancelling: job.cancel_requested_at !== null && !isFinalStatus(job.status),
    current: job.rows_done,
    total: job.status === "complete" ? job.rows_done : null,
    percent: job.status === "complete"
      ? 100
      : job.file_size > 0
      ? Math.min(99, Math.floor((job.bytes_done / job.file_size) * 100))
      : 0,
    message: job.message,
    inserted: job.inserted,
    updated: job.updated,
    unchanged: job.unchanged,
    duplicates: job.duplicates,
    failed: job.failed,
    rows_per_sec: elapsedMs > 0 ? Math.round(job.rows_done / (elapsedMs / 1000)) : 0,
    elapsed_ms: elapsedMs,
    file_name: job.file_name,
    file_size: job.file_size,
    ...(job.error ? { error: job.error } : {}),
  };
}
