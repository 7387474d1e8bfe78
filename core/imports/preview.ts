/**
 * Preview before writing: an uploaded file is kept on this instance's volume with what its first
 * rows look like (delimiter, encoding, header, sample rows), until the user imports it with a
 * column mapping, cancels it, or leaves it to expire. Confirming turns the same file into a queued
 * import job: the file is uploaded once.
 */
import Papa from "papaparse";
import type { AuditContext } from "../audit/mod.ts";
import type { Sql } from "../platform/db.ts";
import { NotFoundError } from "../platform/errors.ts";
import type { ImportPreviewTable } from "../platform/schema.ts";
import type { Selectable } from "kysely";
import {
  type ColumnMapping,
  type MappedColumn,
  rememberedMappings,
  rememberMappings,
  suggestMapping,
} from "./column_mapping.ts";
import { normalizeHeaderName } from "./csv_rows.ts";
import type { ImportJob } from "./jobs.ts";
import { type JobQueue, queueImportJob } from "./submit.ts";
import { receiveUpload, type UploadOptions } from "./uploads.ts";

/** A stored preview. */
export type ImportPreview = Selectable<ImportPreviewTable>;

/** How long an unconfirmed preview (and its file) is kept. */
export const PREVIEW_TTL_MS = 60 * 60 * 1000;
/** Bytes read from the start of the file to show its first rows. */
const SAMPLE_BYTES = 64 * 1024;
/** Data rows shown. */
export const SAMPLE_ROWS = 10;
/** A field longer than this is cut in the preview (the import reads it whole). */
const SAMPLE_FIELD_CHARS = 120;
/** The separators a file may use; papaparse picks the one that splits the sample most consistently. */
const DELIMITERS = [",", ";", "\t", "|"];

/** What the first bytes of a file say about it. */
export interface FileSample {
  delimiter: string;
  encoding: string;
  header: string[];
  rows: string[][];
  /** Why the file cannot be imported as it is, or null. */
  problem: string | null;
}

/**
 * Reads the start of a file: its encoding (UTF-8 with or without a BOM, or not UTF-8), its
 * delimiter, its header and first rows. Never throws for what the file contains: a problem is
 * reported in `problem` for the preview to show.
 */
