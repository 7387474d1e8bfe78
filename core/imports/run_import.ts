/**
 * Running one import, in two steps. Reading: check the file, parse its records
 * (`csv_records.ts`), validate each row (`csv_rows.ts`) and stage the valid ones in the job's
 * UNLOGGED table (`staging.ts`), storing failed rows as they are found. Writing: the staged rows,
 * in chunks of the file alternating between the lanes' connections, each chunk one statement
 * (`products/bulk.ts`) committed with the job's counts and its lane's resume point (`jobs.ts`).
 * Staging first lets each SKU's last row in the file be the one written, once.
 */
import { ImportFileError } from "../platform/errors.ts";
import type { Sql } from "../platform/db.ts";
import { dropDeferredIndexes, type PresentColumns, writeStagedChunk } from "../products/mod.ts";
import { type CsvRecord, readCsvRecords, swallowedLines } from "./csv_records.ts";
import { type ColumnMap, mapColumns, storesAsWritten, validateRow } from "./csv_rows.ts";
import { applyColumnMapping, type ColumnMapping } from "./column_mapping.ts";
import { FileNotTextError } from "./file_check.ts";
import {
  completeImportJob,
  failJob,
  type ImportJob,
  JobInterruptedError,
  type JobRunOptions,
  markSearchDeferred,
  markStaged,
  MAX_ATTEMPTS,
  recordChunkProgress,
  recordReadProgress,
  restartReading,
  type RowError,
  saveImportHeader,
  setJobMessage,
} from "./jobs.ts";
import {
  appendToStage,
  copiedTotals,
  createStage,
  dropStage,
  type FileLayout,
  holdsText,
  indexStage,
  sampledWriteShare,
  stageColumns,
  StageCopy,
  type StagedRow,
  stagedRowCount,
  stageTableName,
} from "./staging.ts";

/** Fields kept in the error report are cut to this length. */
const MAX_REPORTED_FIELD_CHARS = 10_000;

const numberFormat = new Intl.NumberFormat("en-US");

/** While the file is read, progress is stored at least every 1 % of the file or 250 ms. */
const PROGRESS_STEP = 0.01;
const PROGRESS_STEP_MS = 250;
/**
 * Reading lets the server's other work in at least this often: jobs run on the main thread, and
 * parsed chunks follow each other through promises alone, holding HTTP requests up for 20–70 ms.
 */
const YIELD_EVERY_MS = 5;
/**
 * When a sample of the staged rows says fewer than this share would change `products`, each chunk
 * looks its rows up first and leaves the unchanged ones alone (see `StagedChunk`); otherwise the
 * lookup is skipped: for a new file it was a wasted index probe per row (~1 s of a 500k import).
 */
const LOOK_UP_FIRST_BELOW_SHARE = 0.8;

/**
 * Imports a claimed job's file into `products`, resuming where a previous attempt stopped (a file
 * already staged is written on from its lanes' resume points), and ends the job `complete` or
 * `error` (a file problem fails it with a message for the uploader). When `options.signal`
 * aborts, it returns once the chunks being written have committed, leaving the job and its file
 * for the next attempt. Throws only when the database cannot record the outcome; the job's lease
 * then runs out and another attempt resumes it.
 */
export async function runImport(sql: Sql, job: ImportJob, options: JobRunOptions): Promise<void> {
  const stage = stageTableName(job.id);
  let ended = false;
  try {
    if (job.attempts > MAX_ATTEMPTS) {
      throw new ImportFileError(
        `The import stopped unexpectedly ${MAX_ATTEMPTS} times, so it was given up. ` +
          `${numberFormat.format(job.rows_done)} rows were committed before that.`,
      );
    }
    let current = job;
    let fileProblem: ImportFileError | null = null;
    // Staged by an earlier attempt, and the staging table still whole (PostgreSQL empties UNLOGGED
    // tables when it restarts after a crash): write on. Otherwise read the file (again).
    const staged = job.rows_total !== null &&
      (await stagedRowCount(sql, stage)) === job.rows_total - job.failed;
    if (!staged) ({ job: current, fileProblem } = await stageFile(sql, job, stage, options));
    current = await writeStagedRows(sql, current, stage, options);
    await dropStage(sql, stage);
    if (fileProblem) throw fileProblem;
    if (current.rows_done !== current.rows_total) {
      // Every record read is committed once as new, updated, unchanged, repeated or failed.
      console.error(`import ${job.id}: ${current.rows_total} rows read but ${current.rows_done} counted`);
    }
    options.report(await completeImportJob(sql, job.id, { message: completionMessage(current) }));
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
    // The file and the staged rows are kept until the job has ended: another attempt resumes from them.
    if (ended) {
      await dropStage(sql, stage).catch((error) =>
        console.error(`import ${job.id}: staging table kept:`, error)
      );
      await Deno.remove(job.file_path).catch(() => {});
    }
  }
}

