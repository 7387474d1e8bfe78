/**
 * `deno task bench`: the import against its baseline, in one run, on the same machine.
 *
 * Baseline (DESIGN.md §6, the write limit): `psql \copy` into a temp table + one `INSERT … SELECT
 * DISTINCT ON … ON CONFLICT` into a table with the app's migrations less its search (GIN) indexes.
 * App: upload start → SSE `complete` over HTTP, with the server's peak RSS sampled from /proc; and
 * "searchable": upload start → the first answer to a common-word search within 50 ms that equals
 * the answer once search has caught up (every answer meanwhile must equal it too). Prints a table
 * of ratios and writes bench/results.md.
 *
 * 500k cases run `--repeat=N` times (default 3), alternating baseline and app; medians are reported,
 * and the peak RSS is the highest seen. Flags: `--no-2m` skips the 2M-row case; `--listing-only` runs
 * one fresh 500k import through the app and the listing cases only (~3 minutes).
 */
import postgres from "postgres";
import {
  type ListingResult,
  listingTable,
  listLatencyDuring,
  measureListing,
  type SearchWatch,
  timeDeleteAll,
  watchSearch,
} from "./listing.ts";
import { apiFetch, type AppApi, freePort, mintToken, serveArgs } from "./app_api.ts";
import { writeProductsCsv } from "./products_csv.ts";
import { SEARCH_INDEXES } from "../core/products/mod.ts";

