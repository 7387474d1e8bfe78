/**
 * Jobs: CSV imports, delete-all runs and bulk actions on a selection of products. They are submitted
 * (`submit.ts`, the upload streamed to disk by `uploads.ts`; `bulk_action.ts`), recorded and claimed
 * in PostgreSQL (`jobs.ts`), run by the job queue (`run_job.ts` → `run_import.ts`, `bulk_delete.ts`
 * or `bulk_action.ts`), and followed through one progress model
 * (`progress.ts`, browser-safe; `progress_feed.ts`). Failed rows download as a CSV report
 * (`error_report.ts`). The imports page previews a file before it is imported (`preview.ts`, with
 * `column_mapping.ts`), and a running import can be cancelled (`cancel.ts`).
 */
export {
  bulkActionOf,
  type BulkActionParams,
  type BulkActionRequest,
  submitBulkAction,
} from "./bulk_action.ts";
export {
  cancelRequested,
  finishAbandonedCancels,
  finishCancelledJob,
  JOBS_CANCEL_CHANNEL,
  requestCancel,
} from "./cancel.ts";
export {
  applyColumnMapping,
  checkMapping,
  type ColumnMapping,
  type MappedColumn,
  MAPPING_CHOICES,
  type MappingChoice,
  normalizeMapping,
} from "./column_mapping.ts";
export {
  clearExpiredPreviews,
  confirmPreview,
  createPreview,
  delimiterName,
  discardPreview,
  type ImportPreview,
  previewColumns,
  requirePreview,
} from "./preview.ts";
export {
  errorReportCsv,
  errorReportFileName,
  firstRowErrors,
  MAX_LISTED_ROW_ERRORS,
} from "./error_report.ts";
export {
  claimNextJob,
  type ClaimOptions,
  findImportJob,
  type ImportJob,
  importJobJson,
  importsAwaitingSearch,
  jobsChangedProducts,
  listImportJobs,
  markSearchReady,
  productJobsRun,
  releaseJob,
  requeueOwnJobs,
  touchJob,
} from "./jobs.ts";
export {
  type FollowOptions,
  followProgress,
  PROGRESS_CHANNEL,
  type ProgressPublisher,
  progressPublisher,
} from "./progress_feed.ts";
export { isFinalStatus, type ListedRowError, type ProgressEvent, progressFromJob } from "./progress.ts";
export { runJob } from "./run_job.ts";
export {
  type JobQueue,
  type SubmitAuditOptions,
  submitDeleteAll,
  submitUpload,
  type SubmitUploadOptions,
} from "./submit.ts";
