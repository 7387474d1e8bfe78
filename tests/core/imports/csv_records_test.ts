import { deepStrictEqual, equal, match, rejects } from "node:assert/strict";
import { type CsvRecord, readCsvRecords } from "../../../core/imports/csv_records.ts";

async function readAll(text: string): Promise<{ records: CsvRecord[]; bytes: number[] }> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, text);
    const records: CsvRecord[] = [];
    const bytes: number[] = [];
    for await (const chunk of readCsvRecords(path)) {
      records.push(...chunk.records);
      bytes.push(chunk.bytesStart, chunk.bytesRead);
    }
    return { records, bytes };
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("records know the file lines they span; blank lines are skipped but counted", async () => {
  const text = 'sku,name\na-1,A\n\nb-2,"two\nlines"\nc-3,C\n';
  const { records, bytes } = await readAll(text);
  deepStrictEqual(
    records.map(({ index, line, lines }) => [index, line, lines]),
    [[0, 1, 1], [1, 2, 1], [2, 4, 2], [3, 6, 1]],
  );
  equal(
    bytes.at(-1),
    new TextEncoder().encode(text).byteLength,
    "the last chunk reaches the end of the file",
  );
});

Deno.test("an unclosed quote yields its row with the lines it swallowed, then fails", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, 'sku,name\na-1,A\nb-2,"B\nc-3,C\nd-4,D\n');
    const records: CsvRecord[] = [];
    await rejects(
      async () => {
        for await (const chunk of readCsvRecords(path)) records.push(...chunk.records);
      },
      /^ImportFileError: Line 3: a quoted field is opened but never closed; an unclosed quote at line 3 of the file swallowed lines 4–5/,
    );
    equal(records.length, 3);
    equal(records[2].lines, 3);
    match(
      records[2].problem ?? "",
      /^an unclosed quote at line 3 of the file swallowed lines 4–5 \(to the end/,
    );
  } finally {
    await Deno.remove(path);
  }
});
