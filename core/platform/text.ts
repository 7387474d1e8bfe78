/**
 * What PostgreSQL text can hold and how long a text is, in characters: one definition for every
 * field that reaches the database (products, webhooks, tokens, query strings). Browser-safe (no
 * imports), so the product form checks as you type with the same rules.
 */

/** A character PostgreSQL cannot store in text: NUL, or half of a UTF-16 surrogate pair. */
export type UnstorableCharacter = "nul_character" | "lone_surrogate";

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `text` holds a character no PostgreSQL text column can store (a NUL, or a lone UTF-16
 * surrogate, which has no UTF-8 form), or null. Any text that reaches the database is checked with
 * this first.
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

/** What `String.prototype.trim` removes: JavaScript's WhiteSpace and LineTerminator characters. */
export const TRIMMED_CHARACTERS =
  "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
// Lone surrogates are left out of the pattern: Rust's and Python's regex engines (which JSON Schema
// tools use) cannot name them, and JSON Schema text rarely holds one; the description says it.
const STORABLE = "[^\\u0000]";
const STORABLE_VISIBLE = `[^${TRIMMED_CHARACTERS}\\u0000]`;

/**
 * The JSON Schema `pattern` (ECMA-262 with the `u` flag, where a character is a code point) of a
 * text that, once trimmed, holds 1 to `maxChars` characters and no NUL — or nothing, if `optional`.
 * It states exactly what the server accepts, so a client (or a fuzzer) can tell valid from invalid.
 */
export function trimmedTextPattern(maxChars: number, optional = false): string {
  const inner = maxChars === 1
    ? STORABLE_VISIBLE
    : `${STORABLE_VISIBLE}(?:${STORABLE}{0,${maxChars - 2}}${STORABLE_VISIBLE})?`;
  return `^[${TRIMMED_CHARACTERS}]*${optional ? `(?:${inner})?` : inner}[${TRIMMED_CHARACTERS}]*$`;
}
