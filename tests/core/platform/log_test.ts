import { deepStrictEqual, equal, match } from "node:assert/strict";
import { Logger } from "../../../core/platform/mod.ts";

Deno.test("a request becomes one JSON line with time, level and exactly the request's fields", () => {
  const lines: string[] = [];
  const log = new Logger((line) => lines.push(line));
  log.request({ request_id: "r-1", method: "GET", path: "/", status: 200, duration_ms: 1.5, actor: null });
  equal(lines.length, 1);
  equal(lines[0].includes("\n"), false);
  const entry = JSON.parse(lines[0]);
  deepStrictEqual(Object.keys(entry), [
    "time",
    "level",
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "actor",
  ]);
  match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  deepStrictEqual({ ...entry, time: "" }, {
    time: "",
    level: "info",
    request_id: "r-1",
    method: "GET",
    path: "/",
    status: 200,
    duration_ms: 1.5,
    actor: null,
  });
});

Deno.test("an unexpected error becomes one JSON line at level error with its request id and message", () => {
  const lines: string[] = [];
  const log = new Logger((line) => lines.push(line));
  log.unexpected(new TypeError("boom\non two lines"), "r-2");
  log.unexpected("a thrown string", null);
  equal(lines.length, 2);
  const [first, second] = lines.map((line) => JSON.parse(line));
  equal(first.level, "error");
  equal(first.request_id, "r-2");
  equal(first.error.name, "TypeError");
  equal(first.error.message, "boom\non two lines");
  match(first.error.stack, /log_test\.ts/);
  equal(second.request_id, null);
  equal(second.error.message, "a thrown string");
});
