import { equal, ok } from "node:assert/strict";
import { laneOf } from "../../../core/imports/lanes.ts";

Deno.test("SKUs that differ only in letter case always share a lane", () => {
  const pairs = [
    ["ABC-123", "abc-123"],
    ["\u212A-77", "k-77"], // KELVIN SIGN lowercases to an ASCII k
    ["\u0130STANBUL-9", "istanbul-9"], // LATIN CAPITAL I WITH DOT ABOVE
    ["ÄÖÜ-5", "äöü-5"],
    ["NO-DIGITS", "no-digits"],
  ];
  for (const [upper, lower] of pairs) {
    for (const lanes of [2, 3, 4]) equal(laneOf(upper, lanes), laneOf(lower, lanes), `${upper} / ${lower}`);
  }
});

Deno.test("SKUs with digits spread over the lanes", () => {
  const counts = [0, 0];
  for (let i = 0; i < 10_000; i++) counts[laneOf(`SKU-${i}`, 2)] += 1;
  ok(counts[0] > 4_000 && counts[1] > 4_000, `lanes got ${counts.join(" and ")} rows`);
  equal(laneOf("anything-1", 1), 0);
});
