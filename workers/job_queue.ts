/**
 * The job queue consumer, for imports and delete-all runs alike. Deno KV is only a doorbell (a
 * message says "look for work"); PostgreSQL decides which job runs, so a lost or repeated
 * message changes nothing. Jobs run one at a time, in the order they were submitted, each in a
 * fresh Web Worker.
 */
import { claimNextJob, type JobQueue, touchJob } from "../core/imports/mod.ts";
import type { Sql } from "../core/platform/mod.ts";
import type { JobWorkerRequest } from "./job_worker.ts";
import { SerialDrain } from "./serial_drain.ts";

/** What the consumer needs to run jobs. */
export interface JobQueueOptions {
  sql: Sql;
  kv: Deno.Kv;
  databaseUrl: string;
  batchSize: number;
  lanes: number;
  leaseSeconds: number;
  /** Called after each job ends (its webhook event is queued by then). */
  onJobEnded?: () => void;
}

/** A message on the KV queue asking the consumer to look for queued jobs. */
export interface JobWakeMessage {
  kind: "jobs-wake";
}

/** Runs queued and abandoned jobs, one at a time. */
export class JobQueueConsumer implements JobQueue {
  #options: JobQueueOptions;
  #loop = new SerialDrain("job queue", () => this.#drain());
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** Ends the running worker; set while one runs. */
  #interrupt: (() => void) | null = null;

  constructor(options: JobQueueOptions) {
    this.#options = options;
  }

  /** Picks up whatever an earlier process left queued or half-done; KV messages call {@linkcode wake}. */
  start(): void {
    // Another process's KV message can take a minute to arrive, and a dead process's job
    // is found only by its stale heartbeat: look for work periodically as well.
    const sweepMs = Math.max(500, (this.#options.leaseSeconds * 1000) / 3);
    this.#sweepTimer = setInterval(() => this.wake(), sweepMs);
    this.wake();
  }

  /** Rings the doorbell through the KV queue: a new job is waiting. */
  async ring(): Promise<void> {
    await this.#options.kv.enqueue({ kind: "jobs-wake" } satisfies JobWakeMessage);
  }

  /** Reads one key from the KV store: throws once the handle is closed or the store cannot be read. */
  async ping(): Promise<void> {
    await this.#options.kv.get(["readyz"]);
  }

  /** Looks for work now; cheap to call often. */
  wake(): void {
    this.#loop.wake();
  }

  /**
   * Stops taking jobs and ends the running job at once. Its committed batches stay; the next
   * start (or another instance, once the lease runs out) resumes it after them — so a deploy's
   * SIGTERM never waits for a long import.
   */
  async stop(): Promise<void> {
    clearInterval(this.#sweepTimer);
    const stopped = this.#loop.stop();
    this.#interrupt?.();
    await stopped;
  }

  async #drain(): Promise<void> {
    while (!this.#loop.stopped) {
      let job;
      try {
        job = await claimNextJob(this.#options.sql, this.#options.leaseSeconds);
      } catch (error) {
        console.error("could not look for jobs:", error);
        return;
      }
      if (!job) return;
      await this.#runInWorker(job.id);
    }
  }

  async #runInWorker(jobId: string): Promise<void> {
    const { sql, databaseUrl, batchSize, lanes, leaseSeconds } = this.#options;
    const heartbeat = setInterval(() => {
      touchJob(sql, jobId).catch((error) => console.error("job heartbeat failed:", error));
    }, (leaseSeconds * 1000) / 3);
    const worker = new Worker(new URL("./job_worker.ts", import.meta.url).href, { type: "module" });
    try {
      await new Promise<void>((resolve) => {
        this.#interrupt = resolve;
        worker.onmessage = () => resolve();
        worker.onerror = (event) => {
          event.preventDefault();
          console.error(`job worker for ${jobId} crashed:`, event.message);
          resolve();
        };
        worker.postMessage({ jobId, databaseUrl, batchSize, lanes } satisfies JobWorkerRequest);
      });
    } finally {
      this.#interrupt = null;
      clearInterval(heartbeat);
      worker.terminate();
      this.#options.onJobEnded?.();
    }
  }
}
