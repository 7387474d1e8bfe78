import Papa from "papaparse";
import { Readable } from "node:stream";
import type { Sql } from "./db.ts";
import { type ColumnMap, mapColumns, type ProductRow, validateRow } from "./csv_rows.ts";
import { ImportFileError } from "./errors.ts";
import { checkFileIsText } from "./file_sniff.ts";
import {
  completeImportJob,
  failImportJob,
  type ImportJob,
  MAX_ATTEMPTS,
  recordBatchProgress,
  recordRowErrors,
  type RowError,
  saveImportHeader,
} from "./import_jobs.ts";
import { type ProgressEvent, progressFromJob } from "./import_progress.ts";
import { type BatchCounts, type PresentColumns, upsertProductBatch } from "./product_upsert.ts";

/** Options for {@linkcode runImportJob}. */
export interface ImportRunOptions {
  /** Rows per upsert statement and transaction. */
  batchSize: number;
  /** Receives a progress event after each committed batch and at the end. */
  publish(event: ProgressEvent): void;
}

/**
 * A single record longer than this (in characters) means a quote was never closed: stop
 * instead of reading the rest of the file into one field.
 */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
/** Fields kept in the error report are cut to this length. */
const MAX_REPORTED_FIELD_CHARS = 10_000;

const numberFormat = new Intl.NumberFormat("en-US");

/**
 * Imports a claimed job's file into `products`, resuming after the rows a previous attempt
 * committed. Never throws: every outcome ends as a `complete` or `error` job and event.
 */
