/**
 * The check every byte of an uploaded file passes as it is read: UTF-8 text, not binary. The file
 * is read once; a failure stops the reading before any product is written, since products are
 * written only after the whole file has been read into the staging table.
 */
import { ImportFileError } from "../platform/errors.ts";

/** A file that is not text: the import fails with this and writes nothing. */
export class FileNotTextError extends ImportFileError {}

/**
 * Decodes the file's bytes as UTF-8, failing with a clear message on bytes that are not UTF-8 or
 * on binary data (a NUL byte) — guessing an encoding would store garbled text silently.
 */
export function decodeFileText(): TransformStream<Uint8Array, string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  return new TransformStream({
    transform(bytes, controller) {
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        throw new FileNotTextError(
          `The file is not valid UTF-8 text (the first invalid bytes are between byte ${offset} and ` +
            `${offset + bytes.byteLength}). Save it as "CSV UTF-8" and upload it again; other encodings ` +
            `such as Windows-1252 are refused rather than stored as garbled text.`,
        );
      }
      offset += bytes.byteLength;
      if (text.includes("\0")) {
        throw new FileNotTextError(
          `This is not a CSV text file: it contains binary data (a NUL byte within the first ` +
            `${offset} bytes). Export the spreadsheet as CSV (UTF-8) and upload that.`,
        );
      }
      if (text !== "") controller.enqueue(text);
    },
    flush() {
      try {
        decoder.decode();
      } catch {
        throw new FileNotTextError("The file is not valid UTF-8 text: it ends in the middle of a character.");
      }
    },
  });
}
