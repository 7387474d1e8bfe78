/**
 * The job queue consumer, for imports and delete-all runs alike. Deno KV is only a doorbell (a
 * message says "look for work"), and so is the `jobs_wake` notification that reaches the other
 * instances; PostgreSQL decides which job runs, so a lost or repeated message changes nothing.
 * An instance runs its own imports (their files are on its volume) and ownerless jobs, one at a
 * time, in the order they were submitted, on this thread's connections (not in a Web Worker: a
 * worker cost the server 30–110 MB more at the peak of a 2M-row import; see docs/decisions.md).
 */
import {
  cancelRequested,
  claimNextJob,
  findImportJob,
  finishAbandonedCancels,
  finishCancelledJob,
  type JobQueue,
  JOBS_CANCEL_CHANNEL,
  type ProgressEvent,
  progressFromJob,
  releaseJob,
  requeueOwnJobs,
  runJob,
  touchJob,
} from "../core/imports/mod.ts";
import type { Notifications, Sql } from "../core/platform/mod.ts";
import { SerialDrain } from "./serial_drain.ts";

/** The notification channel that asks every instance to look for work. */
export const JOBS_WAKE_CHANNEL = "jobs_wake";

/** What the consumer needs to run jobs. */
export interface JobQueueOptions {
  sql: Sql;
  kv: Deno.Kv;
  batchSize: number;
  lanes: number;
  /** See `JobRunOptions.deferSearchIndexRows`: null never sets the search indexes aside. */
  deferSearchIndexRows: number | null;
  /** See `JobRunOptions.copyCleanRecords`. */
  copyCleanRecords: boolean;
  leaseSeconds: number;
  /** This instance's stable id: it may claim the jobs it owns and ownerless ones. */
  instanceId: string;
  /** Rings the other instances; without it only this process hears a ring. */
  notifications?: Notifications;
  /** Receives each progress event of the running job, in order. */
  onProgress?: (event: ProgressEvent) => void;
  /** Called after each job ends (its webhook event is queued by then). */
  onJobEnded?: (jobId: string) => void;
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
  #unsubscribe: (() => void) | null = null;
  /** Asks the running job to stop after the batches it has handed over; set while one runs. */
  #interrupt: (() => void) | null = null;
  /** The job running now, so a cancel request for it can stop it. */
  #runningJobId: string | null = null;
  #unsubscribeCancel: (() => void) | null = null;

  constructor(options: JobQueueOptions) {
    this.#options = options;
  }

