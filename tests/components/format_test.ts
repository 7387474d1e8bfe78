import { equal } from "node:assert/strict";
import { formatBytes, formatCount, formatDuration } from "../../components/format.ts";

Deno.test("durations under a minute show tenths of a second", () => {
  equal(formatDuration(0), "0.0 s");
  equal(formatDuration(42_345), "42.3 s");
  equal(formatDuration(59_940), "59.9 s");
});

Deno.test("a duration that rounds up to a whole minute carries into the minutes, never 60 s", () => {
  equal(formatDuration(59_960), "1 min 00 s");
  equal(formatDuration(60_000), "1 min 00 s");
  equal(formatDuration(119_600), "2 min 00 s");
  equal(formatDuration(185_000), "3 min 05 s");
});

Deno.test("an hour or more shows hours, and 3599.5 s rounds up to one", () => {
  equal(formatDuration(3_599_400), "59 min 59 s");
  equal(formatDuration(3_599_500), "1 h 00 min 00 s");
  equal(formatDuration(3_725_000), "1 h 02 min 05 s");
  equal(formatDuration(26 * 3_600_000), "26 h 00 min 00 s");
});

Deno.test("counts and sizes read as people write them", () => {
  equal(formatCount(1_234_567), "1,234,567");
  equal(formatBytes(512), "512 B");
  equal(formatBytes(90_596_966), "86 MB");
  equal(formatBytes(1536), "1.5 KB");
});