export async function runImportJob(sql: Sql, job: ImportJob, options: ImportRunOptions): Promise<void> {
  const finish = async (status: "complete" | "error", message: string) => {
    const [latest] = await sql<ImportJob[]>`SELECT * FROM import_jobs WHERE id = ${job.id}`;
    options.publish({ ...progressFromJob(latest), status, message });
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
    const result = await importRows(sql, job, options);
    const message = completionMessage(result);
    await completeImportJob(sql, job.id, { rowsDone: result.rowsDone, bytesDone: job.file_size, message });
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

/** Streams the file through papaparse, committing batches in file order with one batch in flight. */
async function importRows(sql: Sql, job: ImportJob, options: ImportRunOptions): Promise<ImportTotals> {
  const resumeAfterRow = job.rows_done;
  const totals: ImportTotals = {
    rowsDone: job.rows_done,
    inserted: job.inserted,
    updated: job.updated,
    unchanged: job.unchanged,
    duplicates: job.duplicates,
    failed: job.failed,
  };
  const startedAt = performance.now();
  const elapsedBefore = job.started_at ? Date.now() - job.started_at.getTime() : 0;

  let bytesRead = 0;
  let charsRead = 0;
  const file = await Deno.open(job.file_path, { read: true });
  const text = file.readable
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytesRead += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    )
    .pipeThrough(new TextDecoderStream("utf-8", { fatal: true }) as TransformStream<Uint8Array, string>)
    .pipeThrough(
      new TransformStream<string, string>({
        transform(chunk, controller) {
          charsRead += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
  const input = Readable.fromWeb(text as import("node:stream/web").ReadableStream<string>, {
    objectMode: true,
    highWaterMark: 4,
  });

  let columns: ColumnMap | null = null;
  let present: PresentColumns = { description: false, price: false, active: false };
  let recordIndex = 0;
  let batch: ProductRow[] = [];
  let batchErrors: RowError[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let fatal: unknown = null;

  const commit = async (rows: ProductRow[], errors: RowError[], rowsDone: number, bytesDone: number) => {
    const counts = await sql.begin(async (tx) => {
      const counts = rows.length > 0
        ? await upsertProductBatch(tx, rows, present)
        : { inserted: 0, updated: 0, unchanged: 0, duplicates: 0 };
      await recordRowErrors(tx, job.id, errors);
      await recordBatchProgress(tx, job.id, {
        rowsDone,
        bytesDone,
        ...counts,
        failed: errors.length,
        message: `Imported ${numberFormat.format(rowsDone)} rows`,
      });
      return counts;
    });
    totals.rowsDone = rowsDone;
    totals.inserted += counts.inserted;
    totals.updated += counts.updated;
    totals.unchanged += counts.unchanged;
    totals.duplicates += counts.duplicates;
    totals.failed += errors.length;
    const seconds = (performance.now() - startedAt) / 1000;
    options.publish({
      task_id: job.id,
      status: "processing",
      current: rowsDone,
      total: null,
      percent: Math.min(99, Math.floor((bytesDone / Math.max(1, job.file_size)) * 100)),
      message: `Imported ${numberFormat.format(rowsDone)} rows`,
      inserted: totals.inserted,
      updated: totals.updated,
      unchanged: totals.unchanged,
      duplicates: totals.duplicates,
      failed: totals.failed,
      rows_per_sec: seconds > 0 ? Math.round((rowsDone - resumeAfterRow) / seconds) : 0,
      elapsed_ms: Math.round(elapsedBefore + seconds * 1000),
      file_name: job.file_name,
      file_size: job.file_size,
    });
  };

  /** Queues the current batch behind the one in flight; parsing waits until at most one is pending. */
  const scheduleCommit = (parser: Papa.Parser | null) => {
    const rows = batch;
    const errors = batchErrors;
    batch = [];
    batchErrors = [];
    const previous = inFlight;
    inFlight = previous.then(() => commit(rows, errors, recordIndex, bytesRead));
    inFlight.catch((error) => {
      fatal ??= error;
    });
    if (parser) {
      parser.pause();
      input.pause();
      previous.then(() => {
        if (fatal) return parser.abort();
        input.resume();
        parser.resume();
      }, () => parser.abort());
    }
  };

  const handleRecord = (fields: string[], quoteError: string | null) => {
    if (columns === null) {
      try {
        columns = mapColumns(fields);
      } catch (error) {
        if (error instanceof ImportFileError) {
          throw new ImportFileError(error.message + headerProblemHint(fields));
        }
        throw error;
      }
      const header = fields;
      inFlight = inFlight.then(() => saveImportHeader(sql, job.id, header));
      present = {
        description: columns.description !== undefined,
        price: columns.price !== undefined,
        active: columns.active !== undefined,
      };
      return;
    }
    recordIndex += 1;
    if (recordIndex <= resumeAfterRow) return;
    const line = recordIndex + 1;
    const result = quoteError ? { ok: false as const, error: quoteError } : validateRow(fields, columns);
    if (result.ok) batch.push(result.row);
    else batchErrors.push({ line, fields: truncateFields(fields), message: `line ${line}: ${result.error}` });
  };

  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(input, {
      delimiter: ",",
      skipEmptyLines: true,
      chunk(results, parser) {
        try {
          const quoteErrors = new Map<number, Papa.ParseError>();
          for (const error of results.errors) {
            if (error.row !== undefined) quoteErrors.set(error.row, error);
          }
          results.data.forEach((fields, index) => {
            const error = quoteErrors.get(index);
            if (error?.code === "MissingQuotes") {
              throw new ImportFileError(
                `Line ${
                  recordIndex + 2
                }: a quoted field is opened but never closed, so the rest of the file ` +
                  `cannot be read reliably. ${
                    numberFormat.format(recordIndex)
                  } rows before it were processed; ` +
                  `fix the quote and import the file again (rows already imported will show as unchanged).`,
              );
            }
            const quoteError = error ? "a quoted field has text after its closing quote" : null;
            handleRecord(fields, quoteError);
          });
          if (charsRead - results.meta.cursor > MAX_RECORD_CHARS) {
            throw new ImportFileError(
              `Line ${
                recordIndex + 2
              }: a single row is longer than 8 MB, which almost always means a quote ` +
                `is never closed. ${numberFormat.format(recordIndex)} rows before it were processed.`,
            );
          }
          if (batch.length + batchErrors.length >= options.batchSize) scheduleCommit(parser);
        } catch (error) {
          fatal ??= error;
          parser.abort();
        }
      },
      complete() {
        if (fatal) {
          // A file problem found mid-way keeps the valid rows before it; the job fails with the reason.
          if (fatal instanceof ImportFileError && columns !== null) scheduleCommit(null);
          inFlight.then(() => reject(fatal), () => reject(fatal));
          return;
        }
        if (columns === null) {
          reject(new ImportFileError("The file is empty: it has no header row and no products."));
          return;
        }
        scheduleCommit(null);
        inFlight.then(() => (fatal ? reject(fatal) : resolve()), reject);
      },
      error(error: Error) {
        fatal ??= error;
        inFlight.then(() => reject(fatal), () => reject(fatal));
      },
    });
  }).finally(() => input.destroy());

  if (columns !== null && totals.rowsDone === 0) {
    throw new ImportFileError("The file has a header row but no products below it.");
  }
  return totals;
}
