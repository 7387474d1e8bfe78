/**
 * The job table: recording, claiming and finishing import and delete-all jobs, their counts and
 * resume points, and their row errors. PostgreSQL, not the queue, decides who runs what.
 */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import { recordEvent } from "../webhooks/mod.ts";
import type { ColumnMapping } from "./column_mapping.ts";
import { type ImportJob, progressFromJob } from "./progress.ts";

export type { ImportJob };

/** Counts added by one committed chunk of one lane. */
export interface ChunkProgress {
  lane: number;
  /** Every chunk of this lane up to this record index is now committed. */
  laneThrough: number;
  /** The chunk's staged rows: always inserted + updated + unchanged + duplicates. */
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
}

/** A row that could not be imported, with its line number and the original fields. */
export interface RowError {
  line: number;
  fields: string[];
  message: string;
}

/** What running a job needs besides the database. */
export interface JobRunOptions {
  /** Records per staging statement, and per chunk written (one statement and transaction). */
  batchSize: number;
  /** Database connections an import writes on at once; the file's chunks alternate between them. */
  lanes: number;
  /**
   * An import expected to write at least this many products (and at least half the table) drops
   * the search indexes and has them rebuilt after it ends; null never does (the embedded database).
   */
  deferSearchIndexRows: number | null;
  /**
   * Whether PostgreSQL's own CSV reader stages the records that need nothing changed (a `COPY`
   * from the client; false on the embedded database, whose socket does not take one).
   */
  copyCleanRecords: boolean;
  /** Receives the job as stored after each step and batch, and at the end. */
  report(job: ImportJob): void;
  /**
   * Aborted when the process stops: the import lets the batches it handed over commit, then
   * returns without ending the job (it is released and resumed later).
   */
  signal?: AbortSignal;
}

/** Thrown inside a job that stopped because its process is stopping; the job is not ended. */
export class JobInterruptedError extends Error {
  constructor() {
    super("The job was interrupted because the server is stopping.");
    this.name = "JobInterruptedError";
  }
}

/** After this many starts that never finished, a job is failed instead of retried again. */
export const MAX_ATTEMPTS = 3;

/** An uploaded file to import, and how to read it. */
export interface NewImportJob {
  fileName: string;
  filePath: string;
  fileSize: number;
  /** The instance whose volume holds the file: only it may claim the job. */
  ownerInstance: string | null;
  /** How the file's headers map to product fields; by name when absent. */
  columnMapping?: ColumnMapping;
  /** The field separator the preview detected; a comma when absent. */
  delimiter?: string;
}

/** Records a new queued import of an uploaded file. */
export async function createImportJob(
  sql: Sql | postgres.TransactionSql,
  file: NewImportJob,
): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    INSERT INTO import_jobs (id, file_name, file_path, file_size, owner_instance, column_mapping, delimiter, message)
    VALUES (${crypto.randomUUID()}, ${file.fileName}, ${file.filePath}, ${file.fileSize},
      ${file.ownerInstance}, ${file.columnMapping ? sql.json(file.columnMapping) : null},
      ${file.delimiter ?? ","}, 'Waiting in the import queue')
    RETURNING *`;
  return row;
}

/** Records a new queued delete-all run. */
export async function createBulkDeleteJob(sql: Sql | postgres.TransactionSql): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    INSERT INTO import_jobs (id, kind, file_name, message)
    VALUES (${crypto.randomUUID()}, 'bulk_delete', 'Delete all products', 'Waiting in the queue')
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

/** Who is claiming, and when a silent job counts as abandoned. */
export interface ClaimOptions {
  /** A `processing` job whose heartbeat is older than this many seconds is taken over. */
  leaseSeconds: number;
  /** The claiming instance: it may run jobs it owns and jobs that no instance owns. */
  instanceId: string;
}

/**
 * Claims the oldest job this instance may run — its own imports (their files are on its volume)
 * and ownerless jobs (delete-all) — that is queued, or processing with a heartbeat older than
 * the lease (its process died), so jobs run in the order they were asked for.
 */
export async function claimNextJob(sql: Sql, options: ClaimOptions): Promise<ImportJob | null> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET
      status = 'processing',
      attempts = attempts + 1,
      claimed_by = ${options.instanceId},
      started_at = coalesce(started_at, now()),
      heartbeat_at = now(),
      message = CASE WHEN started_at IS NULL THEN 'Starting' ELSE 'Resuming after an interruption' END
    WHERE id = (
      SELECT id FROM import_jobs
      WHERE (status = 'queued'
          OR (status = 'processing' AND heartbeat_at < now() - make_interval(secs => ${options.leaseSeconds})))
        AND (owner_instance IS NULL OR owner_instance = ${options.instanceId})
        -- A job marked for cancelling is ended by cancel.ts, never resumed.
        AND cancel_requested_at IS NULL
      ORDER BY created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`;
  return row ?? null;
}

/**
 * Puts this instance's `processing` jobs back in the queue at start-up: the process that ran them
 * is gone (one process per data folder), so they need not wait for their lease to run out. A
 * crash still counts as an attempt.
 */
