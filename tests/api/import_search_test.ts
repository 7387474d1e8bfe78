/**
 * A large import writes without the search and sort indexes and they are rebuilt after it: search
 * and sorting are right while they catch up and after, the job says when they have, each SKU is
 * written once, and a crash during the rebuild still ends with whole indexes.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { connectDatabase, type Sql } from "../../core/platform/mod.ts";
import { DEFERRED_INDEXES } from "../../core/products/mod.ts";
import { REBUILDS_AT_ONCE } from "../../core/products/deferred_indexes.ts";
import { UPKEEP_LOCK } from "../../workers/search_index_keeper.ts";
import { withCrashableServer } from "../helpers/server_process.ts";
import {
  apiJson,
  type ApiTarget,
  type ProgressEventJson,
  readProgress,
  uploadCsv,
  waitUntil,
} from "../helpers/test_app.ts";

const ROWS = 6_000;
/** Small enough that the test's file counts as a large import; chunks of 500 records. */
const ENV = { SEARCH_INDEX_DEFER_ROWS: "1000", IMPORT_BATCH_SIZE: "500", JOB_LEASE_SECONDS: "2" };

/**
 * A file whose every 10th row repeats an earlier SKU (in other letter case, chunks apart) with a
 * new name, so some products stop or start matching "kettle"; returns the SKUs that must match.
 */
function kettleFile(): { csv: string; distinct: number; kettles: Set<string> } {
  const lines = ["sku,name,description"];
  const names = new Map<string, string>();
  for (let i = 0; i < ROWS; i++) {
    const repeat = i % 10 === 9 && i > 1_000;
    const sku = repeat ? `sku-${i - 997}` : `SKU-${i}`;
    const name = (repeat ? i % 20 === 19 : i % 7 === 0) ? `Steel Kettle ${i}` : `Desk Lamp ${i}`;
    lines.push(`${sku},${name},Row ${i}`);
    names.set(sku.toLowerCase(), name);
  }
  const kettles = new Set([...names].filter(([, name]) => /kettle/i.test(name)).map(([key]) => key));
  return { csv: lines.join("\n") + "\n", distinct: names.size, kettles };
}

/** Every SKU (lower-cased) a search for "kettle" returns, page by page, and the total it states. */
async function searchKettle(api: ApiTarget): Promise<{ skus: Set<string>; total: number }> {
  const skus = new Set<string>();
  let total = 0;
  for (let page = 1;; page++) {
    const answer = await apiJson(api, "GET", `/api/products?search=kettle&limit=200&page=${page}`);
    equal(answer.status, 200, JSON.stringify(answer.body));
    total = answer.body.total;
    for (const item of answer.body.items) skus.add(item.sku.toLowerCase());
    if (page >= answer.body.pages) return { skus, total };
  }
}

const ALL_INDEXES = DEFERRED_INDEXES.map((index) => index.name).sort();