/**
 * Reads the file into the staging table, storing and counting the rows that fail as it goes.
 * A file problem found after the header (e.g. an unclosed quote at the end) is returned, not
 * thrown: the rows before it are written, then the job fails with it. A job whose file was staged
 * before (its staging table lost to a database restart) is staged again without counting twice.
 * Also returns how many rows PostgreSQL's CSV reader staged (none when the file was staged again).
 */
export async function stageFile(
  sql: Sql,
  job: ImportJob,
  stage: string,
  options: JobRunOptions,
): Promise<{ job: ImportJob; fileProblem: ImportFileError | null; copiedRows: number }> {
  const again = job.rows_total !== null;
  let current = again ? job : await restartReading(sql, job.id);
  options.report(current);
  let read = await readIntoStage(sql, current, stage, options, {
    counting: !again,
    copying: options.copyCleanRecords,
  });
  current = again ? read.job : await setJobMessage(sql, job.id, "Preparing to write");
  options.report(current);
  // PostgreSQL's CSV reader refused some text, or read it otherwise (its copied rows are counted
  // while the staging table is indexed): the whole file is staged again, validated.
  let restaging = read.copyRefused ? "PostgreSQL refused a copy" : null;
  if (restaging === null) {
    const { copied } = read;
    const [staged] = await Promise.all([
      copied && copiedTotals(sql, stage, copied.layout),
      indexStage(sql, stage),
    ]);
    if (copied && staged && (staged.rows !== copied.rows || staged.characters !== copied.characters)) {
      restaging = `copied rows differ (${staged.rows} rows, ${staged.characters} characters staged; ` +
        `${copied.rows} and ${copied.characters} read)`;
    }
  }
  if (restaging !== null) {
    console.error(`import ${job.id}: ${restaging}; staging the file again without copying`);
    read = await readIntoStage(sql, current, stage, options, { counting: false, copying: false });
    await indexStage(sql, stage);
  }
  if (!again) current = await markStaged(sql, job.id, { rowsTotal: read.lastRecord, lanes: options.lanes });
  return { job: current, fileProblem: read.fileProblem, copiedRows: read.copied?.rows ?? 0 };
}

/** What one pass over the file staged. */
interface StagingPass {
  job: ImportJob;
  lastRecord: number;
  fileProblem: ImportFileError | null;
  /** What went through PostgreSQL's CSV reader, as the file reader counted it; null when nothing did. */
  copied: { layout: FileLayout; rows: number; characters: number } | null;
  /** Whether PostgreSQL refused a copy's text (none of its records were staged). */
  copyRefused: boolean;
}

/**
 * Consecutive clean records being copied. Their text is not kept: should PostgreSQL refuse it,
 * the file is staged again without copying (keeping each copy's text until it ended made a
 * 500k file's text pass through the old generation: ~40 more full collections, reading ~0.4 s slower).
 */
interface CopyRun {
  copy: StageCopy;
  records: number;
  characters: number;
}

/**
 * One pass over the file into a new staging table. Records go in validated batches; with
 * `copying`, a parsed chunk whose records all store as written (and whose text PostgreSQL's CSV
 * reader takes as the file reader did: no blank lines, one kind of line break, no characters
 * outside the BMP) goes as its own text instead: a run of such chunks is one copy, which ends with
 * the first chunk that is not (each copy's start and end hold the reading up for a few round trips:
 * ending one every 10,000 records made reading a 500k file ~0.3 s slower). Once PostgreSQL has
 * refused a copy, nothing more is copied (the file is staged again).
 * When `counting`, failed rows are stored and progress reported as the file is read.
 */
