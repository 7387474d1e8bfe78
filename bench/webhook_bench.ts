/**
 * The webhook part of `deno task bench`; run it alone with `deno run --allow-all bench/webhook_bench.ts`.
 *
 * Deliveries per second: N events queued in one statement, the doorbell rung, until a local receiver
 * answering 204 has every delivery and each is `succeeded`. Baseline, in the same run: the same
 * receiver hit by `fetch` POSTs of the same body, 16 at a time (the dispatcher's concurrency).
 * Listing: `GET /api/products` with 50k products while 1,000 deliveries wait on a receiver that
 * answers after 2 s, and while 5,000 are sent flat out, against the same requests with nothing
 * pending. Prints a table and writes bench/webhook_results.md.
 */
import postgres from "postgres";
import { connectDatabase, loadConfig, type Sql } from "../core/platform/mod.ts";
import { tidyAfterBulkChange } from "../core/products/mod.ts";
import { eventBody } from "../core/webhooks/mod.ts";
import { type RunningServer, startServer } from "../main.ts";
import { apiCall, type AppApi, mintToken } from "./app_api.ts";
import { clearDeliveries, queueEvents } from "./deliveries.ts";
import { listLatencyDuring, percentile, timedGet } from "./listing.ts";

const ADMIN_URL = Deno.env.get("BENCH_DATABASE_ADMIN_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROOT = new URL("..", import.meta.url).pathname;
const RUNS = 3;
const QUEUE_SIZES = [1000, 5000];
/** The dispatcher's default; the baseline sends as many at once. */
const CONCURRENCY = 16;
// The default 1,000 attempts per webhook per hour would hold most deliveries back for an hour.
const RATE_LIMIT_PER_HOUR = 1_000_000;
const PRODUCTS = 50_000;
const PENDING = 1000;
/** Deliveries sent flat out while the listing is sampled. */
const DRAINED = 5000;
const LIST_REQUESTS = 200;
const LIST_P95_BUDGET_MS = 50;
const SLOW_ANSWER_MS = 2000;
const DRAIN_TIMEOUT_MS = 120_000;
const LIST_URLS = [
  { label: "first page", path: "/api/products" },
  { label: 'search "duct 12"', path: "/api/products?search=duct%2012" },
];

/** A local webhook receiver that counts requests and answers 204, at once or after a delay. */
class CountingReceiver {
  readonly url: string;
  /** Requests since the last {@linkcode reset}. */
  count = 0;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #aborter = new AbortController();
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(answerAfterMs = 0) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: this.#aborter.signal, onListen: () => {} },
      async () => {
        this.count++;
        this.#waiters = this.#waiters.filter((waiter) => {
          if (this.count < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        if (answerAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
        return new Response(null, { status: 204 });
      },
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  reset(): void {
    this.count = 0;
  }

  /** Resolves once `count` requests have arrived since the last reset. */
  reached(count: number): Promise<void> {
    if (this.count >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.#aborter.abort();
    await this.#server.finished;
  }
}

function sampleBody(): string {
  const at = new Date().toISOString();
  return eventBody("product.updated", {
    id: 12345,
    sku: "SKU-12345",
    name: "Product 12345",
    description: "desc 12345",
    price: 19.99,
    active: true,
    created_at: at,
    updated_at: at,
  });
}

/** Rings the doorbell as the app does after any successful write; the new product adds one delivery. */
async function ring(app: AppApi, sku: string): Promise<void> {
  await apiCall(app, "POST", "/api/products", { sku, name: "ring" }, 201);
}

/** Seconds from the ring until the receiver has `count` + 1 requests and every delivery is `succeeded`. */
async function timeDelivery(
  app: AppApi,
  sql: Sql,
  receiver: CountingReceiver,
  count: number,
  sku: string,
): Promise<number> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  // A plain timer, cleared below: a pending AbortSignal.timeout() keeps Deno from exiting.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`only ${receiver.count} of ${count + 1} deliveries arrived in time`)),
      DRAIN_TIMEOUT_MS,
    );
  });
  const started = performance.now();
  try {
    await ring(app, sku);
    await Promise.race([receiver.reached(count + 1), late]);
  } finally {
    clearTimeout(timer);
  }
  while (true) {
    const [{ open }] = await sql<{ open: number }[]>`
      SELECT count(*) FILTER (WHERE status <> 'succeeded')::int AS open FROM webhook_deliveries`;
    if (open === 0) break;
    if (performance.now() > deadline) throw new Error(`${open} deliveries did not succeed in time`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return (performance.now() - started) / 1000;
}

/** Requests per second of `count` plain `fetch` POSTs of `body`, {@linkcode CONCURRENCY} at a time. */
async function fetchRate(url: string, body: string, count: number): Promise<number> {
  let sent = 0;
  const started = performance.now();
  async function sender(): Promise<void> {
    while (sent < count) {
      sent++;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await response.body?.cancel();
      if (response.status !== 204) throw new Error(`the receiver answered ${response.status}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return count / ((performance.now() - started) / 1000);
}

interface ThroughputResult {
  queued: number;
  appRates: number[];
  baselineRates: number[];
}

/** App and baseline alternate, so a slow moment of the machine hits both alike. */
async function measureThroughput(
  app: AppApi,
  sql: Sql,
  receiver: CountingReceiver,
  queued: number,
): Promise<ThroughputResult> {
  const body = sampleBody();
  const result: ThroughputResult = { queued, appRates: [], baselineRates: [] };
  for (let run = 0; run < RUNS; run++) {
    receiver.reset();
    result.baselineRates.push(await fetchRate(`${receiver.url}/baseline`, body, queued));
    await clearDeliveries(sql);
    receiver.reset();
    await queueEvents(sql, queued, body);
    const seconds = await timeDelivery(app, sql, receiver, queued, `BENCH-RING-${queued}-${run}`);
    result.appRates.push((queued + 1) / seconds);
  }
  return result;
}

interface ListLatency {
  label: string;
  p50: number;
  p95: number;
}

/** p50 and p95 of {@linkcode LIST_REQUESTS} sequential requests per listing URL, after a warm-up. */
async function measureListing(app: AppApi): Promise<ListLatency[]> {
  const results: ListLatency[] = [];
  for (const { label, path } of LIST_URLS) {
    for (let i = 0; i < 5; i++) await timedGet(app, path);
    const samples: number[] = [];
    for (let i = 0; i < LIST_REQUESTS; i++) samples.push(await timedGet(app, path));
    results.push({ label, p50: percentile(samples, 50), p95: percentile(samples, 95) });
  }
  return results;
}

async function loadProducts(sql: Sql): Promise<void> {
  await sql`
    INSERT INTO products (sku, name, description)
    SELECT 'SKU-' || g, 'Product ' || g, 'desc ' || g FROM generate_series(1, ${PRODUCTS}) g`;
  await tidyAfterBulkChange(sql);
}

async function pendingCount(sql: Sql): Promise<number> {
  const [{ pending }] = await sql<{ pending: number }[]>`
    SELECT count(*)::int AS pending FROM webhook_deliveries WHERE status = 'pending'`;
  return pending;
}

/** One line of the results table, already formatted. */
interface TableRow {
  case: string;
  app: string;
  baselineName: string;
  baseline: string;
  ratio: string;
  target: string;
}

function formatRate(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")}/s`;
}

function throughputRow(result: ThroughputResult): TableRow {
  // With an odd number of runs the 50th percentile is the median.
  const app = percentile(result.appRates, 50);
  const baseline = percentile(result.baselineRates, 50);
  return {
    case: `deliveries/s, ${result.queued.toLocaleString("en-US")} queued + 1 (median of ${RUNS})`,
    app: formatRate(app),
    baselineName: `fetch POSTs of the same body, ${CONCURRENCY} at a time`,
    baseline: formatRate(baseline),
    ratio: `${(app / baseline).toFixed(2)}×`,
    target: "—",
  };
}

function budgetVerdict(p95: number): string {
  return `p95 ≤ ${LIST_P95_BUDGET_MS} ms: ${p95 <= LIST_P95_BUDGET_MS ? "PASS" : "FAIL"}`;
}

function listingRow(busy: ListLatency, quiet: ListLatency, during: string): TableRow {
  return {
    case: `list p50 / p95, ${busy.label}, ${during}`,
    app: `${busy.p50.toFixed(1)} / ${busy.p95.toFixed(1)} ms`,
    baselineName: "the same, nothing pending",
    baseline: `${quiet.p50.toFixed(1)} / ${quiet.p95.toFixed(1)} ms`,
    ratio: `${(busy.p95 / quiet.p95).toFixed(2)}× p95`,
    target: budgetVerdict(busy.p95),
  };
}

function formatTable(rows: TableRow[]): string {
  const lines = [
    "| case | app | baseline (same run) | baseline | ratio | target |",
    "|---|---:|---|---:|---:|---|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.case} | ${row.app} | ${row.baselineName} | ${row.baseline} | ${row.ratio} | ${row.target} |`,
    );
  }
  return lines.join("\n");
}

const databaseName = `bench_webhook_${crypto.randomUUID().slice(0, 8)}`;
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${databaseName}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${databaseName}`);
const dataDir = await Deno.makeTempDir({ prefix: "bench-webhook-" });
const fast = new CountingReceiver();
const slow = new CountingReceiver(SLOW_ANSWER_MS);
let server: RunningServer | null = null;
const sql = connectDatabase(databaseUrl.href, { max: 2 });
try {
  server = await startServer(loadConfig({
    PORT: "0",
    DATABASE_URL: databaseUrl.href,
    DATA_DIR: dataDir,
    WEBHOOK_ALLOW_PRIVATE: "true",
    WEBHOOK_RATE_LIMIT_PER_HOUR: String(RATE_LIMIT_PER_HOUR),
    // The bench's one token makes thousands of calls a minute; the limiter still counts each one.
    RATE_LIMIT_PER_MINUTE: "1000000",
  }));
  const app: AppApi = { base: server.url, token: await mintToken(databaseUrl.href) };
  const fastHook = await apiCall(app, "POST", "/api/webhooks", {
    url: `${fast.url}/hook`,
    event_types: ["*"],
  }, 201);

  // JIT, connections and plans warm up here, not in the first measured run.
  await clearDeliveries(sql);
  fast.reset();
  await queueEvents(sql, 200, sampleBody());
  await timeDelivery(app, sql, fast, 200, "BENCH-RING-WARMUP");
  await fetchRate(`${fast.url}/baseline`, sampleBody(), 200);

  const rows: TableRow[] = [];
  for (const queued of QUEUE_SIZES) {
    const result = await measureThroughput(app, sql, fast, queued);
    console.log(
      `${queued} queued: app ${result.appRates.map(Math.round).join(", ")}/s; ` +
        `baseline ${result.baselineRates.map(Math.round).join(", ")}/s`,
    );
    rows.push(throughputRow(result));
  }

  await clearDeliveries(sql);
  await loadProducts(sql);
  const idle = await measureListing(app);

  // Not the case, but the one where the dispatcher competes hardest with the listing.
  fast.reset();
  await queueEvents(sql, DRAINED, sampleBody());
  const drain = await listLatencyDuring(
    app,
    timeDelivery(app, sql, fast, DRAINED, "BENCH-RING-DRAIN"),
    `the sending of ${DRAINED.toLocaleString("en-US")} deliveries to the fast receiver`,
  );
  rows.push({
    case: `${drain.case}, first page every 25 ms`,
    app: `${drain.ms.toFixed(1)} ms`,
    baselineName: "first page, nothing pending",
    baseline: `${idle[0].p95.toFixed(1)} ms`,
    ratio: `${(drain.ms / idle[0].p95).toFixed(2)}× p95`,
    target: budgetVerdict(drain.ms),
  });

  // Every delivery of the fast webhook has succeeded, so none is in flight when it goes.
  await apiCall(app, "DELETE", `/api/webhooks/${fastHook.id}`, undefined, 200);
  await clearDeliveries(sql);
  await apiCall(app, "POST", "/api/webhooks", { url: `${slow.url}/hook`, event_types: ["*"] }, 201);
  await queueEvents(sql, PENDING, sampleBody());
  await ring(app, "BENCH-RING-SLOW");
  await slow.reached(CONCURRENCY);
  const pendingBefore = await pendingCount(sql);
  const pending = await measureListing(app);
  const pendingAfter = await pendingCount(sql);
  const pendingLabel = `${PENDING.toLocaleString("en-US")} + 1 deliveries pending`;
  for (const [i, busy] of pending.entries()) rows.push(listingRow(busy, idle[i], pendingLabel));

  const report = `${formatTable(rows)}\n\n` +
    `App (\`startServer\`), receivers and baseline share this process. ` +
    `WEBHOOK_RATE_LIMIT_PER_HOUR=${RATE_LIMIT_PER_HOUR}: the default 1,000 attempts per hour would hold ` +
    `deliveries back. Listing with ${PRODUCTS.toLocaleString("en-US")} products, ${LIST_REQUESTS} requests ` +
    `per URL; the pending deliveries wait on a receiver that answers after ${SLOW_ANSWER_MS / 1000} s ` +
    `(${pendingBefore} pending before the listing, ${pendingAfter} after, ${CONCURRENCY} in flight).\n`;
  console.log(`\n${report}`);
  await Deno.writeTextFile(
    `${ROOT}bench/webhook_results.md`,
    `# webhook bench — ${new Date().toISOString()}\n\n${report}`,
  );
} finally {
  await server?.shutdown();
  await sql.end();
  await fast.close();
  await slow.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