/** The indexes a large import sets aside that are there and valid. */
async function usableIndexes(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ANY(${ALL_INDEXES}) AND i.indisvalid ORDER BY 1`;
  return rows.map((row) => row.name);
}

/** The SKUs (lower-cased) of the first page by name, and of a deep one, as the list gives them. */
async function byName(api: ApiTarget): Promise<string[][]> {
  const pages = [];
  for (const page of [1, 20]) {
    const answer = await apiJson(api, "GET", `/api/products?sort=name&order=asc&limit=100&page=${page}`);
    equal(answer.status, 200, JSON.stringify(answer.body));
    pages.push(answer.body.items.map((item: { sku: string }) => item.sku.toLowerCase()));
  }
  return pages;
}

async function jobOf(sql: Sql, id: string) {
  const [job] = await sql`SELECT * FROM import_jobs WHERE id = ${id}`;
  return job;
}

Deno.test({
  name:
    "a large import sets the search and sort indexes aside: both are right while they catch up, the job says when",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const file = kettleFile();
    await withCrashableServer("importer-search-", ENV, async ({ sql, api, start }) => {
      // Holding the upkeep's lock keeps the rebuild waiting, so the catching-up state can be looked at.
      const holder = await sql.reserve();
      try {
        await holder`SELECT pg_advisory_lock(${UPKEEP_LOCK})`;
        await start();
        const upload = await uploadCsv(api, file.csv);
        equal(upload.status, 202);
        const taskId = upload.body.task_id as string;
        const stream = readProgress(api, taskId, 90_000);
        await waitUntil(
          "the import to complete",
          async () => (await jobOf(sql, taskId)).status === "complete",
          60_000,
        );

        const waiting = await apiJson(api, "GET", `/api/imports/${taskId}`);
        equal(waiting.body.search_index, "catching_up");
        equal(waiting.body.search_ready_at, null);
        deepStrictEqual(await usableIndexes(sql), [], "written without the search and sort indexes");
        const during = await searchKettle(api);
        deepStrictEqual(during.skus, file.kettles, "search is right while its indexes are missing");
        equal(during.total, file.kettles.size);
        const sortedDuring = await byName(api);
        const expected = await sql<{ sku: string }[]>`
          SELECT lower(sku) AS sku FROM products ORDER BY name, id LIMIT 100`;
        deepStrictEqual(
          sortedDuring[0],
          expected.map((row) => row.sku),
          "sorting is right without its index",
        );

        await holder`SELECT pg_advisory_unlock(${UPKEEP_LOCK})`;
        const events: ProgressEventJson[] = await stream;
        const last = events.at(-1)!;
        equal(last.status, "complete");
        equal(last.search_index, "ready", "the stream ends once search has caught up");
        ok(
          events.some((event) => event.status === "complete" && event.search_index === "catching_up"),
          "complete is announced before search has caught up",
        );
        deepStrictEqual(await usableIndexes(sql), ALL_INDEXES);
        const after = await apiJson(api, "GET", `/api/imports/${taskId}`);
        equal(after.body.search_index, "ready");
        ok(after.body.search_ready_at, "the time search caught up is recorded");
        deepStrictEqual((await searchKettle(api)).skus, file.kettles, "the same rows through the indexes");
        deepStrictEqual(await byName(api), sortedDuring, "the same pages through the sort index");

        // Each SKU was written once, by its last row: no product was inserted and then updated.
        const [{ rewritten }] = await sql`
          SELECT count(*)::int AS rewritten FROM products WHERE updated_at <> created_at`;
        equal(rewritten, 0);
        equal(after.body.inserted, file.distinct);
        equal(after.body.duplicates, ROWS - file.distinct);

        // The same file again changes nothing: no row version is replaced, and nothing is set aside.
        const versions = await sql`SELECT id, xmin::text AS version FROM products ORDER BY id`;
        const again = await uploadCsv(api, file.csv);
        const final = (await readProgress(api, again.body.task_id as string, 60_000)).at(-1)!;
        equal(final.status, "complete", final.message);
        deepStrictEqual(
          {
            inserted: final.inserted,
            updated: final.updated,
            unchanged: final.unchanged,
            repeated: final.duplicates,
          },
          { inserted: 0, updated: 0, unchanged: file.distinct, repeated: ROWS - file.distinct },
        );
        equal(final.search_index, "ready");
        deepStrictEqual(await sql`SELECT id, xmin::text AS version FROM products ORDER BY id`, versions);
        deepStrictEqual(await usableIndexes(sql), ALL_INDEXES, "an import that writes nothing keeps them");
      } finally {
        await holder`SELECT pg_advisory_unlock_all()`.catch(() => {});
        holder.release();
      }
    });
  },
});

Deno.test({
  name: "a server killed during the search index rebuild: the next start rebuilds it and search works",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const file = kettleFile();
    await withCrashableServer("importer-search-crash-", ENV, async ({ sql, env, api, start }) => {
      // The test's own sessions, apart from the pool `sql` that reads the job meanwhile.
      const sessions = connectDatabase(env.DATABASE_URL, { max: 2 });
      const holder = await sessions.reserve();
      const blocker = await sessions.reserve();
      try {
        await holder`SELECT pg_advisory_lock(${UPKEEP_LOCK})`;
        const first = await start();
        const upload = await uploadCsv(api, file.csv);
        const taskId = upload.body.task_id as string;
        await waitUntil(
          "the import to complete",
          async () => (await jobOf(sql, taskId)).status === "complete",
          60_000,
        );

        // A writer's lock (as an edit holds it) makes the rebuild wait: the server is killed meanwhile.
        await blocker`BEGIN`;
        await blocker`LOCK TABLE products IN ROW EXCLUSIVE MODE`;
        await holder`SELECT pg_advisory_unlock(${UPKEEP_LOCK})`;
        await waitUntil("the search index rebuild to start", async () => {
          const [{ building }] = await sql`
            SELECT count(*)::int AS building FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'CREATE INDEX%' AND wait_event_type = 'Lock'`;
          return building === Math.min(REBUILDS_AT_ONCE, ALL_INDEXES.length);
        }, 30_000);

        await first.kill("SIGKILL");
        // The builds' connections are gone with the process; their backends end as dropped ones would.
        await sql`
          SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'CREATE INDEX%'`;
        await blocker`COMMIT`;
        ok((await usableIndexes(sql)).length < ALL_INDEXES.length, "the kill left the indexes unfinished");
        equal((await jobOf(sql, taskId)).search_ready_at, null);

        await start();
        await waitUntil(
          "the search indexes to be rebuilt",
          async () => (await jobOf(sql, taskId)).search_ready_at,
          60_000,
        );
        deepStrictEqual(await usableIndexes(sql), ALL_INDEXES);
        const [{ invalid }] = await sql`
          SELECT count(*)::int AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname LIKE 'products_%' AND NOT i.indisvalid`;
        equal(invalid, 0, "no invalid index is left behind");
        deepStrictEqual((await searchKettle(api)).skus, file.kettles);
      } finally {
        await blocker`ROLLBACK`.catch(() => {});
        blocker.release();
        await holder`SELECT pg_advisory_unlock_all()`.catch(() => {});
        holder.release();
        await sessions.end({ timeout: 5 });
      }
    });
  },
});
