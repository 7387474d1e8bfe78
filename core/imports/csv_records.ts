/** Reading a CSV file as records, a parsed chunk at a time, with memory flat whatever its size. */
import Papa from "papaparse";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { ImportFileError } from "../platform/errors.ts";
import { FileTextDecoder } from "./file_check.ts";

/**
 * A record longer than this (in characters) means a quote was never closed: stop instead of
 * reading the rest of the file into one field (and re-scanning it with every chunk).
 */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
/**
 * The file is parsed this many bytes at a time (it is read 64 KB at a time), and the parser pauses
 * once one parsed chunk waits for the reader. So a chunk's records die young: parsed 64 KB at a
 * time, or 16 KB with two chunks waiting, most outlived the server's 2 MB young generation and were
 * collected as old objects. In a job worker, four imports of the bench's 500k file took 130–135
 * full collections that way against 27, and reading each ~1.8 s instead of ~1.2 s.
 */
const PARSE_BYTES = 16 * 1024;
const READ_BYTES = 64 * 1024;
const CHUNKS_AHEAD = 1;

/** One record of the file. */
export interface CsvRecord {
  fields: string[];
  /** 0 is the header, 1 the first data row. */
  index: number;
  /** The file line the record starts on (1 is the first line; blank lines count). */
  line: number;
  /** How many file lines the record spans: more than 1 when a quoted field holds line breaks. */
  lines: number;
  /** A malformed quote in this record (its fields are then unreliable), or null. */
  problem: string | null;
}

/** The records of one parsed chunk and how many bytes of the file they reach to. */
export interface CsvChunk {
  records: CsvRecord[];
  /** The bytes of the file parsed before this chunk. */
  bytesStart: number;
  /** The bytes of the file parsed by the end of this chunk (not the bytes read ahead of the parser). */
  bytesRead: number;
  /**
   * The file's text from where the previous chunk ended to the end of this chunk's last record:
   * exactly these records, blank lines included, so they can be handed to PostgreSQL's own CSV reader.
   */
  text: string;
  /** Blank lines among the records (skipped here, but PostgreSQL's CSV reader refuses them). */
  blankLines: number;
  /** The line break the file uses: "\n", "\r\n" or "\r". */
  lineBreak: string;
}

/**
 * Streams a UTF-8 CSV file through papaparse (comma-separated unless `options.delimiter` says
 * otherwise, as the preview detected it); the parser pauses while the caller works on earlier
 * chunks. Blank lines are skipped (but counted in line numbers). Bytes that are not UTF-8 text
 * throw `FileNotTextError` (`file_check.ts`) where they are met. A quote that is never closed yields its
 * record with a problem naming the lines it swallowed, then throws {@linkcode ImportFileError}.
 */
