/**
 * The several-instances part of `deno task bench`; run it alone with
 * `deno run --allow-all bench/scale_bench.ts`. Two app processes (`deno task serve`'s command, each
 * with its own port, data folder and KV doorbell) share one database.
 *
 * Drain: 5,000 deliveries queued in one statement, drained by one process against two (the second
 * started for those runs and warmed up first), in alternating runs;
 * median seconds until a local receiver answering 204 has every `webhook-id` and each delivery is
 * `succeeded`, the CPU seconds each app process used, and any id that arrived twice.
 * The same with a receiver that answers after 200 ms (1,000 deliveries, one run each): the case where
 * the dispatcher's 16 attempts in flight, not the machine, bound the rate.
 * Imports: two 100k-row imports at once, one uploaded to each instance, against one alone.
 * Followers: 200 SSE followers of one import, half on the instance that runs it (live events),
 * half on the other one (it reads the stored job every 2 s): time to the first event, whether each
 * saw `complete` and how long after the job finished, and each process's RSS.
 * Prints the results and writes bench/scale_results.md.
 */
import postgres from "postgres";
import { connectDatabase, type Sql } from "../core/platform/mod.ts";
import { eventBody } from "../core/webhooks/mod.ts";
import { apiCall, apiFetch, type AppApi, freePort, mintToken, serveArgs } from "./app_api.ts";
import { clearDeliveries, queueEvents } from "./deliveries.ts";
import { percentile } from "./listing.ts";
import { writeProductsCsv } from "./products_csv.ts";

const ADMIN_URL = Deno.env.get("BENCH_DATABASE_ADMIN_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROOT = new URL("..", import.meta.url).pathname;
const RUNS = 3;
const QUEUED = 5000;
const WARM_UP = 300;
const FOLLOWERS = 200;
const IMPORT_ROWS = 100_000;
const DEADLINE_MS = 120_000;
/** The latency-bound case: a receiver that answers after this long, as a remote one might. */
const SLOW_ANSWER_MS = 200;
const SLOW_QUEUED = 1000;

/** One app process, with its RSS sampled every 100 ms and its CPU time read from /proc. */
class AppProcess {
  readonly name: string;
  readonly base: string;
  readonly dataDir: string;
  #child: Deno.ChildProcess;
  #peakKb = 0;
  #sampler: ReturnType<typeof setInterval>;

  constructor(name: string, databaseUrl: string, dataDir: string) {
    this.name = name;
    this.dataDir = dataDir;
    const port = freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: serveArgs(),
      cwd: ROOT,
      env: {
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        WEBHOOK_ALLOW_PRIVATE: "true",
        // The default 1,000 attempts per webhook per hour would hold most deliveries back.
        WEBHOOK_RATE_LIMIT_PER_HOUR: "1000000",
        // The bench's one token makes thousands of calls a minute; the limiter still counts each one.
        RATE_LIMIT_PER_MINUTE: "1000000",
      },
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    this.#sampler = setInterval(() => {
      this.#peakKb = Math.max(this.#peakKb, this.rssKb());
    }, 100);
  }

  rssKb(): number {
    try {
      const status = Deno.readTextFileSync(`/proc/${this.#child.pid}/status`);
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      return 0; // the process is gone
    }
  }

  /** User + system CPU seconds used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.#child.pid);
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.base}/healthz`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // starting
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`app ${this.name} did not answer /healthz within 60 s`);
  }

  resetPeak(): void {
    this.#peakKb = 0;
  }

  get peakMb(): number {
    return Math.round(this.#peakKb / 1024);
  }

  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already ended
    }
    await this.#child.status;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...values] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const idle = numbers[3] + numbers[4]; // idle + iowait
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** User + system CPU seconds of this (the bench's) process: the receiver and the followers. */
function ownCpuSeconds(): number {
  return processCpuSeconds("self");
}

/** User + system CPU seconds of process `pid`, or 0 if it has ended. */
function processCpuSeconds(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** CPU seconds of each PostgreSQL backend serving the bench database, by pid. */
async function backendCpu(sql: Sql): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  return new Map(rows.map(({ pid }) => [pid, processCpuSeconds(pid)]));
}

/**
 * A local webhook receiver answering 204 (on `/slow` after {@linkcode SLOW_ANSWER_MS}); it counts
 * requests and distinct `webhook-id`s.
 */
