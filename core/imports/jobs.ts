import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import { importJobJson } from "./progress.ts";
import { recordEvent } from "../webhooks/events.ts";

/** The lifecycle of an import: queued → processing → complete | error. */
export type ImportStatus = "queued" | "processing" | "complete" | "error";

/** One job as stored in `import_jobs`: a CSV import, or a delete-all run (no file). */
export interface ImportJob {
  id: string;
  kind: "import" | "bulk_delete";
  file_name: string;
  file_path: string;
  file_size: number;
  status: ImportStatus;
  message: string;
  rows_done: number;
  bytes_done: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  failed: number;
  header: string[] | null;
  /** Per lane, the record index through which that lane's rows are committed (the resume point). */
  lane_rows_done: number[] | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
}

/** Counts added by one committed batch of one lane. */
export interface BatchProgress {
  lane: number;
  /** Every row of this lane up to this record index is now committed. */
  laneThrough: number;
  /** Every row of every lane up to this record index is committed. */
  rowsDone: number;
  bytesDone: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  failed: number;
  message: string;
}

/** A row that could not be imported, with its line number and the original fields. */
export interface RowError {
  line: number;
  fields: string[];
  message: string;
}

/** After this many starts that never finished, a job is failed instead of retried again. */
export const MAX_ATTEMPTS = 3;

/** Records a new queued job for an uploaded file. */
export async function createImportJob(
  sql: Sql,
  job: { id: string; fileName: string; filePath: string; fileSize: number },
): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    INSERT INTO import_jobs (id, file_name, file_path, file_size, message)
    VALUES (${job.id}, ${job.fileName}, ${job.filePath}, ${job.fileSize}, 'Waiting in the import queue')
    RETURNING *`;
  return row;
}

/** The job with this id, or null. Ids that are not UUIDs simply match nothing. */
export async function findImportJob(sql: Sql, id: string): Promise<ImportJob | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const [row] = await sql<ImportJob[]>`SELECT * FROM import_jobs WHERE id = ${id}`;
  return row ?? null;
}

/** The most recent jobs first. */
export async function listImportJobs(sql: Sql, options: { limit?: number } = {}): Promise<ImportJob[]> {
  return await sql<ImportJob[]>`
    SELECT * FROM import_jobs ORDER BY created_at DESC LIMIT ${options.limit ?? 50}`;
}

/**
 * Claims the oldest job that is queued, or processing with a heartbeat older than the lease
 * (its process died). PostgreSQL, not the queue, decides who runs what.
 */
export async function claimNextImportJob(sql: Sql, leaseSeconds: number): Promise<ImportJob | null> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET
      status = 'processing',
      attempts = attempts + 1,
      started_at = coalesce(started_at, now()),
      heartbeat_at = now(),
      message = CASE WHEN status = 'processing' THEN 'Resuming after an interruption' ELSE 'Starting' END
    WHERE id = (
      SELECT id FROM import_jobs
      WHERE kind = 'import'
        AND (status = 'queued'
          OR (status = 'processing' AND heartbeat_at < now() - make_interval(secs => ${leaseSeconds})))
      ORDER BY created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`;
  return row ?? null;
}

/** Marks the job as alive so no other process takes it over. */
export async function touchImportJob(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE import_jobs SET heartbeat_at = now() WHERE id = ${id} AND status = 'processing'`;
}

/** Saves the header (for the error CSV) once the file's first row is read. */
export async function saveImportHeader(sql: Sql, id: string, header: string[]): Promise<void> {
  await sql`UPDATE import_jobs SET header = ${sql.json(header)} WHERE id = ${id}`;
}

/** Gives a job one resume point per lane, unless it already has them (a resumed job). */
export async function initLanes(sql: Sql, id: string, lanes: number): Promise<number[]> {
  const [row] = await sql<{ lane_rows_done: number[] }[]>`
    UPDATE import_jobs SET lane_rows_done = coalesce(lane_rows_done, array_fill(0::bigint, ARRAY[${lanes}::int]))
    WHERE id = ${id}
    RETURNING lane_rows_done`;
  return row.lane_rows_done.map(Number);
}

/**
 * Adds a batch's counts and moves its lane's resume point; run inside the batch's transaction.
 * Lanes commit concurrently, so each sets only its own array element and adds to the counts.
 */
export async function recordBatchProgress(
  tx: postgres.TransactionSql,
  id: string,
  progress: BatchProgress,
): Promise<void> {
  await tx`
    UPDATE import_jobs SET
      lane_rows_done[${progress.lane + 1}] = ${progress.laneThrough},
      rows_done = greatest(rows_done, ${progress.rowsDone}),
      bytes_done = greatest(bytes_done, ${progress.bytesDone}),
      inserted = inserted + ${progress.inserted},
      updated = updated + ${progress.updated},
      unchanged = unchanged + ${progress.unchanged},
      duplicates = duplicates + ${progress.duplicates},
      failed = failed + ${progress.failed},
      message = ${progress.message},
      heartbeat_at = now()
    WHERE id = ${id}`;
}

/** Stores rows that could not be imported; idempotent so a resumed batch can write them again. */
export async function recordRowErrors(
  tx: postgres.TransactionSql,
  id: string,
  errors: RowError[],
): Promise<void> {
  if (errors.length === 0) return;
  await tx`
    INSERT INTO import_row_errors (job_id, line, fields, message)
    SELECT ${id}, line, fields, message
    FROM jsonb_to_recordset(${tx.json(errors as unknown as postgres.JSONValue)})
      AS e(line bigint, fields jsonb, message text)
    ON CONFLICT DO NOTHING`;
}

/** Finishes a job successfully and queues its one `import.completed` event. */
export async function completeImportJob(
  sql: Sql,
  id: string,
  final: { rowsDone: number; bytesDone: number; message: string },
): Promise<void> {
  await sql.begin(async (tx) => {
    const [job] = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'complete', rows_done = ${final.rowsDone}, bytes_done = ${final.bytesDone},
        message = ${final.message}, finished_at = now()
      WHERE id = ${id}
      RETURNING *`;
    await recordEvent(tx, "import.completed", importEventData(job));
  });
}

/** Fails a job with a message meant for the person who uploaded the file; queues `import.failed`. */
export async function failImportJob(sql: Sql, id: string, reason: string): Promise<void> {
  await sql.begin(async (tx) => {
    const [job] = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'error', error = ${reason}, message = ${reason}, finished_at = now()
      WHERE id = ${id}
      RETURNING *`;
    await recordEvent(tx, "import.failed", importEventData(job));
  });
}

/** What `import.completed` and `import.failed` tell a receiver: the job as the API shows it, under `task_id` too. */
function importEventData(job: ImportJob) {
  return { task_id: job.id, ...importJobJson(job) };
}

/** The row errors of a job in line order, streamed in pages so a large report never sits in memory. */
export async function* iterateRowErrors(sql: Sql, id: string): AsyncGenerator<RowError> {
  let afterLine = 0;
  while (true) {
    const page = await sql<RowError[]>`
      SELECT line, fields, message FROM import_row_errors
      WHERE job_id = ${id} AND line > ${afterLine} ORDER BY line LIMIT 1000`;
    for (const row of page) yield row;
    if (page.length < 1000) return;
    afterLine = page[page.length - 1].line;
  }
}