export async function requeueOwnJobs(sql: Sql, instanceId: string): Promise<number> {
  const rows = await sql`
    UPDATE import_jobs SET status = 'queued', heartbeat_at = NULL,
      message = 'Waiting to resume after the server restarted'
    WHERE owner_instance = ${instanceId} AND status = 'processing'
    RETURNING id`;
  return rows.length;
}

/**
 * Hands a job back to the queue when its process stops on purpose (a deploy): its committed
 * batches stay, the next claim resumes after them, and the stop does not count as an attempt.
 * Returns the job as stored, or null when it had already ended.
 */
export async function releaseJob(sql: Sql, id: string): Promise<ImportJob | null> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), heartbeat_at = NULL,
      message = 'Paused while the server restarts; it resumes where it stopped'
    WHERE id = ${id} AND status = 'processing'
    RETURNING *`;
  return row ?? null;
}

/** Marks the job as alive so no other process takes it over. */
export async function touchJob(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE import_jobs SET heartbeat_at = now() WHERE id = ${id} AND status = 'processing'`;
}

/** Says what a running job is doing now; returns the job as stored. */
export async function setJobMessage(sql: Sql, id: string, message: string): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET message = ${message}, heartbeat_at = now() WHERE id = ${id} RETURNING *`;
  return row;
}

/** Saves the header (for the error CSV) once the file's first row is read. */
export async function saveImportHeader(sql: Sql, id: string, header: string[]): Promise<void> {
  await sql`UPDATE import_jobs SET header = ${sql.json(header)} WHERE id = ${id}`;
}

/**
 * Starts reading a job's file afresh: an attempt that stopped before the file was staged left
 * counts and row errors that this attempt records again.
 */
export async function restartReading(sql: Sql, id: string): Promise<ImportJob> {
  return await sql.begin(async (tx) => {
    await tx`DELETE FROM import_row_errors WHERE job_id = ${id}`;
    const [row] = await tx<ImportJob[]>`
      UPDATE import_jobs SET rows_done = 0, bytes_done = 0, inserted = 0, updated = 0, unchanged = 0,
        duplicates = 0, failed = 0, lane_rows_done = NULL, rows_total = NULL, message = 'Reading the file',
        heartbeat_at = now()
      WHERE id = ${id}
      RETURNING *`;
    return row;
  });
}

/**
 * While the file is read: stores the rows that failed so far and counts them (a failed row's
 * outcome is known at once), and how far into the file the reader is. Returns the job as stored.
 */
export async function recordReadProgress(
  sql: Sql,
  id: string,
  progress: { bytesDone: number; rowsRead: number; errors: RowError[] },
): Promise<ImportJob> {
  return await sql.begin(async (tx) => {
    await recordRowErrors(tx, id, progress.errors);
    const [row] = await tx<ImportJob[]>`
      UPDATE import_jobs SET
        rows_done = rows_done + ${progress.errors.length},
        failed = failed + ${progress.errors.length},
        bytes_done = greatest(bytes_done, ${progress.bytesDone}),
        message = 'Reading the file: ' || to_char(${progress.rowsRead}::bigint, 'FM999,999,999,990') || ' rows read',
        heartbeat_at = now()
      WHERE id = ${id}
      RETURNING *`;
    return row;
  });
}

/**
 * Marks the file as read and staged: its number of rows, and one resume point per lane for the
 * writes that follow. A resumed attempt then writes from where the lanes stopped.
 */
export async function markStaged(
  sql: Sql,
  id: string,
  staged: { rowsTotal: number; lanes: number },
): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET rows_total = ${staged.rowsTotal}, bytes_done = file_size,
      lane_rows_done = array_fill(0::bigint, ARRAY[${staged.lanes}::int]),
      message = 'Writing products', heartbeat_at = now()
    WHERE id = ${id}
    RETURNING *`;
  return row;
}

/** Records that this import writes without the search indexes; they are rebuilt after it ends. */
export async function markSearchDeferred(sql: Sql, id: string): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    UPDATE import_jobs SET search_deferred = true, search_ready_at = NULL,
      message = 'Writing products (the search index is rebuilt afterwards)', heartbeat_at = now()
    WHERE id = ${id}
    RETURNING *`;
  return row;
}

/**
 * True while any job (they all write products) is queued or running: the search indexes are not
 * rebuilt yet. An import that set them aside needs them missing until it ends, and a rebuild (a
 * plain `CREATE INDEX`) would hold any other job's writes until it is done; an import still
 * reading may yet set them aside. Each job wakes the keeper when it ends.
 */
export async function productJobsRun(sql: Sql): Promise<boolean> {
  const [{ running }] = await sql<{ running: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM import_jobs WHERE status IN ('queued', 'processing')) AS running`;
  return running;
}

/**
 * Whether any of these jobs may have changed products: every one but an import that completed
 * having inserted and updated nothing (a re-import of an unchanged file). A job not found counts.
 */
