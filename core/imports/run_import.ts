/**
 * Running one import: check the file, read its records, validate each row, write them through
 * the lanes, and finish the job. A row goes: parser (`csv_records.ts`) → `validateRow`
 * (`csv_rows.ts`) → its lane's batch (`lanes.ts`) → one upsert per batch (`products/bulk.ts`),
 * committed with the job's counts and resume point (`jobs.ts`).
 */
import { ImportFileError } from "../platform/errors.ts";
import type { Sql } from "../platform/db.ts";
import { type PresentColumns, tidyAfterBulkChange, upsertProductBatch } from "../products/mod.ts";
import { type CsvRecord, readCsvRecords, swallowedLines } from "./csv_records.ts";
import { type ColumnMap, mapColumns, validateRow } from "./csv_rows.ts";
import { applyColumnMapping, type ColumnMapping } from "./column_mapping.ts";
import { checkFileIsText } from "./file_check.ts";
import {
  completeImportJob,
  failJob,
  type ImportJob,
  initLanes,
  JobInterruptedError,
  type JobRunOptions,
  MAX_ATTEMPTS,
  recordBatchProgress,
  recordRowErrors,
  type RowError,
  saveImportHeader,
  setJobMessage,
} from "./jobs.ts";
import { type LaneBatch, laneOf, LaneWriter } from "./lanes.ts";

/** Fields kept in the error report are cut to this length. */
const MAX_REPORTED_FIELD_CHARS = 10_000;

const numberFormat = new Intl.NumberFormat("en-US");

/**
 * Progress is published as batches commit, so a batch is cut early when no lane has cut one for
 * this share of the file or this long: the bar then moves at least every 1 % or 250 ms.
 */
const PROGRESS_STEP = 0.01;
const PROGRESS_STEP_MS = 250;

/**
 * Imports a claimed job's file into `products`, resuming after the rows a previous attempt
 * committed, and ends the job `complete` or `error` (a file problem fails it with a message for
 * the uploader). When `options.signal` aborts, it returns once the batches handed over have
 * committed, leaving the job and its file for the next attempt. Throws only when the database
 * cannot record the outcome; the job's lease then runs out and another attempt resumes it.
 */
export async function runImport(sql: Sql, job: ImportJob, options: JobRunOptions): Promise<void> {
  let ended = false;
  try {
    if (job.attempts > MAX_ATTEMPTS) {
      throw new ImportFileError(
        `The import stopped unexpectedly ${MAX_ATTEMPTS} times, so it was given up. ` +
          `${numberFormat.format(job.rows_done)} rows were committed before that.`,
      );
    }
    options.report(await setJobMessage(sql, job.id, "Checking the file"));
    await checkFileIsText(job.file_path);
    const records = await importRows(sql, job, options);
    const written = await setJobMessage(sql, job.id, "Updating the search index");
    options.report(written);
    await tidyAfterBulkChange(sql);
    if (written.rows_done !== records) {
      // Every record read is committed once as new, updated, unchanged, repeated or failed.
      console.error(`import ${job.id}: ${records} rows read but ${written.rows_done} counted`);
    }
    options.report(await completeImportJob(sql, job.id, { message: completionMessage(written) }));
    ended = true;
  } catch (error) {
    if (error instanceof JobInterruptedError) return;
    if (!(error instanceof ImportFileError)) console.error(`import ${job.id} failed:`, error);
    const reason = error instanceof ImportFileError
      ? error.message
      : "The import stopped because of an internal error; the rows committed so far are kept.";
    options.report(await failJob(sql, job.id, reason));
    ended = true;
  } finally {
    // The file is kept until the job has ended: a stopped or crashed attempt resumes from it.
    if (ended) await Deno.remove(job.file_path).catch(() => {});
  }
}

