/** Small deterministic product CSVs for tests, with the final state each should leave behind. */

/** A CSV text and what the products table must hold after importing it. */
export interface CsvFixture {
  csv: string;
  rows: number;
  /** Lowercased SKU → the name of the last row with that SKU (the one that must win). */
  expectedNames: Map<string, string>;
}

/**
 * `rows` products with multi-line quoted descriptions; every 10th row repeats the SKU of an
 * earlier row in another letter case with a new name, so "last row wins" is exercised.
 */
export function productsFixture(rows: number): CsvFixture {
  const lines = ["name,sku,description"];
  const expectedNames = new Map<string, string>();
  for (let i = 0; i < rows; i++) {
    const repeat = i % 10 === 9;
    const sku = repeat ? `sku-${String(i - 7).padStart(7, "0")}` : `SKU-${String(i).padStart(7, "0")}`;
    const name = `Product ${i}`;
    lines.push(`${name},${sku},"Row ${i} description, with a comma\nand a second line"`);
    expectedNames.set(sku.toLowerCase(), name);
  }
  return { csv: lines.join("\n") + "\n", rows, expectedNames };
}
