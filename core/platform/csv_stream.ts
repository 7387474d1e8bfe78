/** CSV downloads that stream page by page. */
import Papa from "papaparse";

/**
 * Streams a CSV file: the header, then each page of rows as it is pulled, so a download of any
 * size never sits in memory. Cancelling the stream ends `pages` (and the query behind it).
 */
export function csvStream(header: string[], pages: AsyncGenerator<string[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(Papa.unparse([header]) + "\r\n"));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) return controller.close();
      if (next.value.length > 0) {
        controller.enqueue(encoder.encode(Papa.unparse(next.value, { newline: "\r\n" }) + "\r\n"));
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
