/**
 * The rules a product's fields follow wherever they come from: a CSV row, the JSON API or the
 * form in the browser. Browser-safe (no imports), so the form island checks as you type with
 * the very rules the server enforces.
 */

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

/** A character PostgreSQL cannot store in text: NUL, or half of a UTF-16 surrogate pair. */
export type UnstorableCharacter = "nul_character" | "lone_surrogate";

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const PRICE_PATTERN = /^\d+(\.\d{1,2})?$/;

/** The most characters each field may hold (price is checked as a number instead). */
export const LENGTH_LIMITS: Record<ProductField, number | null> = {
  sku: PRODUCT_LIMITS.skuChars,
  name: PRODUCT_LIMITS.nameChars,
  description: PRODUCT_LIMITS.descriptionChars,
  price: null,
};

/**
 * Whether `text` holds a character no PostgreSQL text column can store (a NUL, or a lone UTF-16
 * surrogate, which has no UTF-8 form), or null. Any text that reaches the database — product
 * fields, webhook fields, query-string parameters — is checked with this first.
 */
export function unstorableCharacter(text: string): UnstorableCharacter | null {
  if (text.includes("\0")) return "nul_character";
  if (LONE_SURROGATE.test(text)) return "lone_surrogate";
  return null;
}

/** An unstorable character in words, for messages: "a NUL character (\\u0000)". */
export function describeUnstorable(problem: UnstorableCharacter): string {
  return problem === "nul_character"
    ? "a NUL character (\\u0000)"
    : "an unpaired UTF-16 surrogate (half of a character such as an emoji)";
}

/**
 * The length of `text` in characters (Unicode code points), as PostgreSQL's varchar counts it —
 * not in UTF-16 units as `String.length` does, which counts an emoji twice.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

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
