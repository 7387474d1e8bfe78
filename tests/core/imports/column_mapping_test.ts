import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  applyColumnMapping,
  checkMapping,
  type MappingChoice,
  suggestMapping,
} from "../../../core/imports/column_mapping.ts";
import { mapColumns } from "../../../core/imports/csv_rows.ts";
import { ValidationError } from "../../../core/platform/errors.ts";

Deno.test("a header is suggested by what the user chose before, then by its own name, else left out", () => {
  const remembered = new Map<string, MappingChoice>([["item_title", "name"]]);
  deepStrictEqual(suggestMapping(["Item Title", " SKU ", "Notes"], remembered), [
    { header: "Item Title", key: "item_title", choice: "name", source: "remembered" },
    { header: " SKU ", key: "sku", choice: "sku", source: "name" },
    { header: "Notes", key: "notes", choice: "ignore", source: "unknown" },
  ]);
});

Deno.test("a mapping renames the header for the importer; an ignored known column is left out", () => {
  const header = ["Item title", "sku", "price", "Notes"];
  const mapping = checkMapping(header, ["name", "sku", "ignore", "description"]);
  const applied = applyColumnMapping(header, mapping);
  deepStrictEqual(applied, ["name", "sku", "", "description"]);
  const columns = mapColumns(applied);
  equal(columns.name, 0);
  equal(columns.description, 3);
  equal(columns.price, undefined, "the price column is not read");
  deepStrictEqual(applyColumnMapping(header, null), header, "no mapping: the file's own header");
});

Deno.test("a mapping without sku or name, or with a field twice, is refused naming the column", () => {
  throws(() => checkMapping(["a", "b"], ["sku", "ignore"]), (error: ValidationError) => {
    equal(error.message, "No column is mapped to name; choose the one that holds it.");
    return true;
  });
  throws(() => checkMapping(["a", "b", "c"], ["sku", "name", "sku"]), (error: ValidationError) => {
    deepStrictEqual((error.details as { field: string }[])[0].field, "map.2");
    equal(error.message, '"a" already fills sku; a field can come from one column only.');
    return true;
  });
  throws(() => checkMapping(["a"], ["colour"]), /Choose what "a" becomes/);
});
