/** The downloadable report of an import's failed rows: the original fields plus `_line` and `_error`. */
import { csvStream } from "../platform/csv_stream.ts";
import type { Sql } from "../platform/db.ts";
import { neutralizeFormula, neutralizeUploadedCell } from "../products/mod.ts";
import { type ImportJob, iterateRowErrors } from "./jobs.ts";
import type { ListedRowError } from "./progress.ts";

/** The report's file name: the upload's name with `-errors.csv`. */
export function errorReportFileName(job: ImportJob): string {
  return `${job.file_name.replace(/\.csv$/i, "").replace(/[^\w.-]+/g, "_")}-errors.csv`;
}

/** Streams the report as CSV, a thousand rows at a time, never the whole report in memory. */
export function errorReportCsv(sql: Sql, job: ImportJob): ReadableStream<Uint8Array> {
  return csvStream(
    [...(job.header ?? []).map(neutralizeUploadedCell), "_line", "_error"],
    reportRows(sql, job),
  );
}

async function* reportRows(sql: Sql, job: ImportJob): AsyncGenerator<string[][]> {
  const width = job.header?.length ?? 0;
  for await (const page of iterateRowErrors(sql, job.id)) {
    // Short rows are padded so `_line` and `_error` stay in their columns. Cells are neutralized
    // like the export's, so the report opens safely in a spreadsheet and imports as the upload did.
    yield page.map(({ line, fields, message }) => [
      ...fields.map(neutralizeUploadedCell),
      ...Array(Math.max(0, width - fields.length)).fill(""),
      String(line),
      neutralizeFormula(message),
    ]);
  }
}

/** The most row errors one request lists (the CSV report has them all). */
export const MAX_LISTED_ROW_ERRORS = 100;

/** The first `limit` failed rows of a job, in line order. */
export async function firstRowErrors(sql: Sql, id: string, limit: number): Promise<ListedRowError[]> {
  const rows = await sql<ListedRowError[]>`
    SELECT line, message FROM import_row_errors WHERE job_id = ${id}
    ORDER BY line LIMIT ${Math.min(limit, MAX_LISTED_ROW_ERRORS)}`;
  return [...rows];
}
