import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import Papa from "papaparse";
import {
  appTest,
  fetchWithDeadline,
  importCsv,
  type ProgressEventJson,
  readBody,
  signIn,
  type TestApp,
} from "../helpers/test_app.ts";

const COUNTS = ["current", "inserted", "updated", "unchanged", "duplicates", "failed", "percent"] as const;

/** Fails unless every event adds up, moves only forwards, and the last equals the API and the page. */
async function assertCountersAgree(app: TestApp, events: ProgressEventJson[], job: Record<string, unknown>) {
  let previous: ProgressEventJson | null = null;
  for (const event of events) {
    const parts = event.inserted + event.updated + event.unchanged + event.duplicates + event.failed;
    equal(
      event.current,
      parts,
      `rows read = new + updated + unchanged + repeated + failed: ${JSON.stringify(event)}`,
    );
    if (previous) {
      ok(event.percent >= previous.percent, `percent went back from ${previous.percent} to ${event.percent}`);
      ok(
        event.current >= previous.current,
        `rows read went back from ${previous.current} to ${event.current}`,
      );
    }
    previous = event;
  }
  const final = events.at(-1)!;
  const api = { ...job, current: job.rows } as Record<string, unknown>;
  for (const count of COUNTS) equal(api[count], final[count], `/api/imports/{id} ${count}`);

  const session = await signIn(app);
  const page = await readBody(await session.fetch(`/imports/${final.task_id}`));
  const props = page.match(/data-island="ImportProgress" data-props="([^"]*)"/)?.[1];
  ok(props, "the job page renders the progress card");
  const { initial } = JSON.parse(props.replaceAll("&quot;", '"').replaceAll("&amp;", "&")) as {
    initial: ProgressEventJson;
  };
  for (const count of COUNTS) equal(initial[count], final[count], `the page's ${count}`);
}

/**
 * `rows` rows over 3,000 SKUs, each SKU every 3,000 rows, so its rows fall in different batches;
 * SKUs 0–499 equal what the seed stored, 500–999 change it (and their letter case), the rest are new.
 * Every 41st row has no name and every 59th a bad price.
 */
function catalogue(rows: number) {
  const lines = ["sku,name,price"];
  const expected = {
    rows,
    failed: 0,
    valid: 0,
    inserted: new Set(),
    updated: new Set(),
    unchanged: new Set(),
  };
  for (let i = 1; i <= rows; i++) {
    const key = i % 3000;
    const sku = key >= 500 && Math.floor(i / 3000) % 2 ? `K-${key}` : `k-${key}`;
    const price = key < 500 ? "1.00" : `${2 + (i % 3)}.00`;
    if (i % 41 === 0) lines.push(`${sku},,${price}`);
    else if (i % 59 === 0) lines.push(`${sku},Name ${key},abc`);
    else {
      lines.push(`${sku},Name ${key},${price}`);
      expected.valid += 1;
      (key < 500 ? expected.unchanged : key < 1000 ? expected.updated : expected.inserted).add(key);
      continue;
    }
    expected.failed += 1;
  }
  return { csv: lines.join("\n") + "\n", expected };
}

const seed = ["sku,name,price", ...Array.from({ length: 1000 }, (_, key) => `k-${key},Name ${key},1.00`)]
  .join("\n");

appTest(
  "counters add up at every SSE event of an import with repeated SKUs and bad rows",
  async (app) => {
    await importCsv(app, seed);
    const { csv, expected } = catalogue(12_000);

    const first = await importCsv(app, csv);
    equal(first.final.status, "complete", first.final.message);
    ok(
      first.events.some((event) => event.status === "processing" && event.current < expected.rows),
      "the stream saw the import while it ran",
    );
    await assertCountersAgree(app, first.events, first.job);
    const distinct = expected.inserted.size + expected.updated.size + expected.unchanged.size;
    deepStrictEqual(
      {
        current: first.final.current,
        total: first.final.total,
        inserted: first.final.inserted,
        updated: first.final.updated,
        unchanged: first.final.unchanged,
        duplicates: first.final.duplicates,
        failed: first.final.failed,
      },
      {
        current: expected.rows,
        total: expected.rows,
        inserted: expected.inserted.size,
        updated: expected.updated.size,
        unchanged: expected.unchanged.size,
        duplicates: expected.valid - distinct,
        failed: expected.failed,
      },
    );

    // The same file again: nothing new, the same repeats and failures, still adding up at every event.
    const again = await importCsv(app, csv);
    equal(again.final.status, "complete", again.final.message);
    await assertCountersAgree(app, again.events, again.job);
    equal(again.final.current, expected.rows);
    equal(again.final.inserted, 0);
    equal(again.final.updated + again.final.unchanged, distinct);
    equal(again.final.duplicates, expected.valid - distinct);
    equal(again.final.failed, expected.failed);
  },
  { IMPORT_BATCH_SIZE: "100", IMPORT_LANES: "3" },
);

async function errorReport(app: TestApp, job: Record<string, unknown>): Promise<string[][]> {
  const response = await fetchWithDeadline(`${app.url}${job.errors_csv_url}`, {
    headers: { authorization: `Bearer ${app.token}` },
  });
  return Papa.parse<string[]>(await readBody(response), { skipEmptyLines: true }).data;
}

appTest("an unclosed quote reports the lines it swallowed, and the counts still add up", async (app) => {
  const lines = ["sku,name,price"];
  for (let line = 2; line <= 20; line++) {
    lines.push(line === 12 ? `s-${line},"Name ${line},1.00` : `s-${line},Name ${line},1.00`);
  }
  const { final, events, job } = await importCsv(app, lines.join("\n") + "\n");

  equal(final.status, "error");
  match(
    final.message,
    /^Line 12: a quoted field is opened but never closed; an unclosed quote at line 12 of the file swallowed lines 13–20 \(to the end of the file\), which were not imported\. 10 rows before it/,
  );
  await assertCountersAgree(app, events, job);
  equal(job.rows, 11, "the ten rows before it and the row it broke");
  equal(job.inserted, 10);
  equal(job.failed, 1);
  const report = await errorReport(app, job);
  equal(report.length, 2);
  equal(report[1][3], "12");
  match(report[1][4], /^line 12: an unclosed quote at line 12 of the file swallowed lines 13–20 /);
});

appTest("a quote closed lines later names the lines it swallowed into the row", async (app) => {
  const csv = [
    "sku,name,price",
    "a-2,A,1.00",
    'b-3,"B starts,1.00',
    "c-4,C,1.00",
    "",
    "d-6,D,1.00",
    'e-7,E ends",1.00,extra',
    "f-8,F,1.00",
  ].join("\n");
  const { final, events, job } = await importCsv(app, csv);

  equal(final.status, "complete", final.message);
  await assertCountersAgree(app, events, job);
  equal(job.inserted, 2);
  equal(job.failed, 1);
  const report = await errorReport(app, job);
  equal(report[1].at(-2), "3");
  equal(
    report[1].at(-1),
    "line 3: expected 3 fields like the header, found 4; a quote opened on line 3 of the file runs on, " +
      "so it swallowed file lines 4–7 into this row",
  );
});