export async function jobsChangedProducts(sql: Sql, ids: string[]): Promise<boolean> {
  const [{ unchanging }] = await sql<{ unchanging: number }[]>`
    SELECT count(*)::int AS unchanging FROM import_jobs
    WHERE id = ANY(${ids}::uuid[]) AND kind = 'import' AND status = 'complete' AND inserted = 0 AND updated = 0`;
  return unchanging < ids.length;
}

/** The ended imports still waiting for the search indexes they set aside. */
export async function importsAwaitingSearch(sql: Sql): Promise<number> {
  const [{ count }] = await sql<{ count: number }[]>`
    SELECT count(*)::int AS count FROM import_jobs
    WHERE search_deferred AND search_ready_at IS NULL AND status IN ('complete', 'error', 'cancelled')`;
  return count;
}

/** Stamps the ended imports that set the search indexes aside as caught up; returns them. */
export async function markSearchReady(sql: Sql): Promise<ImportJob[]> {
  return await sql<ImportJob[]>`
    UPDATE import_jobs SET search_ready_at = now()
    WHERE search_deferred AND search_ready_at IS NULL AND status IN ('complete', 'error', 'cancelled')
    RETURNING *`;
}

/**
 * Adds a chunk's counts and moves its lane's resume point, inside the chunk's transaction; returns
 * the job as stored. Lanes commit concurrently, so each sets only its own array element and adds
 * to the counts; rows done grows by the chunk's rows, so the counts add up in every stored state.
 */
export async function recordChunkProgress(
  tx: postgres.TransactionSql,
  id: string,
  progress: ChunkProgress,
): Promise<ImportJob> {
  const [row] = await tx<ImportJob[]>`
    UPDATE import_jobs SET
      lane_rows_done[${progress.lane + 1}] = ${progress.laneThrough},
      rows_done = rows_done + ${progress.rows},
      inserted = inserted + ${progress.inserted},
      updated = updated + ${progress.updated},
      unchanged = unchanged + ${progress.unchanged},
      duplicates = duplicates + ${progress.duplicates},
      message = 'Imported ' || to_char(rows_done + ${progress.rows}, 'FM999,999,999,990') || ' of ' ||
        to_char(rows_total, 'FM999,999,999,990') || ' rows',
      heartbeat_at = now()
    WHERE id = ${id}
    RETURNING *`;
  return row;
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

/**
 * Finishes an import successfully and queues its one `import.completed` event; returns the job.
 * The counts stay as the last batch committed them: the final state is the sum of the live ones.
 */
export async function completeImportJob(
  sql: Sql,
  id: string,
  final: { message: string },
): Promise<ImportJob> {
  return await sql.begin(async (tx) => {
    const [job] = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'complete', bytes_done = file_size,
        message = ${final.message}, finished_at = now()
      WHERE id = ${id}
      RETURNING *`;
    await recordEvent(tx, "import.completed", importEventData(job));
    return job;
  });
}

/** Finishes a delete-all in the transaction that deleted the products; queues `products.bulk_deleted`. */
export async function completeBulkDeleteJob(
  tx: postgres.TransactionSql,
  id: string,
  deleted: number,
): Promise<ImportJob> {
  const [job] = await tx<ImportJob[]>`
    UPDATE import_jobs SET status = 'complete', rows_done = ${deleted}, finished_at = now(),
      message = ${`Deleted ${deleted.toLocaleString("en-US")} products`}
    WHERE id = ${id}
    RETURNING *`;
  await recordEvent(tx, "products.bulk_deleted", { task_id: id, count: deleted });
  return job;
}

/**
 * Fails a job with a message meant for the person who started it; an import also queues
 * `import.failed`. Returns the job.
 */
export async function failJob(sql: Sql, id: string, reason: string): Promise<ImportJob> {
  return await sql.begin(async (tx) => {
    const [job] = await tx<ImportJob[]>`
      UPDATE import_jobs SET status = 'error', error = ${reason}, message = ${reason}, finished_at = now()
      WHERE id = ${id}
      RETURNING *`;
    if (job.kind === "import") await recordEvent(tx, "import.failed", importEventData(job));
    return job;
  });
}

/** What the `import.*` events tell a receiver: the job as the API shows it, under `task_id` too. */
export function importEventData(job: ImportJob) {
  return { task_id: job.id, ...importJobJson(job) };
}

/** The JSON form of an import job: `/api/imports` and the `import.*` webhook events. */
export function importJobJson(job: ImportJob) {
  const progress = progressFromJob(job);
  return {
    id: job.id,
    file_name: job.file_name,
    file_size: job.file_size,
    status: job.status,
    cancelling: progress.cancelling,
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
    search_index: progress.search_index,
    search_ready_at: job.search_ready_at,
  };
}

/** The row errors of a job in line order, a page at a time, so a large report never sits in memory. */
export async function* iterateRowErrors(sql: Sql, id: string): AsyncGenerator<RowError[]> {
  let afterLine = 0;
  while (true) {
    const page = await sql<RowError[]>`
      SELECT line, fields, message FROM import_row_errors
      WHERE job_id = ${id} AND line > ${afterLine} ORDER BY line LIMIT 1000`;
    if (page.length > 0) yield page;
    if (page.length < 1000) return;
    afterLine = page[page.length - 1].line;
  }
}
