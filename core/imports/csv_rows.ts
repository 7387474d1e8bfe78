import { restoreNeutralized } from "../products/csv_formula.ts";
import { ImportFileError } from "../platform/errors.ts";

/** Limits applied to each CSV row, from the products table's column sizes. */
export const ROW_LIMITS = {
  skuChars: 255,
  nameChars: 500,
  descriptionChars: 100_000,
  /** numeric(10,2) holds at most 99,999,999.99. */
  maxPrice: 99_999_999.99,
} as const;

const KNOWN_COLUMNS = ["sku", "name", "description", "price", "active"] as const;
type KnownColumn = typeof KNOWN_COLUMNS[number];

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

/** A validated, normalized product row ready to upsert. */
export interface ProductRow {
  sku: string;
  name: string;
  description: string | null;
  /** A decimal string such as "12.50", or null for no price. */
  price: string | null;
  active: boolean;
}

/** The outcome of validating one row: the product, or a message saying what is wrong. */
export type RowResult = { ok: true; row: ProductRow } | { ok: false; error: string };

/** Normalizes a header cell: case, surrounding space, inner spaces/dashes and a BOM don't matter. */
function normalizeHeaderName(cell: string): string {
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

const PRICE_PATTERN = /^\d+(\.\d{1,2})?$/;
const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);

function quoteForMessage(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Validates and normalizes one CSV row (trimmed text, decimal price, boolean active). */
export function validateRow(fields: string[], columns: ColumnMap): RowResult {
  if (fields.length !== columns.width) {
    return { ok: false, error: `expected ${columns.width} fields like the header, found ${fields.length}` };
  }
  if (fields.some((field) => field.includes("\0"))) {
    return { ok: false, error: "contains a NUL character, which cannot be stored as text" };
  }
  const sku = restoreNeutralized(fields[columns.sku].trim());
  if (sku === "") return { ok: false, error: "sku is empty" };
  if (sku.length > ROW_LIMITS.skuChars) {
    return { ok: false, error: `sku is ${sku.length} characters long; the limit is ${ROW_LIMITS.skuChars}` };
  }
  const name = restoreNeutralized(fields[columns.name].trim());
  if (name === "") return { ok: false, error: "name is empty" };
  if (name.length > ROW_LIMITS.nameChars) {
    return {
      ok: false,
      error: `name is ${name.length} characters long; the limit is ${ROW_LIMITS.nameChars}`,
    };
  }
  const description = columns.description === undefined
    ? null
    : restoreNeutralized(fields[columns.description].trim()) || null;
  if (description !== null && description.length > ROW_LIMITS.descriptionChars) {
    return {
      ok: false,
      error: `description is ${description.length.toLocaleString("en-US")} characters long; ` +
        `the limit is ${ROW_LIMITS.descriptionChars.toLocaleString("en-US")}`,
    };
  }

  let price: string | null = null;
  if (columns.price !== undefined) {
    const raw = fields[columns.price].trim();
    if (raw !== "") {
      if (!PRICE_PATTERN.test(raw) || Number(raw) > ROW_LIMITS.maxPrice) {
        return {
          ok: false,
          error: `price ${quoteForMessage(raw)} is not a valid price; ` +
            `expected a number from 0 to 99999999.99 with at most 2 decimals, like 19.99`,
        };
      }
      price = raw;
    }
  }

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
  return { ok: true, row: { sku, name, description, price, active } };
}
