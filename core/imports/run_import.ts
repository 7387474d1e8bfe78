import type { Sql } from "../platform/db.ts";
import { type ColumnMap, mapColumns, type ProductRow, validateRow } from "./csv_rows.ts";
import { readCsvRecords } from "./csv_records.ts";
import { ImportFileError } from "../platform/errors.ts";
import { checkFileIsText } from "./file_check.ts";
import {
  completeImportJob,
  failImportJob,
  type ImportJob,
  initLanes,
  MAX_ATTEMPTS,
  recordBatchProgress,
  recordRowErrors,
  type RowError,
  saveImportHeader,
} from "./jobs.ts";
import { type ProgressEvent, progressFromJob } from "./progress.ts";
import { type BatchCounts, type PresentColumns, upsertProductBatch } from "../products/bulk.ts";
import { tidyAfterBulkChange } from "../products/store.ts";

/** Options for {@linkcode runImportJob}. */
export interface ImportRunOptions {
  /** Rows per upsert statement and transaction. */
  batchSize: number;
  /** Database connections writing at once; rows are split between them by SKU. */
  lanes: number;
  /** Receives a progress event after each committed batch and at the end. */
  publish(event: ProgressEvent): void;
}

/** Fields kept in the error report are cut to this length. */
const MAX_REPORTED_FIELD_CHARS = 10_000;

const numberFormat = new Intl.NumberFormat("en-US");

/**
 * Imports a claimed job's file into `products`, resuming after the rows a previous attempt
 * committed. Never throws: every outcome ends as a `complete` or `error` job and event.
 */
export async function runImportJob(sql: Sql, job: ImportJob, options: ImportRunOptions): Promise<void> {
  const publishStored = async (status: ProgressEvent["status"], message: string) => {
    const [latest] = await sql<ImportJob[]>`SELECT * FROM import_jobs WHERE id = ${job.id}`;
    options.publish({ ...progressFromJob(latest), status, message });
  };
  const finish = async (status: "complete" | "error", message: string) => {
    await publishStored(status, message);
    await Deno.remove(job.file_path).catch(() => {});
  };
  try {
    if (job.attempts > MAX_ATTEMPTS) {
      throw new ImportFileError(
        `The import stopped unexpectedly ${MAX_ATTEMPTS} times, so it was given up. ` +
          `${numberFormat.format(job.rows_done)} rows were committed before that.`,
      );
    }
    options.publish({ ...progressFromJob(job), status: "started", message: "Checking the file" });
    await checkFileIsText(job.file_path);
    const totals = await importRows(sql, job, options);
    await publishStored("processing", "Updating the search index");
    await tidyAfterBulkChange(sql);
    const message = completionMessage(totals);
    await completeImportJob(sql, job.id, { rowsDone: totals.rowsDone, bytesDone: job.file_size, message });
    await finish("complete", message);
  } catch (error) {
    const reason = error instanceof ImportFileError
      ? error.message
      : "The import stopped because of an internal error; the rows committed so far are kept.";
    if (!(error instanceof ImportFileError)) console.error(`import ${job.id} failed:`, error);
    await failImportJob(sql, job.id, reason);
    await finish("error", reason);
  }
}

interface ImportTotals extends BatchCounts {
  rowsDone: number;
  failed: number;
}

function completionMessage(totals: ImportTotals): string {
  const parts = [
    `${numberFormat.format(totals.inserted)} new`,
    `${numberFormat.format(totals.updated)} updated`,
    `${numberFormat.format(totals.unchanged)} unchanged`,
  ];
  if (totals.duplicates > 0) {
    parts.push(`${numberFormat.format(totals.duplicates)} repeated SKUs (last row won)`);
  }
  parts.push(`${numberFormat.format(totals.failed)} failed`);
  return `Imported ${numberFormat.format(totals.rowsDone)} rows: ${parts.join(", ")}`;
}

function truncateFields(fields: string[]): string[] {
  return fields.map((field) =>
    field.length > MAX_REPORTED_FIELD_CHARS
      ? `${field.slice(0, MAX_REPORTED_FIELD_CHARS)}… [truncated]`
      : field
  );
}

function headerProblemHint(header: string[]): string {
  if (header.length === 1 && /[;\t|]/.test(header[0])) {
    return " The header looks separated by semicolons or tabs; this importer reads comma-separated files.";
  }
  return "";
}

/**
 * The lane a row is written on. Only the SKU's ASCII digits are hashed: case mapping never
 * creates, removes or changes an ASCII digit, so two SKUs that PostgreSQL's `lower()` treats
 * as equal always share a lane (hashing JS `toLowerCase()` would not guarantee that), and
 * each SKU's rows stay in file order.
 */