export async function sampleFile(path: string): Promise<FileSample> {
  const file = await Deno.open(path, { read: true });
  let bytes: Uint8Array;
  let truncated: boolean;
  try {
    const buffer = new Uint8Array(SAMPLE_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const read = await file.read(buffer.subarray(filled));
      if (read === null) break;
      filled += read;
    }
    truncated = filled > SAMPLE_BYTES;
    bytes = buffer.subarray(0, Math.min(filled, SAMPLE_BYTES));
  } finally {
    file.close();
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const empty = { delimiter: ",", header: [], rows: [] };
  let text: string;
  try {
    // `stream` lets the sample end in the middle of a character.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes, { stream: truncated });
  } catch {
    return {
      ...empty,
      encoding: guessOtherEncoding(bytes),
      problem: 'The file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again; other encodings ' +
        "such as Windows-1252 are refused rather than stored as garbled text.",
    };
  }
  const encoding = bom ? "UTF-8 with BOM" : "UTF-8";
  if (text.includes("\0")) {
    return { ...empty, encoding: "binary", problem: "This is not a CSV text file: it contains binary data." };
  }
  if (text.trim() === "") {
    return { ...empty, encoding, problem: "The file is empty: it has no header row and no products." };
  }
  const parsed = Papa.parse<string[]>(text, {
    delimitersToGuess: DELIMITERS,
    skipEmptyLines: "greedy",
    preview: SAMPLE_ROWS + 1 + (truncated ? 1 : 0),
  });
  const records = parsed.data;
  // The sample may end inside a record: the last one read from a cut sample is not shown.
  if (truncated && records.length > 1) records.pop();
  const [header = [], ...rows] = records;
  const delimiter = DELIMITERS.includes(parsed.meta.delimiter) ? parsed.meta.delimiter : ",";
  return {
    delimiter,
    encoding,
    header: header.map((cell) => cell.trim()),
    rows: rows.slice(0, SAMPLE_ROWS).map((row) => row.map(cutForDisplay)),
    problem: header.length === 0 ? "The file has no header row." : null,
  };
}

/** A guess at a non-UTF-8 file's encoding, for the message only: the import refuses it anyway. */
function guessOtherEncoding(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return "UTF-16";
  return "not UTF-8 (Windows-1252 or Latin-1?)";
}

function cutForDisplay(field: string): string {
  return field.length > SAMPLE_FIELD_CHARS ? `${field.slice(0, SAMPLE_FIELD_CHARS)}…` : field;
}

/** A delimiter as a person names it. */
export function delimiterName(delimiter: string): string {
  return { ",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)" }[delimiter] ?? delimiter;
}

/** What creating a preview needs besides the request. */
export interface CreatePreviewOptions extends UploadOptions {
  /** This instance: the file lands on its volume. */
  instanceId: string;
}

/**
 * Stores the request's file (as an upload does) and its sample, for the user to confirm; expired
 * previews of this instance are cleared first. Returns the stored preview.
 */
export async function createPreview(
  sql: Sql,
  request: Request,
  options: CreatePreviewOptions,
): Promise<ImportPreview> {
  await clearExpiredPreviews(sql, options.instanceId);
  const upload = await receiveUpload(request, options);
  try {
    const sample = await sampleFile(upload.path);
    const [preview] = await sql<ImportPreview[]>`
      INSERT INTO import_previews (id, file_name, file_path, file_size, owner_instance, delimiter, encoding,
        header, sample_rows, problem, expires_at)
      VALUES (${crypto.randomUUID()}, ${upload.fileName}, ${upload.path}, ${upload.size}, ${options.instanceId},
        ${sample.delimiter}, ${sample.encoding}, ${sql.json(sample.header)}, ${sql.json(sample.rows)},
        ${sample.problem}, ${new Date(Date.now() + PREVIEW_TTL_MS)})
      RETURNING *`;
    return preview;
  } catch (error) {
    await Deno.remove(upload.path).catch(() => {});
    throw error;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The unexpired preview with this id, or a {@linkcode NotFoundError} that says it may have expired. */
export async function requirePreview(sql: Sql, id: string): Promise<ImportPreview> {
  const [row] = UUID.test(id)
    ? await sql<ImportPreview[]>`SELECT * FROM import_previews WHERE id = ${id} AND expires_at > now()`
    : [];
  if (!row) {
    throw new NotFoundError(
      "This preview is gone: it was imported or cancelled, or it expired after an hour. Upload the file again.",
    );
  }
  return row;
}

/** The preview's columns with the suggested (or remembered) field of each. */
export async function previewColumns(sql: Sql, preview: ImportPreview): Promise<MappedColumn[]> {
  const remembered = await rememberedMappings(sql, preview.header.map(normalizeHeaderName));
  return suggestMapping(preview.header, remembered);
}

/** What confirming a preview needs. */
export interface ConfirmPreviewOptions {
  queue: JobQueue;
  audit?: AuditContext;
}

/**
 * Turns a preview into a queued import of the same file with `mapping` (remembered for the next
 * preview), in one transaction that also removes the preview, then rings the queue.
 */
export async function confirmPreview(
  sql: Sql,
  preview: ImportPreview,
  mapping: ColumnMapping,
  options: ConfirmPreviewOptions,
): Promise<ImportJob> {
  const job = await sql.begin(async (tx) => {
    const [taken] =
      await tx`DELETE FROM import_previews WHERE id = ${preview.id} AND expires_at > now() RETURNING id`;
    if (!taken) throw new NotFoundError("This preview was already imported, cancelled, or it expired.");
    await rememberMappings(tx, mapping);
    return await queueImportJob(tx, {
      fileName: preview.file_name,
      filePath: preview.file_path,
      fileSize: preview.file_size,
      ownerInstance: preview.owner_instance,
      columnMapping: mapping,
      delimiter: preview.delimiter,
    }, options.audit);
  });
  await options.queue.ring();
  return job;
}

/**
 * Cancels a preview: its row goes at once; its file too when it is on this instance's volume,
 * else the owning instance removes it when it next clears expired previews.
 */
export async function discardPreview(sql: Sql, preview: ImportPreview, instanceId: string): Promise<void> {
  if (preview.owner_instance === instanceId) {
    await sql`DELETE FROM import_previews WHERE id = ${preview.id}`;
    await Deno.remove(preview.file_path).catch(() => {});
  } else {
    await sql`UPDATE import_previews SET expires_at = now() WHERE id = ${preview.id}`;
  }
}

/** Removes this instance's expired previews and their files. */
export async function clearExpiredPreviews(sql: Sql, instanceId: string): Promise<number> {
  const expired = await sql<{ file_path: string }[]>`
    DELETE FROM import_previews WHERE owner_instance = ${instanceId} AND expires_at <= now()
    RETURNING file_path`;
  for (const { file_path } of expired) await Deno.remove(file_path).catch(() => {});
  return expired.length;
}
