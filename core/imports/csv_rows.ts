/** Turning CSV records into products: columns found by header name, each row validated and normalized. */
import { characterCount, describeUnstorable } from "../platform/mod.ts";
import {
  checkProductField,
  LENGTH_LIMITS,
  PRICE_RULE,
  type ProductField,
  type ProductRow,
  restoreNeutralized,
} from "../products/mod.ts";
import { ImportFileError } from "../platform/errors.ts";

/** The product fields a CSV column can fill, by the header name that fills it. */
export const KNOWN_COLUMNS = ["sku", "name", "description", "price", "active"] as const;
/** A product field a CSV column can fill. */
export type KnownColumn = typeof KNOWN_COLUMNS[number];

/** Where each known column sits in a row; optional columns may be absent from the file. */
export interface ColumnMap {
  sku: number;
  name: number;
  description?: number;
  price?: number;
  active?: number;
  /** How many fields the header has; every row must have as many. */
  width: number;
}

/** The outcome of validating one row: the product, or a message saying what is wrong. */
export type RowResult = { ok: true; row: ProductRow } | { ok: false; error: string };

/** Normalizes a header cell: case, surrounding space, inner spaces/dashes and a BOM don't matter. */
export function normalizeHeaderName(cell: string): string {
  return cell.replace(/^\uFEFF/, "").trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** Maps header names to column positions; throws {@linkcode ImportFileError} if `sku` or `name` is missing. */
export function mapColumns(header: string[]): ColumnMap {
  const positions = new Map<KnownColumn, number>();
  header.forEach((cell, index) => {
    const name = normalizeHeaderName(cell) as KnownColumn;
    if (!KNOWN_COLUMNS.includes(name)) return;
    if (positions.has(name)) {
      throw new ImportFileError(`The header names the column "${name}" twice; each column may appear once.`);
    }
    positions.set(name, index);
  });
  const missing = (["sku", "name"] as const).filter((column) => !positions.has(column));
  if (missing.length > 0) {
    const found = header.map((cell) => `"${cell.trim().slice(0, 40)}"`).slice(0, 10).join(", ");
    throw new ImportFileError(
      `The file has no ${missing.map((c) => `"${c}"`).join(" or ")} column. ` +
        `The first row must be a header naming the columns name, sku and optionally description, price, active; ` +
        `found ${found || "nothing"}.`,
    );
  }
  return {
    sku: positions.get("sku")!,
    name: positions.get("name")!,
    description: positions.get("description"),
    price: positions.get("price"),
    active: positions.get("active"),
    width: header.length,
  };
}

const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);

function quoteForMessage(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** What is wrong with a cell, as the error report says it; null when the product rules accept it. */
function cellProblem(field: ProductField, text: string): string | null {
  const problem = checkProductField(field, text);
  if (problem === "missing") return `${field} is empty`;
  if (problem === "nul_character" || problem === "lone_surrogate") {
    return `${field} contains ${describeUnstorable(problem)}, which cannot be stored as text`;
  }
  if (problem === "too_long") {
    return `${field} is ${characterCount(text).toLocaleString("en-US")} characters long; ` +
      `the limit is ${LENGTH_LIMITS[field]?.toLocaleString("en-US")}`;
  }
  if (problem === "not_a_price") {
    return `price ${quoteForMessage(text)} is not a valid price; expected a number ${PRICE_RULE}`;
  }
  return null;
}

/** Validates and normalizes one CSV row (trimmed text, decimal price, boolean active). */
export function validateRow(fields: string[], columns: ColumnMap): RowResult {
  if (fields.length !== columns.width) {
    return { ok: false, error: `expected ${columns.width} fields like the header, found ${fields.length}` };
  }
  if (fields.some((field) => field.includes("\0"))) {
    return { ok: false, error: "contains a NUL character, which cannot be stored as text" };
  }
  const text = (position: number | undefined) =>
    position === undefined ? "" : restoreNeutralized(fields[position].trim());
  const sku = text(columns.sku);
  const name = text(columns.name);
  const description = text(columns.description);
  const price = columns.price === undefined ? "" : fields[columns.price].trim();
  const error = cellProblem("sku", sku) ?? cellProblem("name", name) ??
    cellProblem("description", description) ?? cellProblem("price", price);
  if (error) return { ok: false, error };

  let active = true;
  if (columns.active !== undefined) {
    const raw = fields[columns.active].trim().toLowerCase();
    if (FALSE_WORDS.has(raw)) active = false;
    else if (raw !== "" && !TRUE_WORDS.has(raw)) {
      return {
        ok: false,
        error: `active ${quoteForMessage(fields[columns.active].trim())} is not true or false ` +
          `(accepted: true/false, yes/no, 1/0; empty means true)`,
      };
    }
  }
  return { ok: true, row: { sku, name, description: description || null, price: price || null, active } };
}

/**
 * Whether a valid row stores exactly what its fields say as written, so PostgreSQL's CSV reader
 * can read them into the staging table itself: nothing trimmed or restored, and an `active` word
 * without spaces (PostgreSQL reads the same words as {@linkcode validateRow}). Empty optional
 * fields are no value either way.
 */
export function storesAsWritten(fields: string[], row: ProductRow, columns: ColumnMap): boolean {
  const written = (position: number | undefined, value: string | null) =>
    position === undefined || fields[position] === (value ?? "");
  return written(columns.sku, row.sku) && written(columns.name, row.name) &&
    written(columns.description, row.description) && written(columns.price, row.price) &&
    (columns.active === undefined || fields[columns.active] === fields[columns.active].trim());
}