export async function* readCsvRecords(
  path: string,
  options: { delimiter?: string } = {},
): AsyncGenerator<CsvChunk> {
  let bytesRead = 0;
  let charsRead = 0;
  // The text read but not yet handed out with a chunk, in the pieces it was read in; it starts at
  // the parser's last cursor. (One string, cut at every chunk, was copied whole each time.)
  const unparsed: string[] = [];
  let unparsedFrom = 0;
  const file = await Deno.open(path, { read: true });
  const text = fileText(file, (bytes, piece) => {
    bytesRead += bytes;
    charsRead += piece.length;
    unparsed.push(piece);
  });
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
  let line = 1;
  let parsedBefore = 0;

  /** Takes the first `length` characters of the unparsed text. */
  const takeText = (length: number): string => {
    let taken = "";
    while (taken.length < length && unparsed.length > 0) {
      const piece = unparsed[0];
      const wanted = length - taken.length;
      if (piece.length <= wanted) {
        taken += piece;
        unparsed.shift();
      } else {
        taken += piece.slice(0, wanted);
        unparsed[0] = piece.slice(wanted);
      }
    }
    return taken;
  };

  const stop = (error: unknown) => {
    failure ??= error;
    parser?.abort();
  };

  Papa.parse<string[]>(input, {
    delimiter: options.delimiter ?? ",",
    // Blank lines are skipped here rather than by papaparse, so that they still count as lines and
    // error rows keep pointing at the right records.
    skipEmptyLines: false,
    chunk(results, chunkParser) {
      parser = chunkParser;
      const quoteErrors = new Map<number, Papa.ParseError>();
      for (const error of results.errors) {
        if (error.row !== undefined) quoteErrors.set(error.row, error);
      }
      // The parser's position is in characters; bytes follow it in the proportion read so far.
      const parsedBytes = charsRead > 0 ? Math.round(results.meta.cursor * (bytesRead / charsRead)) : 0;
      const parsed = Math.max(parsedBefore, Math.min(bytesRead, parsedBytes));
      const cursor = results.meta.cursor;
      const chunk: CsvChunk = {
        records: [],
        bytesStart: parsedBefore,
        bytesRead: parsed,
        text: takeText(cursor - unparsedFrom),
        blankLines: 0,
        lineBreak: results.meta.linebreak,
      };
      unparsedFrom = cursor;
      parsedBefore = parsed;
      const lineBreak = results.meta.linebreak === "\r" ? "\r" : "\n";
      for (const [row, fields] of results.data.entries()) {
        const error = quoteErrors.get(row);
        const breaks = lineBreaksIn(fields, lineBreak);
        // Before the header, a line of spaces is blank too (a file of only such lines is empty).
        const blank = fields.length === 1 && error === undefined &&
          (records === 0 ? fields[0].trim() === "" : fields[0] === "");
        if (blank) {
          chunk.blankLines += 1;
          line += 1;
          continue;
        }
        if (error?.code === "MissingQuotes") {
          // The open field runs to the end of the file; a final line break ends the last line.
          const swallowed = breaks - (fields.at(-1)?.endsWith(lineBreak) ? 1 : 0);
          const at = { index: records, line, swallowed };
          chunk.records.push({
            fields,
            index: records,
            line,
            lines: swallowed + 1,
            problem: unclosedProblem(at),
          });
          records += 1;
          stop(unclosedQuote(at));
          break;
        }
        const problem = error
          ? "a quoted field has text after its closing quote" + swallowedLines(line, breaks + 1)
          : null;
        chunk.records.push({ fields, index: records, line, lines: breaks + 1, problem });
        records += 1;
        line += breaks + 1;
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
    file.close();
  }
}

/**
 * The file's text, in pieces of at most `PARSE_BYTES`, decoded as it is read into one buffer used
 * for every read. (`file.readable` allocates a new 64 KB buffer per read, outside the heap: ~380 MB
 * of them for a 2M-row file, and those that outlived the young generation waited for a full
 * collection.) `onRead` sees each piece as it is read.
 */
function fileText(file: Deno.FsFile, onRead: (bytes: number, text: string) => void): ReadableStream<string> {
  const buffer = new Uint8Array(READ_BYTES);
  const decoder = new FileTextDecoder();
  return new ReadableStream<string>({
    async pull(controller) {
      const read = await file.read(buffer);
      if (read === null) {
        decoder.finish();
        return controller.close();
      }
      for (let at = 0; at < read; at += PARSE_BYTES) {
        const end = Math.min(read, at + PARSE_BYTES);
        const piece = decoder.decode(buffer.subarray(at, end));
        onRead(end - at, piece);
        if (piece !== "") controller.enqueue(piece);
      }
    },
  });
}

/** The line breaks inside a record's fields: each is a file line the record runs on to. */
function lineBreaksIn(fields: string[], lineBreak: string): number {
  let breaks = 0;
  for (const field of fields) {
    let at = field.indexOf(lineBreak);
    while (at !== -1) {
      breaks += 1;
      at = field.indexOf(lineBreak, at + 1);
    }
  }
  return breaks;
}

/**
 * Where a record is: its record number (how a spreadsheet numbers rows, the header being 1), and
 * its file line too when blank lines or multi-line fields before it make the two differ.
 */
function recordPlace(index: number, line: number): string {
  return line === index + 1 ? `line ${index + 1}` : `line ${index + 1} (line ${line} of the file)`;
}

/** The note on a bad record that runs over several file lines: which lines a quote swallowed. */
export function swallowedLines(line: number, lines: number): string {
  if (lines <= 1) return "";
  const range = lines === 2 ? `line ${line + 1}` : `lines ${line + 1}–${line + lines - 1}`;
  return `; a quote opened on line ${line} of the file runs on, so it swallowed file ${range} into this row`;
}

interface UnclosedQuote {
  /** The record index of the record whose quote is never closed. */
  index: number;
  /** Its first file line. */
  line: number;
  /** The file lines after it that the open quote took in. */
  swallowed: number;
}

/** What an unclosed quote did, for the error report's row and the job's message. */
function unclosedProblem({ line, swallowed }: UnclosedQuote): string {
  if (swallowed === 0) return "a quoted field is opened but never closed";
  const range = swallowed === 1
    ? `line ${line + 1} (the end of the file), which was`
    : `lines ${line + 1}–${line + swallowed} (to the end of the file), which were`;
  return `an unclosed quote at line ${line} of the file swallowed ${range} not imported`;
}

function unclosedQuote(at: UnclosedQuote): ImportFileError {
  const place = recordPlace(at.index, at.line);
  return new ImportFileError(
    `${place[0].toUpperCase()}${place.slice(1)}: a quoted field is opened but never closed` +
      (at.swallowed > 0 ? `; ${unclosedProblem(at)}` : "") +
      `. ${Math.max(0, at.index - 1).toLocaleString("en-US")} rows before it were processed; fix the quote ` +
      `and import the file again (rows already imported will show as unchanged).`,
  );
}

function overlongRecord(records: number): ImportFileError {
  return new ImportFileError(
    `Line ${records + 1}: a single row is longer than 8 MB, which almost always means a quote is never ` +
      `closed. ${Math.max(0, records - 1).toLocaleString("en-US")} rows before it were processed.`,
  );
}
