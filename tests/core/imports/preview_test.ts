import { deepStrictEqual, equal, match } from "node:assert/strict";
import { sampleFile } from "../../../core/imports/preview.ts";

async function sampleOf(bytes: Uint8Array | string) {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeFile(path, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
    return await sampleFile(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("the sample of a semicolon file with a BOM: its delimiter, encoding, header and rows as parsed", async () => {
  const sample = await sampleOf('\uFEFFname;sku;description\nShirt;S-1;"Soft; warm\nand blue"\nMug;M-2;\n');
  equal(sample.delimiter, ";");
  equal(sample.encoding, "UTF-8 with BOM");
  deepStrictEqual(sample.header, ["name", "sku", "description"]);
  deepStrictEqual(sample.rows, [["Shirt", "S-1", "Soft; warm\nand blue"], ["Mug", "M-2", ""]]);
  equal(sample.problem, null);
});

Deno.test("a file that is not UTF-8, or empty, has a problem the preview shows instead of rows", async () => {
  const latin1 = await sampleOf(new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x0a]));
  match(latin1.problem ?? "", /not UTF-8 text/);
  match(latin1.encoding, /not UTF-8/);
  deepStrictEqual(latin1.rows, []);
  match((await sampleOf("\n\n")).problem ?? "", /The file is empty/);
});

Deno.test("a large file's sample stops at whole rows, ten of them", async () => {
  const lines = ["name,sku,description"];
  for (let i = 0; i < 5_000; i++) lines.push(`Item ${i},sku-${i},"${"x".repeat(40)}"`);
  const sample = await sampleOf(lines.join("\n"));
  equal(sample.delimiter, ",");
  equal(sample.rows.length, 10);
  deepStrictEqual(sample.rows[9], ["Item 9", "sku-9", "x".repeat(40)]);
});
