import { deepStrictEqual, equal } from "node:assert/strict";
import { characterCount, unstorableCharacter } from "../../../core/platform/text.ts";
import { checkProductField, productFieldError } from "../../../core/products/fields.ts";

Deno.test("sku and name are required; description and price may be empty", () => {
  equal(checkProductField("sku", ""), "missing");
  equal(checkProductField("name", ""), "missing");
  equal(checkProductField("description", ""), null);
  equal(checkProductField("price", ""), null);
});

Deno.test("lengths follow the table's columns", () => {
  equal(checkProductField("sku", "x".repeat(255)), null);
  equal(checkProductField("sku", "x".repeat(256)), "too_long");
  equal(checkProductField("name", "x".repeat(501)), "too_long");
  equal(checkProductField("description", "x".repeat(100_001)), "too_long");
});

Deno.test("a price is a decimal from 0 to 99,999,999.99 with at most two decimals", () => {
  const verdicts = ["0", "19.9", "19.99", "99999999.99", "-1", "1.999", "100000000", "1e3", "12,50", "abc"]
    .map((text) => checkProductField("price", text));
  deepStrictEqual(verdicts, [null, null, null, null, ...Array(6).fill("not_a_price")]);
});

Deno.test("the form's messages say what to enter, and trim first", () => {
  equal(productFieldError("sku", "   "), "Enter a SKU");
  equal(productFieldError("name", "x".repeat(501)), "Use at most 500 characters");
  equal(
    productFieldError("price", "1.999"),
    "Enter a price from 0 to 99999999.99 with at most 2 decimals, like 19.99",
  );
  equal(productFieldError("price", " 12.50 "), null);
});

const EMOJI = "\u{1F600}"; // one character, two UTF-16 units

Deno.test("lengths count characters (code points) as PostgreSQL does, not UTF-16 units", () => {
  equal(characterCount(EMOJI.repeat(255)), 255);
  equal(checkProductField("sku", EMOJI.repeat(255)), null);
  equal(checkProductField("sku", EMOJI.repeat(256)), "too_long");
  equal(checkProductField("name", `${"é".repeat(250)}${EMOJI.repeat(250)}`), null);
  equal(productFieldError("sku", EMOJI.repeat(256)), "Use at most 255 characters");
});

Deno.test("NUL and lone surrogates are refused in every text field, with the reason", () => {
  for (const field of ["sku", "name", "description"] as const) {
    equal(checkProductField(field, "a\0b"), "nul_character", field);
    equal(checkProductField(field, "a\ud800b"), "lone_surrogate", field);
    equal(checkProductField(field, "a\udc00"), "lone_surrogate", field);
    equal(checkProductField(field, `a${EMOJI}b`), null, field);
  }
  equal(productFieldError("name", "x\0"), "Remove a NUL character (\\u0000); it cannot be stored as text");
  equal(unstorableCharacter("\udfff\ud800"), "lone_surrogate"); // a pair in the wrong order
  equal(unstorableCharacter("plain"), null);
});
