import Papa from "papaparse";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { ImportFileError } from "../platform/errors.ts";

/**
 * A record longer than this (in characters) means a quote was never closed: stop instead of
 * reading the rest of the file into one field (and re-scanning it with every chunk).
 */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

const numberFormat = new Intl.NumberFormat("en-US");

/** Receives the records of a CSV file, in order. */
export interface CsvRecordSink {
  /**
   * One record: `index` 0 is the header, 1 the first data row. `problem` describes a malformed
   * quote in this record (the fields are then unreliable).
   */
  record(fields: string[], index: number, problem: string | null): void;
  /** Called after each parsed chunk; a returned promise pauses reading until it settles. */
  afterChunk(bytesRead: number): Promise<void> | void;
}

/**
 * Streams a UTF-8 CSV file through papaparse with backpressure: memory stays flat whatever
 * the file size. Throws {@linkcode ImportFileError} for a quote that is never closed, after
 * the records before it were delivered. Returns the number of records and bytes read.
 */
export async function readCsvRecords(path: string, sink: CsvRecordSink): Promise<{ records: number }> {
  let bytesRead = 0;
  let charsRead = 0;
  const file = await Deno.open(path, { read: true });
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
  // Papaparse's stream reader keeps reading while the parser is paused, so the source is paused too.
  const input = Readable.fromWeb(text as NodeWebReadableStream<string>, {
    objectMode: true,
    highWaterMark: 4,
  });

  let records = 0;
  let failure: unknown = null;
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
          results.data.forEach((fields, row) => {
            const error = quoteErrors.get(row);
            if (error?.code === "MissingQuotes") {
              throw new ImportFileError(
                `Line ${records + 1}: a quoted field is opened but never closed, so the rest of the file ` +
                  `cannot be read reliably. ${
                    numberFormat.format(Math.max(0, records - 1))
                  } rows before it ` +
                  `were processed; fix the quote and import the file again (rows already imported will show ` +
                  `as unchanged).`,
              );
            }
            sink.record(fields, records, error ? "a quoted field has text after its closing quote" : null);
            records += 1;
          });
          if (charsRead - results.meta.cursor > MAX_RECORD_CHARS) {
            throw new ImportFileError(
              `Line ${records + 1}: a single row is longer than 8 MB, which almost always means a quote is ` +
                `never closed. ${
                  numberFormat.format(Math.max(0, records - 1))
                } rows before it were processed.`,
            );
          }
          const wait = sink.afterChunk(bytesRead);
          if (wait) {
            parser.pause();
            input.pause();
            wait.then(() => {
              input.resume();
              parser.resume();
            }, (error) => {
              failure ??= error;
              parser.abort();
            });
          }
        } catch (error) {
          failure ??= error;
          parser.abort();
        }
      },
      complete: () => (failure ? reject(failure) : resolve()),
      error(error: Error) {
        reject(failure ?? error);
      },
    });
  }).finally(() => input.destroy());
  return { records };
}
