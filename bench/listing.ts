/** Listing, search and delete-all timings against a running app holding 500k products. */
import { apiFetch, type AppApi } from "./app_api.ts";

/** One measured listing case. */
export interface ListingResult {
  case: string;
  ms: number;
  targetMs: number;
}

/** Milliseconds for one GET, body read; throws on a non-2xx answer. */
export async function timedGet(api: AppApi, path: string): Promise<number> {
  const started = performance.now();
  const response = await apiFetch(api, path);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return performance.now() - started;
}

/** The `p`th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p95 of a GET over 30 requests, after 3 warm-up requests. */
async function p95Get(api: AppApi, path: string): Promise<number> {
  for (let i = 0; i < 3; i++) await timedGet(api, path);
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) samples.push(await timedGet(api, path));
  return percentile(samples, 95);
}

/** First page, substring searches and deep pages of `GET /api/products`, each a p95 of 30 requests. */
export async function measureListing(api: AppApi): Promise<ListingResult[]> {
  const cases: [string, string, number][] = [
    ["first page (limit 50)", "limit=50", 10],
    ['substring search "255s" (part of a SKU, few matches)', "limit=50&search=255s", 50],
    ['substring search "kettle" (a common word, ~38,000 matches)', "limit=50&search=kettle", 25],
    [
      'substring search "walnut kettle" (two common words, ~1,000 matches)',
      "limit=50&search=walnut%20kettle",
      50,
    ],
    ["page 5,000 (limit 50)", "limit=50&page=5000", 20],
    ["page 5,000 by SKU (limit 50)", "limit=50&page=5000&sort=sku", 20],
  ];
  const results: ListingResult[] = [];
  for (const [name, query, targetMs] of cases) {
    results.push({ case: `${name}, p95`, ms: await p95Get(api, `/api/products?${query}`), targetMs });
  }
  return results;
}

/** p95 of the first page while `work` (an import, unless `during` names it) runs, sampling every 25 ms. */
export async function listLatencyDuring(
  api: AppApi,
  work: Promise<unknown>,
  during = "an import",
): Promise<ListingResult> {
  let done = false;
  work.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    samples.push(await timedGet(api, "/api/products?limit=50"));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const outcome = await work;
  const seconds = (outcome as { seconds?: number } | undefined)?.seconds;
  if (seconds !== undefined) console.log(`${during} took ${seconds.toFixed(2)} s`);
  return {
    case: `list p95 during ${during} (${samples.length} requests)`,
    ms: percentile(samples, 95),
    targetMs: 50,
  };
}

/** Starts delete-all and waits for the SSE `complete` event. */
export async function timeDeleteAll(api: AppApi): Promise<ListingResult> {
  const started = performance.now();
  const response = await apiFetch(api, "/api/products/bulk", { method: "DELETE" });
  const { task_id } = await response.json();
  const progress = await (await apiFetch(api, `/api/progress/${task_id}`)).text();
  if (!progress.includes('"status":"complete"')) throw new Error(`delete-all did not complete: ${progress}`);
  return { case: "delete all 500k products", ms: performance.now() - started, targetMs: 3000 };
}

/** The listing results as a markdown table. */
export function listingTable(results: ListingResult[]): string {
  const lines = ["| case | ms | target | verdict |", "|---|---:|---:|---|"];
  for (const r of results) {
    lines.push(`| ${r.case} | ${r.ms.toFixed(1)} | ≤ ${r.targetMs} | ${r.ms <= r.targetMs ? "✓" : "✗"} |`);
  }
  return lines.join("\n");
}

/** When a search first answered right within its budget, and whether any answer was wrong. */
export interface SearchWatch {
  /** Seconds from `since` to the first answer within `budgetMs` equal to the final answer; NaN if none. */
  searchableSeconds: number;
  /** Answers that differed from the final one (must be 0: search is right while it catches up). */
  wrongAnswers: number;
  answers: number;
}

/** How long after search has caught up a search may keep missing its budget before the watch gives up. */
const GIVE_UP_AFTER_MS = 60_000;

/**
 * Asks `path` again and again (a pause of 250 ms between answers) until `stop` resolves and an
 * answer after it came within `budgetMs` (or a minute has passed: searchable is then NaN). The last
 * answer is the reference: search has caught up by then, so every earlier answer must equal it.
 */

export async function watchSearch(
  api: AppApi,
  path: string,
  since: number,
  stop: Promise<unknown>,
  budgetMs = 50,
): Promise<SearchWatch> {
  let stopped = false;
  let giveUpAt = Infinity;
  stop.finally(() => {
    stopped = true;
    giveUpAt = performance.now() + GIVE_UP_AFTER_MS;
  });
  const answers: { at: number; ms: number; body: string }[] = [];
  while (true) {
    const wasStopped = stopped;
    if (performance.now() > giveUpAt) {
      console.log(`FAIL: ${path} never answered within ${budgetMs} ms once search had caught up`);
      const reference = answers.at(-1)?.body;
      const wrongAnswers = answers.filter((answer) => answer.body !== reference).length;
      return { searchableSeconds: NaN, wrongAnswers, answers: answers.length };
    }
    const started = performance.now();
    const response = await apiFetch(api, path);
    const body = await response.text();
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body}`);
    const ms = performance.now() - started;
    answers.push({ at: performance.now(), ms, body });
    if (wasStopped && ms <= budgetMs) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reference = answers.at(-1)!.body;
  const first = answers.find((answer) => answer.ms <= budgetMs && answer.body === reference)!;
  return {
    searchableSeconds: (first.at - since) / 1000,
    wrongAnswers: answers.filter((answer) => answer.body !== reference).length,
    answers: answers.length,
  };
}