async function readIntoStage(
  sql: Sql,
  job: ImportJob,
  stage: string,
  options: JobRunOptions,
  mode: { counting: boolean; copying: boolean },
): Promise<StagingPass> {
  let current = job;
  let columns: ColumnMap | null = null;
  let layout: FileLayout | null = null;
  let lastRecord = 0;
  let bytesRead = 0;
  let rows: StagedRow[] = [];
  let errors: RowError[] = [];
  let run: CopyRun | null = null;
  const copied = { rows: 0, characters: 0 };
  let copyRefused = false;
  /** Appends in flight: the parser goes on while up to one per lane is written. */
  const appending = new Set<Promise<void>>();
  const track = async (written: Promise<void>) => {
    appending.add(written);
    written.finally(() => appending.delete(written)).catch(() => {});
    if (appending.size >= options.lanes) await Promise.race(appending);
  };
  const append = (batch: StagedRow[]) => track(appendToStage(sql, stage, batch));
  // Copies share the table's sequence: each starts once the one before has ended.
  let copyEnded: Promise<unknown> = Promise.resolve();
  const endRun = async () => {
    if (run === null) return;
    const { copy, records, characters } = run;
    run = null;
    const ended = copy.finish().then((complete) => {
      if (!complete) return void (copyRefused = true);
      copied.rows += records;
      copied.characters += characters;
    });
    copyEnded = ended.catch(() => {});
    await track(ended);
  };
  const step = Math.max(1, job.file_size * PROGRESS_STEP);
  let reported = { bytes: 0, at: Date.now() };
  // Progress is stored while the file is read on: one report at a time, the next one taking what
  // was read meanwhile (each is a commit; waiting for them held the reading up by ~1.5 s at 500k).
  let reporting: Promise<void> | null = null;
  let reportFailure: unknown = null;
  const report = () => {
    if (reportFailure !== null) throw reportFailure;
    if (reporting !== null) return;
    if (mode.counting) {
      const progress = { bytesDone: bytesRead, rowsRead: lastRecord, errors };
      reporting = recordReadProgress(sql, job.id, progress)
        .then((stored) => {
          current = stored;
          options.report(stored);
        })
        .catch((error) => void (reportFailure ??= error))
        .finally(() => (reporting = null));
    }
    errors = [];
    reported = { bytes: bytesRead, at: Date.now() };
  };
  const reportLast = async () => {
    await reporting;
    report();
    await reporting;
    if (reportFailure !== null) throw reportFailure;
  };

  let fileProblem: ImportFileError | null = null;
  let yielded = performance.now();
  try {
    for await (const chunk of readCsvRecords(job.file_path, { delimiter: job.delimiter })) {
      const { records, bytesStart } = chunk;
      const chunkBytes = chunk.bytesRead - bytesStart;
      const chunkRows: StagedRow[] = [];
      let characters = 0;
      let clean = mode.copying && !copyRefused && chunk.blankLines === 0 &&
        copiesAsWritten(chunk.text, chunk.lineBreak);
      for (let position = 0; position < records.length; position++) {
        const record = records[position];
        const { fields, index, problem } = record;
        if (columns === null) {
          // The preview's column mapping (issue 12) renames or blanks header cells before they are read.
          columns = headerColumns(applyColumnMapping(fields, job.column_mapping as ColumnMapping | null));
          layout = { columns: stageColumns(columns), delimiter: job.delimiter ?? "," };
          await createStage(sql, stage, layout.columns);
          if (mode.counting) await saveImportHeader(sql, job.id, fields);
          clean = false;
          continue;
        }
        lastRecord = index;
        const result = problem ? { ok: false as const, error: problem } : validateRow(fields, columns);
        if (result.ok) {
          chunkRows.push({ ord: index, row: result.row });
          if (clean && storesAsWritten(fields, result.row, columns)) {
            characters += copiedCharacters(fields, layout!);
          } else clean = false;
        } else {
          errors.push(rowError(record, result.error, columns.width));
          clean = false;
        }
        if ((index & 63) === 0) {
          // Where this record ends in the file, spread evenly over the chunk.
          bytesRead = bytesStart + Math.round((chunkBytes * (position + 1)) / records.length);
          if (bytesRead - reported.bytes >= step || Date.now() - reported.at >= PROGRESS_STEP_MS) {
            report();
          }
        }
      }
      if (clean && records.length > 0) {
        const firstOrd = records[0].index;
        run ??= { copy: new StageCopy(sql, stage, layout!, firstOrd, copyEnded), records: 0, characters: 0 };
        const text = chunk.text.endsWith(chunk.lineBreak) ? chunk.text : chunk.text + chunk.lineBreak;
        const sending = run.copy.write(text);
        run.records += records.length;
        run.characters += characters;
        if (run.copy.refused) await endRun();
        else if (sending) await sending;
      } else {
        // A copy's records are consecutive: one that stops here ends now.
        await endRun();
        rows.push(...chunkRows);
        if (rows.length >= options.batchSize) {
          await append(rows);
          rows = [];
        }
      }
      bytesRead = chunk.bytesRead;
      if (performance.now() - yielded >= YIELD_EVERY_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        yielded = performance.now();
      }
      // The rows read since the last report are read again by the attempt that resumes the job.
      if (options.signal?.aborted) throw new JobInterruptedError();
    }
  } catch (error) {
    await endRun().catch(() => {});
    await Promise.allSettled([...appending, reporting]);
    // A file problem found mid-way keeps the valid rows before it; the job fails with the reason.
    // A file that turns out not to be text writes nothing.
    if (!(error instanceof ImportFileError && columns !== null) || error instanceof FileNotTextError) {
      throw error;
    }
    fileProblem = error;
  }
  await endRun();
  await append(rows);
  await Promise.all(appending);
  if (columns === null) throw new ImportFileError("The file is empty: it has no header row and no products.");
  if (lastRecord === 0) throw new ImportFileError("The file has a header row but no products below it.");
  await reportLast();
  return {
    job: current,
    lastRecord,
    fileProblem,
    copied: copied.rows > 0 ? { layout: layout!, ...copied } : null,
    copyRefused,
  };
}

