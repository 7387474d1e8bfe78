/** The check an uploaded file passes before any row is written: UTF-8 text, not binary, not empty. */
import { ImportFileError } from "../platform/errors.ts";

/**
 * Reads the whole file once before any write and fails with a clear message if it is empty,
 * binary or not valid UTF-8 — guessing an encoding would store garbled text silently.
 */
export async function checkFileIsText(path: string): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const file = await Deno.open(path, { read: true });
  let offset = 0;
  let sawText = false;
  for await (const chunk of file.readable) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new ImportFileError(
        `The file is not valid UTF-8 text (the first invalid bytes are between byte ${offset} and ` +
          `${offset + chunk.byteLength}). Save it as "CSV UTF-8" and upload it again; other encodings ` +
          `such as Windows-1252 are refused rather than stored as garbled text.`,
      );
    }
    const nul = text.indexOf("\0");
    if (nul !== -1) {
      throw new ImportFileError(
        `This is not a CSV text file: it contains binary data (a NUL byte within the first ` +
          `${offset + chunk.byteLength} bytes). Export the spreadsheet as CSV (UTF-8) and upload that.`,
      );
    }
    if (!sawText && text.trim() !== "") sawText = true;
    offset += chunk.byteLength;
  }
  try {
    decoder.decode();
  } catch {
    throw new ImportFileError("The file is not valid UTF-8 text: it ends in the middle of a character.");
  }
  if (!sawText) throw new ImportFileError("The file is empty: it has no header row and no products.");
}