const ADMIN_URL = Deno.env.get("BENCH_DATABASE_ADMIN_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROOT = new URL("..", import.meta.url).pathname;
const SEED = 20251118;
const REPEATS = Number(Deno.args.find((arg) => arg.startsWith("--repeat="))?.split("=")[1] ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Row {
  case: string;
  seconds: number;
  baselineName: string;
  baseline: number;
  target: string;
  targetRatio: number | null;
  rssMb: number | null;
  /** Peak RSS allowed, in MB, where the target has one. */
  rssLimitMb?: number;
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.href;
}

async function createDatabase(name: string): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function applyMigrations(name: string): Promise<void> {
  const sql = postgres(databaseUrl(name), { max: 1, onnotice: () => {} });
  const files = [...Deno.readDirSync(`${ROOT}migrations`)].map((e) => e.name).filter((n) =>
    n.endsWith(".sql")
  ).sort();
  for (const file of files) await sql.unsafe(await Deno.readTextFile(`${ROOT}migrations/${file}`));
  await sql.end();
}

/**
 * Flushes PostgreSQL's and the kernel's dirty pages, so one case's writes are not paid for by
 * the next case (on this machine the disk writeback after a 500k import otherwise costs seconds).
 */
async function checkpoint(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin`CHECKPOINT`;
  await admin.end();
  await new Deno.Command("sync").output();
}

async function psql(database: string, script: string): Promise<number> {
  await checkpoint();
  const started = performance.now();
  const child = new Deno.Command("psql", {
    args: ["-q", "-v", "ON_ERROR_STOP=1", databaseUrl(database)],
    stdin: "piped",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const status = await child.status;
  if (!status.success) throw new Error("psql failed");
  return (performance.now() - started) / 1000;
}

function copyUpsertScript(csvPath: string, skipUnchanged: boolean): string {
  const skip = skipUnchanged
    ? "WHERE (p.sku, p.name, p.description) IS DISTINCT FROM (excluded.sku, excluded.name, excluded.description)"
    : "";
  return `
CREATE TEMP TABLE incoming (ord bigserial, name text, sku text, description text);
\\copy incoming (name, sku, description) FROM '${csvPath}' WITH (FORMAT csv, HEADER true)
INSERT INTO products AS p (sku, name, description)
SELECT DISTINCT ON (lower(sku)) sku, name, description FROM incoming ORDER BY lower(sku), ord DESC
ON CONFLICT (lower(sku)) DO UPDATE SET sku = excluded.sku, name = excluded.name,
  description = excluded.description, updated_at = now() ${skip};
`;
}

/** The baseline: a fresh import, then a re-import skipping unchanged rows, without search indexes. */
async function baseline(csvPath: string) {
  const name = `bench_base_${crypto.randomUUID().slice(0, 8)}`;
  await createDatabase(name);
  try {
    await applyMigrations(name);
    const sql = postgres(databaseUrl(name), { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP INDEX ${SEARCH_INDEXES.map((index) => index.name).join(", ")}`);
    await sql.end();
    const fresh = await psql(name, copyUpsertScript(csvPath, false));
    const skip = await psql(name, copyUpsertScript(csvPath, true));
    return { fresh, skip };
  } finally {
    await dropDatabase(name);
  }
}

class ServerProcess {
  readonly base: string;
  #child: Deno.ChildProcess;
  #peakKb = 0;
  #sampler: ReturnType<typeof setInterval>;

  constructor(database: string, dataDir: string) {
    const port = freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: serveArgs(),
      cwd: ROOT,
      env: {
        PORT: String(port),
        DATABASE_URL: databaseUrl(database),
        DATA_DIR: dataDir,
        MAX_UPLOAD_MB: "4000",
        // The bench's one token makes thousands of calls a minute; the limiter still counts each one.
        RATE_LIMIT_PER_MINUTE: "1000000",
      },
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    this.#sampler = setInterval(() => {
      try {
        const status = Deno.readTextFileSync(`/proc/${this.#child.pid}/status`);
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        this.#peakKb = Math.max(this.#peakKb, kb);
      } catch {
        // the process is gone
      }
    }, 100);
  }

  async ready(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      try {
        const response = await fetch(`${this.base}/healthz`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // starting
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the app did not start");
  }

  resetPeak(): void {
    this.#peakKb = 0;
  }

  get peakMb(): number {
    return Math.round(this.#peakKb / 1024);
  }

  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    this.#child.kill("SIGTERM");
    await this.#child.status;
  }
}

/** The common-word search the "searchable" case waits for. */
const COMMON_SEARCH = "/api/products?limit=50&search=kettle";

/**
 * Uploads as a browser does (multipart with a Content-Length) and times the SSE `complete` event;
 * the stream goes on until search has caught up. With `watch`, a common-word search is asked
 * from `complete` on (see {@linkcode watchSearch}). The file is read into memory before the clock starts.
 */
async function importOverHttp(
  api: AppApi,
  csvPath: string,
  options: { watch?: boolean } = {},
): Promise<{ seconds: number; final: Record<string, unknown>; search: SearchWatch | null }> {
  const form = new FormData();
  form.append("file", new Blob([await Deno.readFile(csvPath)], { type: "text/csv" }), "products.csv");
  await checkpoint();
  const started = performance.now();
  const response = await apiFetch(api, "/api/upload", { method: "POST", body: form });
  const answer = await response.json();
  if (response.status !== 202) {
    throw new Error(`upload answered ${response.status}: ${JSON.stringify(answer)}`);
  }

  const progress = await apiFetch(api, `/api/progress/${answer.task_id}`);
  let final: Record<string, unknown> | null = null;
  let seconds = NaN;
  let streamEnded = () => {};
  const ended = new Promise<void>((resolve) => (streamEnded = resolve));
  let watching: Promise<SearchWatch> | null = null;
  let buffered = "";
  for await (const text of progress.body!.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    const events = buffered.split("\n\n");
    buffered = events.pop()!;
    for (const event of events) {
      const data = event.split("\n").find((line) => line.startsWith("data:"));
      if (!data) continue;
      const parsed = JSON.parse(data.slice(5));
      if (parsed.status === "error") throw new Error(`import failed: ${parsed.message}`);
      if (parsed.status !== "complete") continue;
      if (final === null) {
        seconds = (performance.now() - started) / 1000;
        if (options.watch) watching = watchSearch(api, COMMON_SEARCH, started, ended);
      }
      final = parsed;
    }
  }
  streamEnded();
  if (!final) throw new Error("the progress stream ended without complete");
  if (final.search_index !== "ready") throw new Error("the progress stream ended before search caught up");
  return { seconds, final, search: watching ? await watching : null };
}

async function countProducts(database: string): Promise<number> {
  const sql = postgres(databaseUrl(database), { max: 1, onnotice: () => {} });
  const [{ count }] = await sql`SELECT count(*)::int AS count FROM products`;
  await sql.end();
  return count;
}

/** Runs the app's imports of one file: fresh, then (optionally) the same file again. */
async function appImports(
  csvPath: string,
  distinctSkus: number,
  withReimport: boolean,
  listing?: ListingResult[],
) {
  const database = `bench_app_${crypto.randomUUID().slice(0, 8)}`;
  const dataDir = await Deno.makeTempDir({ prefix: "bench-app-" });
  await createDatabase(database);
  const server = new ServerProcess(database, dataDir);
  try {
    await server.ready();
    const api = { base: server.base, token: await mintToken(databaseUrl(database)) };
    server.resetPeak();
    // Only the 500k case is timed until search answers; the 2M case is timed to `complete`.
    const fresh = await importOverHttp(api, csvPath, { watch: withReimport });
    const freshRss = server.peakMb;
    const stored = await countProducts(database);
    if (stored !== distinctSkus) console.log(`FAIL: ${stored} products stored, expected ${distinctSkus}`);
    if (fresh.search && fresh.search.wrongAnswers > 0) {
      console.log(`FAIL: ${fresh.search.wrongAnswers} of ${fresh.search.answers} searches were wrong`);
    }
    let again = null;
    let againRss = null;
    if (withReimport) {
      server.resetPeak();
      again = await importOverHttp(api, csvPath);
      againRss = server.peakMb;
      // The same file again: each SKU's last row is what is stored, so nothing is written.
      if (again.final.inserted !== 0 || again.final.updated !== 0) {
        console.log(
          `FAIL: the re-import inserted ${again.final.inserted} and updated ${again.final.updated}`,
        );
      }
    }
    if (listing) {
      listing.push(...await measureListing(api));
      listing.push(await listLatencyDuring(api, importOverHttp(api, csvPath)));
      listing.push(await timeDeleteAll(api));
    }
    return {
      fresh: fresh.seconds,
      searchable: fresh.search?.searchableSeconds ?? NaN,
      freshRss,
      again: again?.seconds ?? NaN,
      againRss,
    };
  } finally {
    await server.stop();
    await dropDatabase(database);
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

function formatTable(rows: Row[]): string {
  const lines = [
    "| case | seconds | baseline | baseline s | ratio | target | peak RSS MB |",
    "|---|---:|---|---:|---:|---|---:|",
  ];
  for (const row of rows) {
    const ratio = row.seconds / row.baseline;
    const withinRss = row.rssLimitMb === undefined || (row.rssMb ?? Infinity) <= row.rssLimitMb;
    const verdict = row.targetRatio === null ? "" : ratio <= row.targetRatio && withinRss ? " ✓" : " ✗";
    lines.push(
      `| ${row.case} | ${row.seconds.toFixed(2)} | ${row.baselineName} | ${row.baseline.toFixed(2)} | ` +
        `${ratio.toFixed(2)}×${verdict} | ${row.target} | ${row.rssMb ?? "—"} |`,
    );
  }
  return lines.join("\n");
}

const tmp = await Deno.makeTempDir({ prefix: "bench-" });
if (Deno.args.includes("--listing-only")) {
  // The listing part alone (~3 minutes): one fresh import through the app, then the listing cases.
  try {
    const path500k = `${tmp}/products-500k.csv`;
    const file500k = await writeProductsCsv(path500k, { rows: 500_000, seed: SEED });
    const listing: ListingResult[] = [];
    const { fresh } = await appImports(path500k, file500k.distinctSkus, false, listing);
    console.log(`fresh 500k import through the app: ${fresh.toFixed(2)} s`);
    console.log(`\nWith 500k products loaded:\n\n${listingTable(listing)}\n`);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  Deno.exit(0);
}
try {
  const rows: Row[] = [];
  const path500k = `${tmp}/products-500k.csv`;
  const file500k = await writeProductsCsv(path500k, { rows: 500_000, seed: SEED });
  console.log(`500k rows: ${(file500k.bytes / 1e6).toFixed(1)} MB, ${file500k.distinctSkus} distinct SKUs`);

  // Baseline and app alternate, so a slow moment of this noisy machine hits both alike.
  const listing: ListingResult[] = [];
  const baseRuns = [];
  const appRuns = [];
  for (let run = 0; run < REPEATS; run++) {
    baseRuns.push(await baseline(path500k));
    const last = run === REPEATS - 1;
    appRuns.push(await appImports(path500k, file500k.distinctSkus, true, last ? listing : undefined));
  }
  const base500k = {
    fresh: median(baseRuns.map((r) => r.fresh)),
    skip: median(baseRuns.map((r) => r.skip)),
  };
  const app500k = {
    fresh: median(appRuns.map((r) => r.fresh)),
    searchable: median(appRuns.map((r) => r.searchable)),
    again: median(appRuns.map((r) => r.again)),
    freshRss: Math.max(...appRuns.map((r) => r.freshRss)),
    againRss: Math.max(...appRuns.map((r) => r.againRss ?? 0)),
  };
  console.log(`500k runs (s): baseline ${JSON.stringify(baseRuns)}, app ${JSON.stringify(appRuns)}`);
  const limitName = "COPY + upsert, no search indexes";
  rows.push(
    {
      case: "500k fresh import (upload → complete)",
      seconds: app500k.fresh,
      baselineName: limitName,
      baseline: base500k.fresh,
      target: "≤ 1.25×, RSS ≤ 200 MB",
      targetRatio: 1.25,
      rssMb: app500k.freshRss,
      rssLimitMb: 200,
    },
    {
      case: '500k searchable (upload → "kettle" right within 50 ms)',
      seconds: app500k.searchable,
      baselineName: limitName,
      baseline: base500k.fresh,
      target: "≤ 3.0×",
      targetRatio: 3.0,
      rssMb: null,
    },
    {
      case: "500k re-import of the same file",
      seconds: app500k.again,
      baselineName: "COPY + upsert skipping unchanged",
      baseline: base500k.skip,
      target: "≤ 1.15×",
      targetRatio: 1.15,
      rssMb: app500k.againRss,
      rssLimitMb: 200,
    },
  );

  if (!Deno.args.includes("--no-2m")) {
    const path2m = `${tmp}/products-2m.csv`;
    const file2m = await writeProductsCsv(path2m, { rows: 2_000_000, seed: SEED });
    console.log(`2M rows: ${(file2m.bytes / 1e6).toFixed(1)} MB, ${file2m.distinctSkus} distinct SKUs`);
    const app2m = await appImports(path2m, file2m.distinctSkus, false);
    rows.push({
      case: "2M fresh import (upload → complete)",
      seconds: app2m.fresh,
      baselineName: "the app's 500k fresh import",
      baseline: app500k.fresh,
      target: "≤ 4.4× (linear), RSS ≤ 200 MB",
      targetRatio: 4.4,
      rssMb: app2m.freshRss,
      rssLimitMb: 200,
    });
    await Deno.remove(path2m);
  }

  const table = formatTable(rows);
  const listingResults = listingTable(listing);
  const report = `${table}\n\nWith 500k products loaded:\n\n${listingResults}\n`;
  console.log(`\n${report}`);
  await Deno.writeTextFile(
    `${ROOT}bench/results.md`,
    `# deno task bench — ${new Date().toISOString()}\n\n${report}`,
  );
} finally {
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