/**
 * Whether PostgreSQL's CSV reader takes this text as the file reader did: no character outside
 * the BMP (the two count lengths differently) and only the file's own line break, so that no
 * stray carriage return or line feed means something else to it.
 */
function copiesAsWritten(text: string, lineBreak: string): boolean {
  if (/[\uD800-\uDFFF]/.test(text)) return false;
  if (lineBreak === "\n") return !text.includes("\r");
  if (lineBreak === "\r") return !text.includes("\n");
  return !/\r(?!\n)|(?<!\r)\n/.test(text);
}

/** The characters the staging table holds of a copied record, counted as `copiedTotals` counts them. */
function copiedCharacters(fields: string[], layout: FileLayout): number {
  let characters = 0;
  for (let position = 0; position < fields.length; position++) {
    if (holdsText(layout.columns[position])) characters += fields[position].length;
  }
  return characters;
}

/**
 * Writes the staged rows: the file's records in chunks of `batchSize`, chunk k on lane k mod
 * lanes, each lane in file order from its resume point. Chunks hold disjoint SKUs' last rows, so
 * lanes never wait for each other. Returns the job as stored after the last chunk.
 */
async function writeStagedRows(
  sql: Sql,
  job: ImportJob,
  stage: string,
  options: JobRunOptions,
): Promise<ImportJob> {
  const stagedRows = job.rows_total! - job.failed;
  const writeShare = await sampledWriteShare(sql, stage, stagedRows);
  let current = await setSearchIndexesAside(sql, job, { stagedRows, writeShare }, options);
  const leaveOutUnchanged = writeShare < LOOK_UP_FIRST_BELOW_SHARE;
  const columns = presentColumns(
    mapColumns(applyColumnMapping(job.header ?? [], job.column_mapping as ColumnMapping | null)),
  );
  const total = job.rows_total!;
  const resumePoints = (job.lane_rows_done ?? []).map(Number);
  const size = options.batchSize;
  let failure: unknown = null;
  await Promise.all(resumePoints.map(async (resumeAfter, lane) => {
    for (let after = lane * size; after < total; after += size * resumePoints.length) {
      const through = Math.min(after + size, total);
      if (through <= resumeAfter) continue;
      // A stopping process lets each lane finish the chunk it is writing, then returns.
      if (failure !== null || options.signal?.aborted) return;
      try {
        const stored = await sql.begin(async (tx) => {
          const counts = await writeStagedChunk(tx, stage, { after, through, columns, leaveOutUnchanged });
          return await recordChunkProgress(tx, job.id, {
            lane,
            laneThrough: through,
            rows: counts.staged,
            inserted: counts.inserted,
            updated: counts.updated,
            unchanged: counts.unchanged,
            duplicates: counts.repeated,
          });
        });
        options.report(stored);
        if (stored.rows_done >= current.rows_done) current = stored;
      } catch (error) {
        failure ??= error;
        return;
      }
    }
  }));
  if (failure !== null) throw failure;
  if (options.signal?.aborted) throw new JobInterruptedError();
  return current;
}

/**
 * Drops the search and sort indexes (`DEFERRED_INDEXES`) before writing when the import is large:
 * expected to write at least `deferSearchIndexRows` products and at least half the table (its
 * staged rows times the share of a sample that would change products).
 * The job is marked first, so no rebuild starts while it writes; a resumed job drops them again.
 */
async function setSearchIndexesAside(
  sql: Sql,
  job: ImportJob,
  staged: { stagedRows: number; writeShare: number },
  options: JobRunOptions,
): Promise<ImportJob> {
  let current = job;
  if (!job.search_deferred) {
    if (options.deferSearchIndexRows === null) return job;
    if (staged.stagedRows < options.deferSearchIndexRows) return job;
    const writes = staged.stagedRows * staged.writeShare;
    const [{ total }] = await sql<{ total: number }[]>`SELECT total::int FROM product_stats`;
    if (writes < options.deferSearchIndexRows || writes < (total + writes) / 2) return job;
    current = await markSearchDeferred(sql, job.id);
    options.report(current);
  }
  await dropDeferredIndexes(sql);
  return current;
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

function presentColumns(columns: ColumnMap): PresentColumns {
  return {
    description: columns.description !== undefined,
    price: columns.price !== undefined,
    active: columns.active !== undefined,
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
