/** The downloadable report of an import's failed rows: the original fields plus `_line` and `_error`. */
import Papa from "papaparse";
import type { Sql } from "../platform/db.ts";
import { type ImportJob, iterateRowErrors } from "./jobs.ts";

/** The report's file name: the upload's name with `-errors.csv`. */
export function errorReportFileName(job: ImportJob): string {
  return `${job.file_name.replace(/\.csv$/i, "").replace(/[^\w.-]+/g, "_")}-errors.csv`;
}

/** Streams the report as CSV, a thousand rows at a time, never the whole report in memory. */
export function errorReportCsv(sql: Sql, job: ImportJob): ReadableStream<Uint8Array> {
  const width = job.header?.length ?? 0;
  const header = [...(job.header ?? []), "_line", "_error"];
  const encoder = new TextEncoder();
  const rows = iterateRowErrors(sql, job.id);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(Papa.unparse([header]) + "\r\n"));
    },
    async pull(controller) {
      const next = await rows.next();
      if (next.done) return controller.close();
      const { line, fields, message } = next.value;
      // Short rows are padded so `_line` and `_error` stay in their columns.
      const padded = [...fields, ...Array(Math.max(0, width - fields.length)).fill("")];
      controller.enqueue(encoder.encode(Papa.unparse([[...padded, String(line), message]]) + "\r\n"));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
