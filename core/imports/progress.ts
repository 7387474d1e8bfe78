import type { ImportJob } from "./jobs.ts";

/** The SSE event of `/api/progress/{task_id}`, in the brief's format plus the import's counts. */
export interface ProgressEvent {
  task_id: string;
  /** What the task does: a CSV import or deleting all products. */
  kind: "import" | "bulk_delete";
  status: "queued" | "started" | "processing" | "complete" | "error";
  /** Rows read so far (data rows, header excluded). */
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
  rows_per_sec: number;
  elapsed_ms: number;
  file_name: string;
  file_size: number;
  error?: string;
}

/** The BroadcastChannel on which a job's progress is published. */
export function progressChannelName(jobId: string): string {
  return `import-progress:${jobId}`;
}

/** True once a job can no longer change. */
export function isFinalStatus(status: ProgressEvent["status"]): boolean {
  return status === "complete" || status === "error";
}

/** The event that describes a stored job, used to replay state to late subscribers. */
export function progressFromJob(job: ImportJob, now = new Date()): ProgressEvent {
  const finished = job.status === "complete" || job.status === "error";
  const end = job.finished_at ?? now;
  const elapsedMs = job.started_at ? Math.max(0, end.getTime() - job.started_at.getTime()) : 0;
  const status = job.status === "processing" && job.rows_done === 0 ? "started" : job.status;
  return {
    task_id: job.id,
    kind: job.kind,
    status,
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
    elapsed_ms: finished || job.started_at ? elapsedMs : 0,
    file_name: job.file_name,
    file_size: job.file_size,
    ...(job.error ? { error: job.error } : {}),
  };
}

/** The JSON form of an import job: `/api/imports` and the `import.*` webhook events. */
export function importJobJson(job: ImportJob) {
  const progress = progressFromJob(job);
  return {
    id: job.id,
    file_name: job.file_name,
    file_size: job.file_size,
    status: job.status,
    message: job.message,
    error: job.error,
    rows: job.rows_done,
    inserted: job.inserted,
    updated: job.updated,
    unchanged: job.unchanged,
    duplicates: job.duplicates,
    failed: job.failed,
    percent: progress.percent,
    rows_per_sec: progress.rows_per_sec,
    duration_ms: progress.elapsed_ms,
    created_at: job.created_at,
    started_at: job.started_at,
    finished_at: job.finished_at,
    errors_csv_url: job.failed > 0 ? `/api/imports/${job.id}/errors.csv` : null,
  };
}
