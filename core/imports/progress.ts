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
  /** What the task does: a CSV import, deleting all products, or a bulk action on a selection. */
  kind: JobKind;
  /** `started` is a processing job that has not committed a row yet. */
  status: "queued" | "started" | "processing" | "complete" | "error" | "cancelled";
  /** Someone asked to cancel the job; it stops after its current batch. */
  cancelling: boolean;
  /**
   * Rows read whose outcome is committed (data rows, header excluded): always inserted + updated +
   * unchanged + duplicates + failed. For a delete-all, the products deleted; for a bulk action, the
   * selected products done (`updated` says how many of them it changed).
   */
  current: number;
  /** Rows in the file: known once the whole file is read, null before; a bulk action's selection size. */
  total: number | null;
  /**
   * Percent of the work: reading the file is the first {@linkcode READING_SHARE} (by bytes, since
   * rows can span lines), writing its rows the rest (by rows).
   */
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
  /**
   * `catching_up` from when a large import sets the search indexes aside until they are rebuilt
   * after it (searches are right meanwhile, only slower); otherwise `ready`.
   */
  search_index: "ready" | "catching_up";
  error?: string;
}

/** The share of an import's progress bar that reading (and staging) the file takes. */
export const READING_SHARE = 0.3;

/** True once a job can no longer change: it completed or failed. */
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
    total: job.rows_total ?? (job.status === "complete" ? job.rows_done : null),
    percent: job.status === "complete" ? 100 : percentDone(job),
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
    search_index: job.search_deferred && job.search_ready_at === null ? "catching_up" : "ready",
    ...(job.error ? { error: job.error } : {}),
  };
}

/** How far a job that has not completed is, 0–99. */
function percentDone(job: ImportJob): number {
  const reading = job.file_size > 0 ? Math.min(1, job.bytes_done / job.file_size) : 0;
  const writing = job.rows_total ? Math.min(1, job.rows_done / job.rows_total) : 0;
  // A bulk action reads no file: its rows_total is the selection's size when it was asked for.
  const share = job.kind === "import"
    ? READING_SHARE * reading + (1 - READING_SHARE) * writing
    : job.kind === "bulk_action"
    ? writing
    : reading;
  // The epsilon keeps float error (0.3 + 0.35 = 0.6499…) from costing a whole percent.
  return Math.min(99, Math.floor(share * 100 + 1e-9));
}