/** Reads the file and writes its rows; returns the number of data records in the file. */
async function importRows(sql: Sql, job: ImportJob, options: JobRunOptions): Promise<number> {
  let columns: ColumnMap | null = null;
  const resumePoints = await initLanes(sql, job.id, job.lane_rows_done?.length ?? options.lanes);
  const lanes: LaneWriter[] = resumePoints.map((resumeAfter, index) =>
    new LaneWriter(index, {
      resumeAfter,
      batchSize: options.batchSize,
      commit: async (batch) => options.report(await commitBatch(sql, job, { batch, columns: columns! })),
    })
  );
  let lastRecord = 0;
  let bytesRead = 0;
  const step = Math.max(1, job.file_size * PROGRESS_STEP);
  let lastCut = { bytes: 0, at: Date.now() };
  const cutAll = async () => {
    await Promise.all(lanes.map((lane) => lane.cut(lastRecord, bytesRead)));
    await Promise.all(lanes.map((lane) => lane.drain()));
  };
  try {
    for await (const chunk of readCsvRecords(job.file_path, { delimiter: job.delimiter })) {
      const { records, bytesStart } = chunk;
      const chunkBytes = chunk.bytesRead - bytesStart;
      for (let position = 0; position < records.length; position++) {
        const record = records[position];
        const { fields, index, problem } = record;
        if (columns === null) {
          // The preview's column mapping (issue 12) renames or blanks header cells before they are read.
          columns = headerColumns(applyColumnMapping(fields, job.column_mapping as ColumnMapping | null));
          await saveImportHeader(sql, job.id, fields);
          continue;
        }
        lastRecord = index;
        // Where this record ends in the file, spread evenly over the chunk: the bar moves per batch.
        bytesRead = bytesStart + Math.round((chunkBytes * (position + 1)) / records.length);
        const lane = lanes[laneOf(fields[columns.sku] ?? "", lanes.length)];
        if (lane.hasCommitted(index)) {
          // Counted by an earlier attempt; its SKU still makes a later row of the file a repeat.
          const earlier = problem ? null : validateRow(fields, columns);
          if (earlier?.ok) lane.skus.committedBefore(earlier.row.sku);
          continue;
        }
        const result = problem ? { ok: false as const, error: problem } : validateRow(fields, columns);
        if (result.ok) lane.addRow(result.row);
        else lane.addError(rowError(record, result.error, columns.width));

        let due: LaneWriter | null = lane.full ? lane : null;
        if (
          due === null &&
          (bytesRead - lastCut.bytes >= step ||
            ((index & 63) === 0 && Date.now() - lastCut.at >= PROGRESS_STEP_MS))
        ) {
          // Cutting the fullest lane early staggers the lanes' batches instead of shrinking them all.
          const fullest = lanes.reduce((a, b) => (b.pending > a.pending ? b : a));
          if (fullest.pending > 0) due = fullest;
        }
        if (due !== null) {
          // Parsing goes on while each lane commits one batch; it waits if a lane would fall two behind.
          await due.cut(index, bytesRead);
          due.throwIfFailed();
          // Timed from when parsing goes on: a wait for a commit must not make the next batch short.
          lastCut = { bytes: bytesRead, at: Date.now() };
        }
      }
      bytesRead = chunk.bytesRead;
      for (const lane of lanes) lane.throwIfFailed();
      // The rows read since the last cut are read again by the attempt that resumes the job.
      if (options.signal?.aborted) throw new JobInterruptedError();
    }
  } catch (error) {
    // A file problem found mid-way keeps the valid rows before it; the job fails with the reason.
    if (error instanceof ImportFileError && columns !== null) await cutAll();
    else await Promise.allSettled(lanes.map((lane) => lane.drain()));
    throw error;
  }
  await cutAll();
  if (columns === null) throw new ImportFileError("The file is empty: it has no header row and no products.");
  if (lastRecord === 0) throw new ImportFileError("The file has a header row but no products below it.");
  return lastRecord;
}

/**
 * Commits one lane's batch — its upsert, its row errors, the job's counts and the lane's resume
 * point — in one transaction; returns the job as stored. The job's counts only ever grow by whole
 * committed batches, so every stored state (and so every event) adds up.
 */
async function commitBatch(
  sql: Sql,
  job: ImportJob,
  { batch, columns }: { batch: LaneBatch; columns: ColumnMap },
): Promise<ImportJob> {
  // Only the file's columns are written: a column missing from the file is left as stored.
  const present: PresentColumns = {
    description: columns.description !== undefined,
    price: columns.price !== undefined,
    active: columns.active !== undefined,
  };
  const skus = batch.lane.skus;
  const earlier = skus.earlier(batch.rows);
  const stored = await sql.begin(async (tx) => {
    const counts = batch.rows.length > 0
      ? await upsertProductBatch(tx, batch.rows, { columns: present, earlier })
      : { inserted: 0, updated: 0, unchanged: 0, duplicates: 0, unchangedRows: [] };
    await recordRowErrors(tx, job.id, batch.errors);
    const row = await recordBatchProgress(tx, job.id, {
      lane: batch.lane.index,
      laneThrough: batch.through,
      rows: batch.rows.length + batch.errors.length,
      bytesDone: batch.bytesRead,
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.unchanged,
      duplicates: counts.duplicates,
      failed: batch.errors.length,
    });
    return { job: row, unchangedRows: counts.unchangedRows };
  });
  skus.committed(batch.rows, stored.unchangedRows);
  return stored.job;
}

/**
 * A row that failed, as the error report shows it (line numbers count the header as 1). A row with
 * the wrong number of fields that runs over several file lines says which: a stray quote has most
 * likely swallowed them (a quote problem says so itself).
 */
function rowError(
  { index, line, lines, fields, problem }: CsvRecord,
  reason: string,
  width: number,
): RowError {
  const note = problem === null && fields.length !== width ? swallowedLines(line, lines) : "";
  return {
    line: index + 1,
    fields: truncateFields(fields),
    message: `line ${index + 1}: ${reason}${note}`,
  };
}

function headerColumns(header: string[]): ColumnMap {
  try {
    return mapColumns(header);
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    const semicolons = header.length === 1 && /[;\t|]/.test(header[0]);
    throw new ImportFileError(
      error.message +
        (semicolons
          ? " The header looks separated by semicolons or tabs; this importer reads comma-separated files."
          : ""),
    );
  }
}

function truncateFields(fields: string[]): string[] {
  return fields.map((field) =>
    field.length > MAX_REPORTED_FIELD_CHARS
      ? `${field.slice(0, MAX_REPORTED_FIELD_CHARS)}… [truncated]`
      : field
  );
}

function completionMessage(job: ImportJob): string {
  const parts = [
    `${numberFormat.format(job.inserted)} new`,
    `${numberFormat.format(job.updated)} updated`,
    `${numberFormat.format(job.unchanged)} unchanged`,
  ];
  if (job.duplicates > 0) parts.push(`${numberFormat.format(job.duplicates)} repeated SKUs (last row won)`);
  parts.push(`${numberFormat.format(job.failed)} failed`);
  return `Imported ${numberFormat.format(job.rows_done)} rows: ${parts.join(", ")}`;
}
