import { deepStrictEqual, equal, match, ok, throws } from "node:assert/strict";
import { mapColumns, validateRow } from "../../../core/imports/csv_rows.ts";
import { ImportFileError } from "../../../core/platform/errors.ts";

Deno.test("columns are found by name in any order, case and spacing, with a BOM", () => {
  const columns = mapColumns(["\uFEFF Description", "SKU ", "Name", "Price", "ACTIVE", "extra"]);
  deepStrictEqual(columns, { sku: 1, name: 2, description: 0, price: 3, active: 4, width: 6 });
});

Deno.test("a header without sku or name is refused with the columns it has", () => {
  throws(() => mapColumns(["title", "code"]), (error: Error) => {
    ok(error instanceof ImportFileError);
    match(error.message, /no "sku" or "name" column/);
    match(error.message, /found "title", "code"/);
    return true;
  });
});

Deno.test("a column named twice is refused", () => {
  throws(() => mapColumns(["sku", "name", "SKU"]), /names the column "sku" twice/);
});

const columns = mapColumns(["name", "sku", "description", "price", "active"]);

Deno.test("a valid row is trimmed and normalized", () => {
  deepStrictEqual(validateRow([" Widget ", " AB-1 ", " Line one\nline two ", "12.5", "no"], columns), {
    ok: true,
    row: { sku: "AB-1", name: "Widget", description: "Line one\nline two", price: "12.5", active: false },
  });
});

Deno.test("empty optional cells mean no description, no price and active", () => {
  deepStrictEqual(validateRow(["Widget", "AB-1", "", "", ""], columns), {
    ok: true,
    row: { sku: "AB-1", name: "Widget", description: null, price: null, active: true },
  });
});

Deno.test("each invalid field gets a message that says what is wrong", () => {
  const cases: [string[], RegExp][] = [
    [["Widget", "", "", "", ""], /^sku is empty$/],
    [["Widget", "x".repeat(300), "", "", ""], /sku is 300 characters long; the limit is 255/],
    [["", "AB-1", "", "", ""], /^name is empty$/],
    [["Widget", "AB-1", "", "abc", ""], /price "abc" is not a valid price/],
    [["Widget", "AB-1", "", "-1", ""], /price "-1" is not a valid price/],
    [["Widget", "AB-1", "", "1.999", ""], /is not a valid price/],
    [["Widget", "AB-1", "", "100000000", ""], /is not a valid price/],
    [["Widget", "AB-1", "", "", "maybe"], /active "maybe" is not true or false/],
    [["Widget", "AB-1", "d".repeat(2_000_000), "", ""], /description is 2,000,000 characters long/],
    [["Widget", "AB-1", "a\0b", "", ""], /^contains a NUL character, which cannot be stored as text$/],
    [["Widget", "\u{1F600}".repeat(256), "", "", ""], /sku is 256 characters long; the limit is 255/],
    [["Wid\ud800get", "AB-1", "", "", ""], /name contains an unpaired UTF-16 surrogate/],
    [["Widget", "AB-1"], /expected 5 fields like the header, found 2/],
  ];
  for (const [fields, expected] of cases) {
    const result = validateRow(fields, columns);
    equal(result.ok, false, `accepted ${JSON.stringify(fields).slice(0, 80)}`);
    if (!result.ok) match(result.error, expected);
  }
});

Deno.test("a SKU of 255 astral characters (510 UTF-16 units) is accepted, as PostgreSQL's varchar(255) does", () => {
  const sku = "\u{1F600}".repeat(255);
  deepStrictEqual(validateRow(["Smiles", sku, "", "", ""], columns), {
    ok: true,
    row: { sku, name: "Smiles", description: null, price: null, active: true },
  });
});

Deno.test("one leading quote is removed from a cell of quotes and a formula character, no more", () => {
  const row = validateRow(["'=SUM(1)", "''=x", "'''-y", "", ""], columns);
  deepStrictEqual(row.ok && [row.row.name, row.row.sku, row.row.description], ["=SUM(1)", "'=x", "''-y"]);
});
