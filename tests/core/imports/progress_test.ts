import { deepStrictEqual, equal } from "node:assert/strict";
import { type ImportJob, isFinalStatus, progressFromJob } from "../../../core/imports/progress.ts";

function job(changes: Partial<ImportJob>): ImportJob {
  return {
    id: "0b7a3d4e-0000-4000-8000-000000000001",
    kind: "import",
    file_name: "products.csv",
    file_path: "/tmp/x.csv",
    file_size: 1000,
    status: "processing",
    message: "Imported 400 rows",
    rows_done: 400,
    bytes_done: 250,
    inserted: 300,
    updated: 50,
    unchanged: 40,
    duplicates: 5,
    failed: 5,
    header: ["sku", "name"],
    lane_rows_done: [400, 410],
    error: null,
    attempts: 1,
    created_at: new Date("2026-01-01T10:00:00Z"),
    started_at: new Date("2026-01-01T10:00:00Z"),
    finished_at: null,
    heartbeat_at: new Date("2026-01-01T10:00:02Z"),
    owner_instance: null,
    claimed_by: null,
    rows_total: null,
    search_deferred: false,
    search_ready_at: null,
    params: null,
    cancel_requested_at: null,
    column_mapping: null,
    delimiter: ",",
    ...changes,
  };
}

Deno.test("a running job's progress: reading is the first 30 % by bytes, rows per second since it started", () => {
  const event = progressFromJob(job({}), new Date("2026-01-01T10:00:02Z"));
  equal(event.status, "processing");
  equal(event.percent, 7, "a quarter of the file read is a quarter of the reading share");
  equal(event.total, null, "the total is unknown until the file is read");
  equal(event.rows_per_sec, 200);
  equal(event.elapsed_ms, 2000);
});

Deno.test("a finished job's progress is fixed by its end time, whenever it is read", () => {
  const done = job({
    status: "complete",
    rows_done: 1000,
    bytes_done: 1000,
    finished_at: new Date("2026-01-01T10:00:04Z"),
  });
  const soon = progressFromJob(done, new Date("2026-01-01T10:00:05Z"));
  const later = progressFromJob(done, new Date("2026-01-02T00:00:00Z"));
  deepStrictEqual(soon, later);
  equal(soon.percent, 100);
  equal(soon.total, 1000);
  equal(soon.rows_per_sec, 250);
});

Deno.test("a claimed job with nothing committed yet is started; a full file stays below 100% until complete", () => {
  equal(progressFromJob(job({ rows_done: 0, bytes_done: 0 })).status, "started");
  equal(progressFromJob(job({ bytes_done: 1000 })).percent, 30, "read, nothing written yet");
  const writing = job({ bytes_done: 1000, rows_total: 1000, rows_done: 500 });
  equal(progressFromJob(writing).percent, 65, "half the rows written: reading's 30 % plus half of the rest");
  equal(progressFromJob(writing).total, 1000, "the total is known once the file is read");
  equal(progressFromJob(job({ bytes_done: 1000, rows_total: 1000, rows_done: 1000 })).percent, 99);
  equal(progressFromJob(job({ kind: "bulk_delete", file_size: 0, bytes_done: 0 })).percent, 0);
});

Deno.test("only complete and error are final", () => {
  deepStrictEqual(
    ["queued", "started", "processing", "complete", "error"].map((s) => isFinalStatus(s as "queued")),
    [false, false, false, true, true],
  );
});

Deno.test("a bulk action's progress counts toward the selection's size it was asked for", () => {
  const params = { action: "deactivate", selection: { filters: {} }, total: 400, after_id: 0 };
  const running = progressFromJob(
    job({ kind: "bulk_action", file_size: 0, bytes_done: 0, rows_done: 100, rows_total: 400, params }),
  );
  equal(running.percent, 25);
  equal(running.total, 400);
  const past = progressFromJob(
    job({ kind: "bulk_action", file_size: 0, bytes_done: 0, rows_done: 450, rows_total: 400, params }),
  );
  equal(past.percent, 99, "more matched than counted: still below 100% until complete");
});

Deno.test("search is catching up from when an import sets its indexes aside until they are rebuilt", () => {
  equal(progressFromJob(job({})).search_index, "ready");
  equal(progressFromJob(job({ search_deferred: true })).search_index, "catching_up");
  const rebuilt = job({
    status: "complete",
    search_deferred: true,
    search_ready_at: new Date("2026-01-01T10:00:09Z"),
  });
  equal(progressFromJob(rebuilt).search_index, "ready");
});
