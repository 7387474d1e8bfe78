/**
 * The rules a product's fields follow wherever they come from: a CSV row, the JSON API or the
 * form in the browser. Browser-safe (it imports only the browser-safe text rules), so the form
 * island checks as you type with the very rules the server enforces.
 */
import {
  characterCount,
  describeUnstorable,
  TRIMMED_CHARACTERS,
  unstorableCharacter,
} from "../platform/text.ts";

/** Limits from the products table's column sizes; numeric(10,2) holds at most 99,999,999.99. */
export const PRODUCT_LIMITS = {
  skuChars: 255,
  nameChars: 500,
  descriptionChars: 100_000,
  maxPrice: 99_999_999.99,
} as const;

/** A product field that has rules. */
export type ProductField = "sku" | "name" | "description" | "price";

/** What is wrong with a field's value. */
export type FieldProblem = "missing" | "too_long" | "not_a_price" | "nul_character" | "lone_surrogate";

const PRICE_PATTERN = /^\d+(\.\d{1,2})?$/;

/**
 * The JSON Schema `pattern` of a price sent as text: what {@linkcode checkProductField} accepts
 * once trimmed — up to 8 digits before the point (leading zeros aside), 2 after — or blank for none.
 */
export const PRICE_TEXT_PATTERN =
  `^[${TRIMMED_CHARACTERS}]*(?:0*[0-9]{1,8}(?:\\.[0-9]{1,2})?)?[${TRIMMED_CHARACTERS}]*$`;

/** The most characters each field may hold (price is checked as a number instead). */
export const LENGTH_LIMITS: Record<ProductField, number | null> = {
  sku: PRODUCT_LIMITS.skuChars,
  name: PRODUCT_LIMITS.nameChars,
  description: PRODUCT_LIMITS.descriptionChars,
  price: null,
};

/** What is wrong with a field's trimmed text, or null; empty is fine for description and price (none). */
export function checkProductField(field: ProductField, text: string): FieldProblem | null {
  if (text === "") return field === "sku" || field === "name" ? "missing" : null;
  const unstorable = unstorableCharacter(text);
  if (unstorable) return unstorable;
  const limit = LENGTH_LIMITS[field];
  // A cheap bound first: a text never has more characters than UTF-16 units.
  if (limit !== null && text.length > limit && characterCount(text) > limit) return "too_long";
  if (field === "price" && (!PRICE_PATTERN.test(text) || Number(text) > PRODUCT_LIMITS.maxPrice)) {
    return "not_a_price";
  }
  return null;
}

/** The accepted prices, in words. */
export const PRICE_RULE = "from 0 to 99999999.99 with at most 2 decimals, like 19.99";

/** The message a person filling in the form (or calling the API) sees next to the field. */
export function fieldMessage(field: ProductField, problem: FieldProblem): string {
  if (problem === "missing") return field === "sku" ? "Enter a SKU" : "Enter a name";
  if (problem === "not_a_price") return `Enter a price ${PRICE_RULE}`;
  if (problem === "nul_character" || problem === "lone_surrogate") {
    return `Remove ${describeUnstorable(problem)}; it cannot be stored as text`;
  }
  return `Use at most ${LENGTH_LIMITS[field]?.toLocaleString("en-US")} characters`;
}

/** The form's check of one field as typed: the message, or null when it is fine. */
export function productFieldError(field: ProductField, value: string): string | null {
  const problem = checkProductField(field, value.trim());
  return problem ? fieldMessage(field, problem) : null;
}