class IdReceiver {
  readonly url: string;
  ids = new Set<string>();
  requests = 0;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #aborter = new AbortController();

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: this.#aborter.signal, onListen: () => {} },
      async (request) => {
        await request.body?.cancel();
        this.requests++;
        this.ids.add(request.headers.get("webhook-id") ?? "");
        if (new URL(request.url).pathname === "/slow") await sleep(SLOW_ANSWER_MS);
        return new Response(null, { status: 204 });
      },
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  reset(): void {
    this.ids = new Set();
    this.requests = 0;
  }

  async close(): Promise<void> {
    this.#aborter.abort();
    await this.#server.finished;
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

interface DrainRun {
  seconds: number;
  delivered: number;
  duplicates: number;
  /** CPU seconds of each app process that dispatched. */
  cpu: number[];
  /** CPU seconds of the bench process (the receiver). */
  benchCpu: number;
  /** CPU seconds of the PostgreSQL backends serving the bench database. */
  postgresCpu: number;
  /** Share of the machine's CPU time that was busy (all processes, PostgreSQL included). */
  machineBusy: number;
}

/**
 * Queues `count` deliveries, then rings every app in `apps` (a product create through each: one
 * more delivery each, and the doorbell its dispatcher listens to); times until all have succeeded.
 */
async function drain(
  sql: Sql,
  apps: { process: AppProcess; api: AppApi }[],
  receiver: IdReceiver,
  count: number,
  label: string,
): Promise<DrainRun> {
  await clearDeliveries(sql);
  await queueEvents(
    sql,
    count,
    eventBody("product.updated", { id: 12345, sku: "SKU-12345", name: "Product 12345" }),
  );
  receiver.reset();
  const expected = count + apps.length;
  const cpuBefore = apps.map(({ process }) => process.cpuSeconds());
  const benchBefore = ownCpuSeconds();
  const backendsBefore = await backendCpu(sql);
  const machineBefore = machineJiffies();
  const deadline = performance.now() + DEADLINE_MS;
  const started = performance.now();
  await Promise.all(
    apps.map(({ api: app }, i) =>
      apiCall(app, "POST", "/api/products", { sku: `${label}-${i}`, name: "ring" }, 201)
    ),
  );
  while (receiver.ids.size < expected) {
    if (performance.now() > deadline) {
      throw new Error(
        `${label}: ${receiver.ids.size} of ${expected} deliveries arrived in time; sessions: ` +
          JSON.stringify(
            await sql`SELECT pid, state, wait_event_type, wait_event, left(query, 80) AS query
              FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
          ),
      );
    }
    await sleep(2);
  }
  while (true) {
    const [{ open }] = await sql<{ open: number }[]>`
      SELECT count(*) FILTER (WHERE status <> 'succeeded')::int AS open FROM webhook_deliveries`;
    if (open === 0) break;
    if (performance.now() > deadline) throw new Error(`${label}: ${open} deliveries did not succeed`);
    await sleep(2);
  }
  const seconds = (performance.now() - started) / 1000;
  let postgresCpu = 0;
  for (const [pid, cpu] of await backendCpu(sql)) postgresCpu += cpu - (backendsBefore.get(pid) ?? 0);
  return {
    seconds,
    delivered: receiver.ids.size,
    duplicates: receiver.requests - receiver.ids.size,
    cpu: apps.map(({ process }, i) => process.cpuSeconds() - cpuBefore[i]),
    benchCpu: ownCpuSeconds() - benchBefore,
    postgresCpu,
    machineBusy: (() => {
      const now = machineJiffies();
      return (now.busy - machineBefore.busy) / (now.total - machineBefore.total);
    })(),
  };
}

interface Follower {
  instance: string;
  firstEventMs: number | null;
  events: number;
  complete: boolean;
  /** When `complete` arrived (epoch ms). */
  completeAt: number | null;
  error: string | null;
}

/** Follows `/api/progress/{taskId}` on `app` until the stream ends. */
async function follow(app: AppApi, instance: string, taskId: string): Promise<Follower> {
  const follower: Follower = {
    instance,
    firstEventMs: null,
    events: 0,
    complete: false,
    completeAt: null,
    error: null,
  };
  const started = performance.now();
  const signal = AbortSignal.timeout(DEADLINE_MS);
  try {
    const response = await apiFetch(app, `/api/progress/${taskId}`, { signal });
    if (response.status !== 200) throw new Error(`progress answered ${response.status}`);
    let buffered = "";
    for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      const blocks = buffered.split("\n\n");
      buffered = blocks.pop()!;
      for (const block of blocks) {
        const data = block.split("\n").find((line) => line.startsWith("data:"));
        if (!data) continue;
        follower.events++;
        follower.firstEventMs ??= performance.now() - started;
        const status = JSON.parse(data.slice(5)).status;
        if (status === "complete") {
          follower.complete = true;
          // The first `complete`: the stream goes on until search has caught up, repeating it.
          follower.completeAt ??= Date.now();
        }
      }
    }
  } catch (error) {
    follower.error = (error as Error).message;
  }
  return follower;
}

interface FollowResult {
  followers: Follower[];
  importSeconds: number;
  finishedAt: number;
  rssIdle: Record<string, number>;
  rssPeak: Record<string, number>;
}

/** Uploads `csvPath` to `app`; returns the task id. */
async function upload(app: AppApi, csvPath: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([await Deno.readFile(csvPath)], { type: "text/csv" }), "products.csv");
  const response = await apiFetch(app, "/api/upload", { method: "POST", body: form });
  const answer = await response.json();
  if (response.status !== 202) {
    throw new Error(`upload answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer.task_id;
}

/** Seconds from the upload's start until its import's progress stream says `complete`. */
async function timedImport(app: AppApi, instance: string, csvPath: string): Promise<number> {
  const started = performance.now();
  const taskId = await upload(app, csvPath);
  const follower = await follow(app, instance, taskId);
  if (!follower.complete) throw new Error(`the import on ${instance} did not complete: ${follower.error}`);
  return (performance.now() - started) / 1000;
}

/** Empties the products table between import cases, so each starts from the same state. */
async function emptyProducts(sql: Sql): Promise<void> {
  await sql`TRUNCATE products`;
  await sql`VACUUM ANALYZE products`;
}

/** Uploads a CSV to `a` and follows its import with `FOLLOWERS` streams, half on `a`, half on `b`. */
async function followImport(
  sql: Sql,
  csvPath: string,
  a: { process: AppProcess; api: AppApi },
  b: { process: AppProcess; api: AppApi },
): Promise<FollowResult> {
  const rssIdle = { A: Math.round(a.process.rssKb() / 1024), B: Math.round(b.process.rssKb() / 1024) };
  a.process.resetPeak();
  b.process.resetPeak();
  const started = performance.now();
  const taskId = await upload(a.api, csvPath);
  const followers = await Promise.all(
    Array.from(
      { length: FOLLOWERS },
      (_, i) => i % 2 ? follow(b.api, "B", taskId) : follow(a.api, "A", taskId),
    ),
  );
  const importSeconds = (performance.now() - started) / 1000;
  const [job] = await sql<{ status: string; finished_at: Date | null }[]>`
    SELECT status, finished_at FROM import_jobs WHERE id = ${taskId}`;
  if (job?.status !== "complete" || !job.finished_at) {
    throw new Error(`the import ended ${job?.status ?? "missing"}, expected complete`);
  }
  return {
    followers,
    importSeconds,
    finishedAt: job.finished_at.getTime(),
    rssIdle,
    rssPeak: { A: a.process.peakMb, B: b.process.peakMb },
  };
}

function perSecond(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString("en-US");
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function followerRows(result: FollowResult): string[] {
  const rows: string[] = [];
  for (const instance of ["A", "B"]) {
    const group = result.followers.filter((f) => f.instance === instance);
    const first = group.flatMap((f) => f.firstEventMs === null ? [] : [f.firstEventMs]);
    const lag = group.flatMap((f) =>
      f.completeAt === null ? [] : [(f.completeAt - result.finishedAt) / 1000]
    );
    const errors = group.filter((f) => f.error).length;
    rows.push(
      `| ${instance} (${instance === "A" ? "runs the import" : "follows over LISTEN/NOTIFY"}) | ` +
        `${group.length} | ${group.filter((f) => f.complete).length} | ${errors} | ` +
        `${median(first).toFixed(0)} / ${Math.max(...first).toFixed(0)} ms | ` +
        `${median(group.map((f) => f.events))} | ` +
        `${median(lag).toFixed(2)} / ${Math.max(...lag).toFixed(2)} s | ` +
        `${result.rssIdle[instance]} → ${result.rssPeak[instance]} MB |`,
    );
  }
  return rows;
}

const databaseName = `bench_scale_${crypto.randomUUID().slice(0, 8)}`;
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${databaseName}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${databaseName}`);
const tmp = await Deno.makeTempDir({ prefix: "bench-scale-" });
const receiver = new IdReceiver();
const processes: AppProcess[] = [];
await Deno.mkdir(`${tmp}/a`);
await Deno.mkdir(`${tmp}/b`);
const sql = connectDatabase(databaseUrl.href, { max: 2 });
try {
  const token = { value: "" };
  const launch = async (name: string) => {
    const process = new AppProcess(name, databaseUrl.href, `${tmp}/${name.toLowerCase()}`);
    processes.push(process);
    await process.ready();
    token.value ||= await mintToken(databaseUrl.href);
    return { process, api: { base: process.base, token: token.value } };
  };
  const retire = async (app: { process: AppProcess }) => {
    processes.splice(processes.indexOf(app.process), 1);
    await app.process.stop();
  };
  // A migrates the database before B ever starts.
  const a = await launch("A");
  const hook = await apiCall(a.api, "POST", "/api/webhooks", {
    url: `${receiver.url}/hook`,
    event_types: ["*"],
  }, 201);

  // JIT, connections and plans warm up outside the measured runs. B runs only for the two-process
  // runs (a running B would join a one-process run at its 30 s idle check), warmed up each time.
  await drain(sql, [a], receiver, WARM_UP, "WARM-A");
  const one: DrainRun[] = [];
  const two: DrainRun[] = [];
  let b = null;
  for (let run = 0; run < RUNS; run++) {
    one.push(await drain(sql, [a], receiver, QUEUED, `ONE-${run}`));
    b = await launch("B");
    await drain(sql, [a, b], receiver, WARM_UP, `WARM-B-${run}`);
    two.push(await drain(sql, [a, b], receiver, QUEUED, `TWO-${run}`));
    console.log(
      `run ${run + 1}: one process ${one[run].seconds.toFixed(2)} s, two ${two[run].seconds.toFixed(2)} s ` +
        `(CPU s: A ${two[run].cpu[0].toFixed(1)}, B ${two[run].cpu[1].toFixed(1)})`,
    );
    if (run < RUNS - 1) await retire(b);
  }

  // Latency-bound: each process has at most 16 attempts in flight, so its rate is about 16 / latency.
  await apiCall(a.api, "PUT", `/api/webhooks/${hook.id}`, { url: `${receiver.url}/slow` }, 200);
  const slowTwo = await drain(sql, [a, b!], receiver, SLOW_QUEUED, "SLOW-TWO");
  await retire(b!);
  const slowOne = await drain(sql, [a], receiver, SLOW_QUEUED, "SLOW-ONE");
  console.log(
    `slow receiver: one process ${slowOne.seconds.toFixed(2)} s, two ${slowTwo.seconds.toFixed(2)} s`,
  );
  await apiCall(a.api, "PUT", `/api/webhooks/${hook.id}`, { url: `${receiver.url}/hook` }, 200);
  b = await launch("B");
  await clearDeliveries(sql);

  const csvPath = `${tmp}/products.csv`;
  await writeProductsCsv(csvPath, { rows: IMPORT_ROWS, seed: 20251118 });
  // The same rows under other SKUs: two catalogs that do not touch each other's rows.
  const otherCsvPath = `${tmp}/other.csv`;
  await Deno.writeTextFile(
    otherCsvPath,
    (await Deno.readTextFile(csvPath)).replace(/\b([A-Za-z]{3}-[0-9A-Za-z]+-\d+)\b/g, "Z$1"),
  );

  // Two imports at once, one uploaded to each instance, against one import alone.
  await emptyProducts(sql);
  a.process.resetPeak();
  const alone = await timedImport(a.api, "A", csvPath);
  const aloneRss = a.process.peakMb;
  await emptyProducts(sql);
  a.process.resetPeak();
  b!.process.resetPeak();
  const bothStarted = performance.now();
  const both = await Promise.all([timedImport(a.api, "A", csvPath), timedImport(b!.api, "B", otherCsvPath)]);
  const bothWall = (performance.now() - bothStarted) / 1000;
  const bothRss = [a.process.peakMb, b!.process.peakMb];
  console.log(
    `imports: alone ${alone.toFixed(1)} s; two at once ${both.map((x) => x.toFixed(1)).join(" and ")} s`,
  );
  await emptyProducts(sql);

  const followed = await followImport(sql, csvPath, a, b!);

  const rate = (r: DrainRun) => r.delivered / r.seconds;
  const oneRate = median(one.map(rate));
  const twoRate = median(two.map(rate));
  const cpuOf = (runs: DrainRun[], i: number) => median(runs.map((r) => r.cpu[i])).toFixed(1);
  const pgOf = (runs: DrainRun[]) => median(runs.map((r) => r.postgresCpu)).toFixed(1);
  const benchOf = (runs: DrainRun[]) => median(runs.map((r) => r.benchCpu)).toFixed(1);
  const busyOf = (runs: DrainRun[]) => `${Math.round(100 * median(runs.map((r) => r.machineBusy)))} %`;
  const dupesOf = (runs: DrainRun[]) => runs.reduce((sum, r) => sum + r.duplicates, 0);
  const report = [
    `## Drain: ${QUEUED.toLocaleString("en-US")} pending deliveries (+1 per ringing app), median of ${RUNS}`,
    "",
    "| dispatchers | seconds | deliveries/s | CPU s per app process | PostgreSQL backends CPU s | " +
    "bench (receiver) CPU s | machine CPU busy | duplicates | ratio to one |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    `| one process | ${median(one.map((r) => r.seconds)).toFixed(2)} | ${Math.round(oneRate)} | ` +
    `A ${cpuOf(one, 0)} | ${pgOf(one)} | ${benchOf(one)} | ${busyOf(one)} | ${dupesOf(one)} | 1.00× |`,
    `| two processes | ${median(two.map((r) => r.seconds)).toFixed(2)} | ${Math.round(twoRate)} | ` +
    `A ${cpuOf(two, 0)}, B ${cpuOf(two, 1)} | ${pgOf(two)} | ${benchOf(two)} | ${busyOf(two)} | ${
      dupesOf(two)
    } | ` +
    `${(twoRate / oneRate).toFixed(2)}× |`,
    "",
    `Per run (s): one ${one.map((r) => r.seconds.toFixed(2)).join(", ")}; ` +
    `two ${two.map((r) => r.seconds.toFixed(2)).join(", ")}.`,
    "",
    `## Drain to a receiver answering after ${SLOW_ANSWER_MS} ms: ${SLOW_QUEUED.toLocaleString("en-US")} ` +
    "pending deliveries, one run each",
    "",
    "| dispatchers | seconds | deliveries/s | duplicates | ratio to one |",
    "|---|---:|---:|---:|---:|",
    `| one process | ${slowOne.seconds.toFixed(2)} | ${
      Math.round(rate(slowOne))
    } | ${slowOne.duplicates} | 1.00× |`,
    `| two processes | ${slowTwo.seconds.toFixed(2)} | ${
      Math.round(rate(slowTwo))
    } | ${slowTwo.duplicates} | ` +
    `${(rate(slowTwo) / rate(slowOne)).toFixed(2)}× |`,
    "",
    `## Two ${IMPORT_ROWS.toLocaleString("en-US")}-row imports at once, one uploaded to each instance`,
    "",
    "| case | seconds (upload start → complete) | rows/s in all | peak RSS |",
    "|---|---:|---:|---:|",
    `| one import alone, on A | ${alone.toFixed(1)} | ${perSecond(IMPORT_ROWS, alone)} | A ${aloneRss} MB |`,
    `| two at once, A and B | ${both[0].toFixed(1)} and ${both[1].toFixed(1)} (both done after ` +
    `${bothWall.toFixed(1)}) | ${perSecond(2 * IMPORT_ROWS, bothWall)} | ` +
    `A ${bothRss[0]} MB, B ${bothRss[1]} MB |`,
    "",
    `Each into an empty products table (truncated between cases); the second file holds the same rows under ` +
    `other SKUs. Throughput of two at once against one alone: ` +
    `${(((2 * IMPORT_ROWS) / bothWall) / (IMPORT_ROWS / alone)).toFixed(2)}×.`,
    "",
    `## ${FOLLOWERS} SSE followers of one ${IMPORT_ROWS.toLocaleString("en-US")}-row import, uploaded to A`,
    "",
    `Import: upload start → last follower's stream ended ${followed.importSeconds.toFixed(1)} s.`,
    "",
    "| instance followed | followers | saw complete | errors | first event median / max | events median | " +
    "complete after job finished, median / max | RSS idle → peak |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...followerRows(followed),
    "",
    `Two app processes (\`deno task serve\`'s flags), the receiver and the followers in this process, ` +
    `PostgreSQL on the same machine (${navigator.hardwareConcurrency} cores); "machine CPU busy" counts ` +
    `every process on it, the bench's and anything else running. ` +
    "Progress reaches the other instance by PostgreSQL LISTEN/NOTIFY, one listening connection per process.",
  ].join("\n");
  console.log(`\n${report}`);
  await Deno.writeTextFile(
    `${ROOT}bench/scale_results.md`,
    `# scale bench — ${new Date().toISOString()}\n\n${report}\n`,
  );
} finally {
  for (const process of processes) await process.stop();
  await sql.end();
  await receiver.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
