import { deepStrictEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { laneOf, LaneWriter, SkusInFile } from "../../../core/imports/lanes.ts";

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

function row(sku: string) {
  return { sku, name: sku, description: null, price: null, active: true };
}

Deno.test("a lane commits its batches one after another, in the order they were cut", async () => {
  const committed: string[][] = [];
  const releases: (() => void)[] = [];
  const lane = new LaneWriter(0, {
    resumeAfter: 0,
    batchSize: 2,
    commit: async (batch) => {
      await new Promise<void>((resolve) => releases.push(resolve));
      committed.push(batch.rows.map((r) => r.sku));
    },
  });
  lane.addRow(row("A"));
  equal(lane.full, false);
  lane.addRow(row("B"));
  equal(lane.full, true);
  const firstCut = lane.cut(2, 100);
  equal(lane.full, false, "cutting starts a new batch");
  await firstCut; // nothing was committing before: the reader may go on at once
  lane.addRow(row("C"));
  let secondCutDone = false;
  const secondCut = lane.cut(3, 150).then(() => (secondCutDone = true));
  await Promise.resolve();
  equal(secondCutDone, false, "the reader waits while the first batch is still committing");
  equal(releases.length, 1, "the second batch waits for the first");
  releases[0]();
  await secondCut;
  await waitFor(() => releases.length === 2);
  releases[1]();
  await lane.drain();
  deepStrictEqual(committed, [["A", "B"], ["C"]]);
  equal(lane.committedThrough, 3);
});

Deno.test("a lane skips what an earlier attempt committed, and a failed commit stops the reader", async () => {
  const lane = new LaneWriter(1, {
    resumeAfter: 40,
    batchSize: 10,
    commit: () => Promise.reject(new Error("connection lost")),
  });
  equal(lane.hasCommitted(40), true);
  equal(lane.hasCommitted(41), false);
  equal(lane.committedThrough, 40);
  lane.addRow(row("X"));
  await lane.cut(41, 10);
  await rejects(lane.drain(), /connection lost/);
  throws(() => lane.throwIfFailed(), /connection lost/);
  equal(lane.committedThrough, 40, "a failed batch does not move the resume point");
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  ok(condition(), "timed out");
}

Deno.test("a lane remembers its committed SKUs in any letter case, and which were unchanged", () => {
  const skus = new SkusInFile();
  const row = (sku: string) => ({ sku, name: "n", description: null, price: null, active: true });
  const batch = Array.from({ length: 50_000 }, (_, i) => row(`SKU-${i}`));
  equal(skus.earlier(batch), null, "nothing came earlier in a first batch");
  skus.committed(batch, [7]);
  deepStrictEqual(skus.earlier([row("sku-3"), row("new-1"), row("Sku-7"), row("SKU-49999")]), [1, 0, 2, 1]);
  skus.committedBefore("new-1");
  deepStrictEqual(skus.earlier([row("NEW-1")]), [1]);
});