export function laneOf(sku: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) {
    const code = sku.charCodeAt(i);
    if (code >= 48 && code <= 57) hash = Math.imul(hash ^ code, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/** One writer: its pending batch, the batch it is committing, and how far it has committed. */
interface Lane {
  index: number;
  /** Rows of this lane up to this record index were committed by an earlier attempt. */
  resumeAfter: number;
  committedThrough: number;
  rows: ProductRow[];
  errors: RowError[];
  inFlight: Promise<void>;
}

/**
 * Streams the file's records into per-lane batches and commits each lane's batches in file
 * order on its own connection, while the parser fills the next ones.
 */
async function importRows(sql: Sql, job: ImportJob, options: ImportRunOptions): Promise<ImportTotals> {
  const resumePoints = await initLanes(sql, job.id, job.lane_rows_done?.length ?? options.lanes);
  const lanes: Lane[] = resumePoints.map((done, index) => ({
    index,
    resumeAfter: done,
    committedThrough: done,
    rows: [],
    errors: [],
    inFlight: Promise.resolve(),
  }));
  const totals: ImportTotals = {
    rowsDone: job.rows_done,
    inserted: job.inserted,
    updated: job.updated,
    unchanged: job.unchanged,
    duplicates: job.duplicates,
    failed: job.failed,
  };
  const rowsBefore = job.rows_done;
  const startedAt = performance.now();
  const elapsedBefore = job.started_at ? Date.now() - job.started_at.getTime() : 0;

  let columns: ColumnMap | null = null;
  let present: PresentColumns = { description: false, price: false, active: false };
  let headerSaved: Promise<void> = Promise.resolve();
  let lastRecord = 0;
  let bytesRead = 0;
  let failure: unknown = null;

  const commit = async (
    lane: Lane,
    rows: ProductRow[],
    errors: RowError[],
    through: number,
    bytes: number,
  ) => {
    await headerSaved;
    const allThrough = Math.min(
      through,
      ...lanes.filter((other) => other !== lane).map((o) => o.committedThrough),
    );
    const counts = await sql.begin(async (tx) => {
      const counts = rows.length > 0
        ? await upsertProductBatch(tx, rows, present)
        : { inserted: 0, updated: 0, unchanged: 0, duplicates: 0 };
      await recordRowErrors(tx, job.id, errors);
      await recordBatchProgress(tx, job.id, {
        lane: lane.index,
        laneThrough: through,
        rowsDone: allThrough,
        bytesDone: bytes,
        ...counts,
        failed: errors.length,
        message: `Imported ${numberFormat.format(allThrough)} rows`,
      });
      return counts;
    });
    lane.committedThrough = through;
    totals.rowsDone = Math.max(totals.rowsDone, allThrough);
    totals.inserted += counts.inserted;
    totals.updated += counts.updated;
    totals.unchanged += counts.unchanged;
    totals.duplicates += counts.duplicates;
    totals.failed += errors.length;
    const seconds = (performance.now() - startedAt) / 1000;
    options.publish({
      task_id: job.id,
      kind: "import",
      status: "processing",
      current: totals.rowsDone,
      total: null,
      percent: Math.min(99, Math.floor((bytes / Math.max(1, job.file_size)) * 100)),
      message: `Imported ${numberFormat.format(totals.rowsDone)} rows`,
      inserted: totals.inserted,
      updated: totals.updated,
      unchanged: totals.unchanged,
      duplicates: totals.duplicates,
      failed: totals.failed,
      rows_per_sec: seconds > 0 ? Math.round((totals.rowsDone - rowsBefore) / seconds) : 0,
      elapsed_ms: Math.round(elapsedBefore + seconds * 1000),
      file_name: job.file_name,
      file_size: job.file_size,
    });
  };

  /** Queues a lane's batch behind the one it is committing; returns that earlier commit. */
  const cutBatch = (lane: Lane): Promise<void> => {
    const { rows, errors } = lane;
    lane.rows = [];
    lane.errors = [];
    const previous = lane.inFlight;
    const through = lastRecord;
    const bytes = bytesRead;
    lane.inFlight = previous.then(() => commit(lane, rows, errors, through, bytes));
    lane.inFlight.catch((error) => {
      failure ??= error;
    });
    return previous;
  };

  const flushAll = async () => {
    for (const lane of lanes) cutBatch(lane);
    await Promise.all(lanes.map((lane) => lane.inFlight));
  };

  try {
    await readCsvRecords(job.file_path, {
      record(fields, index, problem) {
        if (columns === null) {
          try {
            columns = mapColumns(fields);
          } catch (error) {
            if (error instanceof ImportFileError) {
              throw new ImportFileError(error.message + headerProblemHint(fields));
            }
            throw error;
          }
          present = {
            description: columns.description !== undefined,
            price: columns.price !== undefined,
            active: columns.active !== undefined,
          };
          headerSaved = saveImportHeader(sql, job.id, fields);
          return;
        }
        lastRecord = index;
        const lane = lanes[laneOf(fields[columns.sku] ?? "", lanes.length)];
        if (index <= lane.resumeAfter) return;
        const line = index + 1;
        const result = problem ? { ok: false as const, error: problem } : validateRow(fields, columns);
        if (result.ok) lane.rows.push(result.row);
        else {lane.errors.push({
            line,
            fields: truncateFields(fields),
            message: `line ${line}: ${result.error}`,
          });}
      },
      afterChunk(bytes) {
        bytesRead = bytes;
        if (failure) return Promise.reject(failure);
        const full = lanes.filter((lane) => lane.rows.length + lane.errors.length >= options.batchSize);
        if (full.length === 0) return;
        // Parsing goes on while each lane commits one batch; it waits if a lane would fall two behind.
        return Promise.all(full.map(cutBatch)).then(() => {});
      },
    });
  } catch (error) {
    // A file problem found mid-way keeps the valid rows before it; the job fails with the reason.
    if (error instanceof ImportFileError && columns !== null) await flushAll();
    else await Promise.allSettled(lanes.map((lane) => lane.inFlight));
    throw error;
  }
  await flushAll();
  if (failure) throw failure;
  if (columns === null) throw new ImportFileError("The file is empty: it has no header row and no products.");
  if (lastRecord === 0) throw new ImportFileError("The file has a header row but no products below it.");
  totals.rowsDone = lastRecord;
  return totals;
}