  /**
   * Puts back in the queue the jobs this instance was running when it last died, then picks up
   * whatever is queued or abandoned; rings (KV or `jobs_wake`) call {@linkcode wake}.
   */
  async start(): Promise<void> {
    const { sql, instanceId, notifications, leaseSeconds } = this.#options;
    await requeueOwnJobs(sql, instanceId);
    this.#unsubscribe = notifications?.subscribe(JOBS_WAKE_CHANNEL, () => this.wake()) ?? null;
    // A lost notification is caught by the heartbeat's check; null (missed notifications) too.
    this.#unsubscribeCancel = notifications?.subscribe(JOBS_CANCEL_CHANNEL, (jobId) => {
      if (this.#runningJobId !== null && (jobId === null || jobId === this.#runningJobId)) {
        this.#checkCancel(this.#runningJobId);
      }
    }) ?? null;
    // A notification can be missed and a dead process's ownerless job is found only by its stale
    // heartbeat: look for work periodically as well.
    const sweepMs = Math.max(500, (leaseSeconds * 1000) / 3);
    this.#sweepTimer = setInterval(() => this.wake(), sweepMs);
    this.wake();
  }

  /** Rings the doorbell: this process through the KV queue, the other instances by notification. */
  async ring(): Promise<void> {
    await this.#options.kv.enqueue({ kind: "jobs-wake" } satisfies JobWakeMessage);
    await this.#options.notifications?.send(JOBS_WAKE_CHANNEL, "");
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
   * Stops taking jobs; the running job commits the batches it handed over (a chunk per lane, or
   * the copy being read into) and goes back to the queue, so a deploy's SIGTERM never waits for a
   * long import. The next start resumes it after its committed batches (another instance at once,
   * for a job that no instance owns).
   */
  async stop(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#unsubscribe?.();
    this.#unsubscribeCancel?.();
    const stopped = this.#loop.stop();
    this.#interrupt?.();
    await stopped;
  }

  async #drain(): Promise<void> {
    const { sql, leaseSeconds, instanceId } = this.#options;
    while (!this.#loop.stopped) {
      let job;
      try {
        // Jobs cancelled while nobody ran them end here rather than being claimed (issue 12).
        for (const cancelled of await finishAbandonedCancels(sql, { instanceId, leaseSeconds })) {
          this.#options.onProgress?.(progressFromJob(cancelled));
        }
        job = await claimNextJob(sql, { leaseSeconds, instanceId });
      } catch (error) {
        console.error("could not look for jobs:", error);
        return;
      }
      if (!job) return;
      await this.#runWithHeartbeat(job.id);
    }
  }

  async #runWithHeartbeat(jobId: string): Promise<void> {
    const { sql, leaseSeconds } = this.#options;
    const heartbeat = setInterval(() => {
      touchJob(sql, jobId).catch((error) => console.error("job heartbeat failed:", error));
      this.#checkCancel(jobId);
    }, (leaseSeconds * 1000) / 3);
    this.#runningJobId = jobId;
    try {
      await this.#run(jobId);
    } finally {
      clearInterval(heartbeat);
      this.#runningJobId = null;
      // A job stopped by its cancel ends here, even when the process is stopping too.
      if (!(await this.#finishIfCancelled(jobId)) && this.#loop.stopped) await this.#release(jobId);
      this.#options.onJobEnded?.(jobId);
    }
  }

  /** Stops the running job if someone asked to cancel it (it then ends after its current batch). */
  #checkCancel(jobId: string): void {
    cancelRequested(this.#options.sql, jobId).then((asked) => {
      if (asked && this.#runningJobId === jobId) this.#interrupt?.();
    }).catch((error) => console.error(`could not check whether job ${jobId} was cancelled:`, error));
  }

  /** Ends a job whose run stopped because it was cancelled; true if it was. */
  async #finishIfCancelled(jobId: string): Promise<boolean> {
    try {
      const cancelled = await finishCancelledJob(this.#options.sql, jobId);
      if (!cancelled) return false;
      this.#options.onProgress?.(progressFromJob(cancelled));
      return true;
    } catch (error) {
      // Its heartbeat stops, so finishAbandonedCancels ends it once the lease runs out.
      console.error(`could not end cancelled job ${jobId}:`, error);
      return false;
    }
  }

  async #run(jobId: string): Promise<void> {
    const { sql, batchSize, lanes, deferSearchIndexRows, copyCleanRecords } = this.#options;
    const stopping = new AbortController();
    this.#interrupt = () => stopping.abort();
    try {
      const job = await findImportJob(sql, jobId);
      if (!job) return;
      await runJob(sql, job, {
        batchSize,
        lanes,
        deferSearchIndexRows,
        copyCleanRecords,
        signal: stopping.signal,
        publish: (event) => this.#options.onProgress?.(event),
      });
    } catch (error) {
      // The outcome could not be recorded; the job's lease runs out and it is resumed.
      console.error(`job ${jobId} could not finish:`, error);
    } finally {
      this.#interrupt = null;
    }
  }

  /** Hands a job this stopping process was running back to the queue and tells its followers. */
  async #release(jobId: string): Promise<void> {
    try {
      const released = await releaseJob(this.#options.sql, jobId);
      if (!released) return;
      this.#options.onProgress?.(progressFromJob(released));
      await this.#options.notifications?.send(JOBS_WAKE_CHANNEL, "");
    } catch (error) {
      // Its heartbeat stops with this process, so the lease runs out and it is resumed anyway.
      console.error(`could not release job ${jobId}:`, error);
    }
  }
}
