/**
 * The upkeep after imports and delete-alls, off the job's clock: the search and sort indexes a
 * large import set aside are rebuilt once no such import still runs, the table is vacuumed and
 * analyzed (unless the jobs that ended changed no product), and the imports waiting for search are
 * told it has caught up. One instance does it at a time (an advisory lock). Woken when a job
 * ends, at start-up (a crash may have cut a rebuild short) and every few seconds (another instance
 * may have died during one).
 */
import {
  importsAwaitingSearch,
  jobsChangedProducts,
  markSearchReady,
  productJobsRun,
  type ProgressEvent,
  progressFromJob,
} from "../core/imports/mod.ts";
import type { Sql } from "../core/platform/mod.ts";
import { deferredIndexesWhole, rebuildDeferredIndexes, tidyAfterBulkChange } from "../core/products/mod.ts";
import { SerialDrain } from "./serial_drain.ts";

/** The advisory lock key of the upkeep (any constant; "search" in ASCII). */
export const UPKEEP_LOCK = 0x736561726368;

/** What the keeper needs. */
export interface SearchIndexKeeperOptions {
  sql: Sql;
  /** Receives the event of each import whose search has caught up. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * The embedded database: one process and one connection, so no lock is taken (a reserved
   * connection would be the only one), and imports never set the search indexes aside.
   */
  singleProcess?: boolean;
  /** How often to look for upkeep another instance left undone. */
  sweepMs?: number;
}

/** Tidies after bulk changes and rebuilds the set-aside indexes; see the module comment. */
export class SearchIndexKeeper {
  #options: SearchIndexKeeperOptions;
  #loop = new SerialDrain("search index upkeep", () => this.#pass());
  #tidyDue = false;
  /** Jobs that ended since the last pass: a tidy is due if any of them changed products. */
  #endedJobs = new Set<string>();
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborted on stop: a running rebuild is cancelled rather than waited for. */
  #stopping = new AbortController();

  constructor(options: SearchIndexKeeperOptions) {
    this.#options = options;
  }

  start(): void {
    this.#sweepTimer = setInterval(() => this.wake(), this.#options.sweepMs ?? 10_000);
    this.wake();
  }

  /** A job ended: tidy up after it if it changed products (and rebuild what it set aside, if due). */
  afterJob(jobId: string): void {
    this.#endedJobs.add(jobId);
    this.wake();
  }

  wake(): void {
    this.#loop.wake();
  }

  /** Stops, cancelling a rebuild under way: the next start (here or on another instance) does it again. */
  async stop(): Promise<void> {
    clearInterval(this.#sweepTimer);
    clearTimeout(this.#retryTimer);
    this.#stopping.abort();
    await this.#loop.stop();
  }

  async #pass(): Promise<void> {
    const { sql, singleProcess } = this.#options;
    if (this.#endedJobs.size > 0) {
      const ended = [...this.#endedJobs];
      // A re-import that changed nothing leaves nothing to vacuum or analyze (~0.5 s of work at 500k).
      if (await jobsChangedProducts(sql, ended)) this.#tidyDue = true;
      // Forgotten only once answered: should the query fail, the next pass asks again.
      for (const jobId of ended) this.#endedJobs.delete(jobId);
    }
    const indexesMissing = !singleProcess && !(await deferredIndexesWhole(sql));
    if (!this.#tidyDue && !indexesMissing && (await importsAwaitingSearch(sql)) === 0) return;
    // A job is queued or running (it may write without them, or would wait for a rebuild): it
    // wakes this keeper when it ends.
    if (await productJobsRun(sql)) return;
    if (singleProcess) return await this.#upkeep(false);

    const connection = await sql.reserve();
    try {
      const [{ locked }] = await connection<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_lock(${UPKEEP_LOCK}) AS locked`;
      if (!locked) {
        // Another instance is at it; look again shortly in case it finishes before our imports end.
        clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.wake(), 2_000);
        return;
      }
      try {
        await this.#upkeep(indexesMissing);
      } finally {
        await connection`SELECT pg_advisory_unlock(${UPKEEP_LOCK})`;
      }
    } finally {
      connection.release();
    }
  }

  async #upkeep(rebuild: boolean): Promise<void> {
    const { sql, onProgress } = this.#options;
    this.#tidyDue = false;
    if (rebuild) await rebuildDeferredIndexes(sql, this.#stopping.signal);
    await tidyAfterBulkChange(sql);
    // A large import that started meanwhile may have set them aside again: its jobs wait for the next pass.
    if (!this.#options.singleProcess && !(await deferredIndexesWhole(sql))) return;
    for (const job of await markSearchReady(sql)) onProgress?.(progressFromJob(job));
  }
}
