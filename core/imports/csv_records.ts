/** Reading a CSV file as records, a parsed chunk at a time, with memory flat whatever its size. */
import Papa from "papaparse";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { ImportFileError } from "../platform/errors.ts";

/**
 * A record longer than this (in characters) means a quote was never closed: stop instead of
 * reading the rest of the file into one field (and re-scanning it with every chunk).
 */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
/** Parsed chunks waiting for the reader before the parser pauses: one in use, one ready. */
const CHUNKS_AHEAD = 2;

/** One record of the file. */
export interface CsvRecord {
  fields: string[];
  /** 0 is the header, 1 the first data row. */
  index: number;
  /** A malformed quote in this record (its fields are then unreliable), or null. */
  problem: string | null;
}

/** The records of one parsed chunk and how many bytes of the file were read by then. */
export interface CsvChunk {
  records: CsvRecord[];
  bytesRead: number;
}

/**
 * Streams a UTF-8 CSV file through papaparse; the parser pauses while the caller works on earlier
 * chunks. Throws {@linkcode ImportFileError} for a quote that is never closed, after yielding the
 * records before it.
 */
export async function* readCsvRecords(path: string): AsyncGenerator<CsvChunk> {
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

  const ready: CsvChunk[] = [];
  let parser = null as Papa.Parser | null;
  let paused = false;
  let finished = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  let records = 0;

  const stop = (error: unknown) => {
    failure ??= error;
    parser?.abort();
  };

  Papa.parse<string[]>(input, {
    delimiter: ",",
    skipEmptyLines: true,
    chunk(results, chunkParser) {
      parser = chunkParser;
      const quoteErrors = new Map<number, Papa.ParseError>();
      for (const error of results.errors) {
        if (error.row !== undefined) quoteErrors.set(error.row, error);
      }
      const chunk: CsvChunk = { records: [], bytesRead };
      for (const [row, fields] of results.data.entries()) {
        const error = quoteErrors.get(row);
        if (error?.code === "MissingQuotes") {
          stop(unclosedQuote(records));
          break;
        }
        const problem = error ? "a quoted field has text after its closing quote" : null;
        chunk.records.push({ fields, index: records, problem });
        records += 1;
      }
      ready.push(chunk);
      if (failure === null && charsRead - results.meta.cursor > MAX_RECORD_CHARS) {
        stop(overlongRecord(records));
      }
      if (failure === null && ready.length >= CHUNKS_AHEAD) {
        paused = true;
        chunkParser.pause();
        input.pause();
      }
      wake?.();
    },
    complete() {
      finished = true;
      wake?.();
    },
    error(error: Error) {
      failure ??= error;
      finished = true;
      wake?.();
    },
  });

  try {
    while (true) {
      const chunk = ready.shift();
      if (chunk) {
        if (paused && ready.length < CHUNKS_AHEAD) {
          paused = false;
          input.resume();
          parser?.resume();
        }
        yield chunk;
        continue;
      }
      if (failure !== null) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    if (!finished) parser?.abort();
    input.destroy();
  }
}

function unclosedQuote(records: number): ImportFileError {
  return new ImportFileError(
    `Line ${records + 1}: a quoted field is opened but never closed, so the rest of the file cannot be ` +
      `read reliably. ${
        Math.max(0, records - 1).toLocaleString("en-US")
      } rows before it were processed; fix the quote ` +
      `and import the file again (rows already imported will show as unchanged).`,
  );
}

function overlongRecord(records: number): ImportFileError {
  return new ImportFileError(
    `Line ${records + 1}: a single row is longer than 8 MB, which almost always means a quote is never ` +
      `closed. ${Math.max(0, records - 1).toLocaleString("en-US")} rows before it were processed.`,
  );
}
