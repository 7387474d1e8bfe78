import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { ValidationError } from "../../../core/platform/errors.ts";
import { parseWebhookCreate, parseWebhookUpdate } from "../../../core/webhooks/input.ts";

/** The field names a refused input's details point at. */
function refusedFields(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return (error.details as { field: string }[]).map((detail) => detail.field);
  }
  throw new Error("the input was accepted");
}

Deno.test("a NUL or a lone surrogate in any webhook field is refused, naming the field", () => {
  deepStrictEqual(
    refusedFields(() => parseWebhookCreate({ url: "https://example.test/\0", event_type: "*" })),
    ["url"],
  );
  deepStrictEqual(
    refusedFields(() =>
      parseWebhookCreate({ url: "https://example.test/", event_type: "product.created\ud800" })
    ),
    ["event_type"],
  );
  deepStrictEqual(
    refusedFields(() => parseWebhookUpdate({ event_types: ["product.created", "\udc00"] })),
    ["event_types.1"],
  );
  throws(
    () => parseWebhookUpdate({ url: "https://example.test/\ud83d" }),
    /url: Remove an unpaired UTF-16 surrogate/,
  );
});

Deno.test("astral characters in a URL are fine for the input rules", () => {
  equal(
    parseWebhookCreate({ url: "https://example.test/\u{1F600}", event_type: "*" }).url,
    "https://example.test/\u{1F600}",
  );
});
