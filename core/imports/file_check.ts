/**
 * The check every byte of an uploaded file passes as it is read: UTF-8 text, not binary. The file
 * is read once; a failure stops the reading before any product is written, since products are
 * written only after the whole file has been read into the staging table.
 */
import { ImportFileError } from "../platform/errors.ts";

/** A file that is not text: the import fails with this and writes nothing. */
export class FileNotTextError extends ImportFileError {}

/**
 * Decodes the file's bytes as UTF-8, a piece at a time, failing with a clear message on bytes that
 * are not UTF-8 or on binary data (a NUL byte) — guessing an encoding would store garbled text silently.
 */
export class FileTextDecoder {
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });
  #offset = 0;

  /** The text of the next bytes of the file (a character cut at their end is kept for the next call). */
  decode(bytes: Uint8Array): string {
    let text: string;
    try {
      text = this.#decoder.decode(bytes, { stream: true });
    } catch {
      const end = this.#offset + bytes.byteLength;
      throw new FileNotTextError(
        `The file is not valid UTF-8 text (the first invalid bytes are between byte ${this.#offset} and ` +
          `${end}). Save it as "CSV UTF-8" and upload it again; other encodings such as Windows-1252 ` +
          `are refused rather than stored as garbled text.`,
      );
    }
    this.#offset += bytes.byteLength;
    if (text.includes("\0")) {
      throw new FileNotTextError(
        `This is not a CSV text file: it contains binary data (a NUL byte within the first ` +
          `${this.#offset} bytes). Export the spreadsheet as CSV (UTF-8) and upload that.`,
      );
    }
    return text;
  }

  /** Checks that the file did not end in the middle of a character. */
  finish(): void {
    try {
      this.#decoder.decode();
    } catch {
      throw new FileNotTextError("The file is not valid UTF-8 text: it ends in the middle of a character.");
    }
  }
}
