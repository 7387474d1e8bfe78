/** Receiving an upload: the request body streamed to a file on disk, within the size limit. */
import busboy from "busboy";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "../platform/errors.ts";

/** An uploaded file, stored on disk under a generated name. */
export interface StoredUpload {
  /** The name the user's file had (for display only). */
  fileName: string;
  path: string;
  size: number;
}

/** Where uploads go and how large they may be. */
export interface UploadOptions {
  uploadDir: string;
  maxBytes: number;
}

const CSV_MEDIA_TYPES = new Set(["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"]);
/** Room for multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The file is larger than the upload limit of ${Math.round(maxBytes / 1024 / 1024)} MB (MAX_UPLOAD_MB).`,
  );
}

function cleanFileName(name: string | undefined): string {
  // Control characters in a file name only ever confuse logs and headers.
  // deno-lint-ignore no-control-regex
  const base = (name ?? "").split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base.slice(0, 200) || "upload.csv";
}

/**
 * Streams the request's file to disk without holding it in memory: a multipart form with a
 * `file` field, or a raw `text/csv` body. Refuses oversize bodies with 413 as soon as the
 * limit is crossed and leaves no partial file behind.
 */
export async function receiveUpload(request: Request, options: UploadOptions): Promise<StoredUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  const declaredLength = Number(request.headers.get("content-length") ?? NaN);
  if (declaredLength > options.maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(options.maxBytes);
  if (!request.body) {
    throw new ValidationError('The request has no body; attach the CSV in a form field named "file".');
  }

  await Deno.mkdir(options.uploadDir, { recursive: true });
  const path = `${options.uploadDir}/${crypto.randomUUID()}.csv`;
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  try {
    let upload: StoredUpload;
    if (mediaType === "multipart/form-data") {
      upload = await receiveMultipart(request, path, options.maxBytes);
    } else if (CSV_MEDIA_TYPES.has(mediaType)) {
      const name = new URL(request.url).searchParams.get("filename") ?? undefined;
      const size = await writeLimited(request.body, path, options.maxBytes);
      upload = { fileName: cleanFileName(name), path, size };
    } else {
      throw new UnsupportedMediaTypeError(
        `Expected a multipart/form-data upload with a "file" field, or a text/csv body; got "${
          mediaType || "no content type"
        }".`,
      );
    }
    if (upload.size === 0) throw new ValidationError("The uploaded file is empty.");
    return upload;
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}

/** Copies a stream of bytes to `path`, failing once more than `maxBytes` arrive. */
async function writeLimited(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  path: string,
  maxBytes: number,
): Promise<number> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      await writer.write(chunk);
    }
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => {});
    throw error;
  }
  return size;
}

function receiveMultipart(request: Request, path: string, maxBytes: number): Promise<StoredUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: Object.fromEntries(request.headers),
        limits: { files: 1, fileSize: maxBytes, fields: 20, parts: 25 },
      });
    } catch {
      reject(new ValidationError("The multipart body could not be read: its boundary is missing."));
      return;
    }
    const body = Readable.fromWeb(request.body as unknown as NodeWebReadableStream<Uint8Array>);
    let stored: Promise<StoredUpload> | null = null;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      body.unpipe(parser);
      body.destroy();
      reject(error);
    };

    parser.on("file", (field, stream, info) => {
      if (field !== "file" || stored) {
        stream.resume();
        return;
      }
      // The copy below may not be listening yet; it sees the error through `stream.errored`.
      stream.on("error", () => {});
      stream.on("limit", () => {
        stream.destroy(tooLarge(maxBytes));
      });
      stored = writeLimited(stream, path, maxBytes).then((size) => ({
        fileName: cleanFileName(info.filename),
        path,
        size,
      }));
      stored.catch(fail);
    });
    parser.on("error", () => fail(new ValidationError("The multipart body is malformed or cut short.")));
    parser.on("close", () => {
      if (settled) return;
      if (!stored) {
        fail(new ValidationError('No file was attached: send the CSV in a form field named "file".'));
        return;
      }
      stored.then((upload) => {
        settled = true;
        resolve(upload);
      }, fail);
    });
    body.on("error", () => fail(new ValidationError("The upload was interrupted before it finished.")));
    body.pipe(parser);
  });
}
