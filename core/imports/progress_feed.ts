/** Following a job's progress until it ends, whichever process runs it. */
import type { Sql } from "../platform/db.ts";
import { findImportJob, type ImportJob } from "./jobs.ts";
import { isFinalStatus, progressChannelName, type ProgressEvent, progressFromJob } from "./progress.ts";

/** How often the stored job is read when nothing arrives live (it may run in another process). */
const POLL_INTERVAL_MS = 2000;

/**
 * The job's progress: its stored state first, then each change, ending after `complete` or
 * `error`. Live events come from this process's BroadcastChannel; when none arrive for a while
 * the stored row is read, so a job run by another instance is followed too. Yields null when a
 * poll found nothing new (a chance to send a heartbeat); stops early when `signal` aborts.
 */
export async function* followProgress(
  sql: Sql,
  job: ImportJob,
  signal: AbortSignal,
): AsyncGenerator<ProgressEvent | null> {
  // Subscribe before reading the snapshot so no event falls between the two.
  const channel = new BroadcastChannel(progressChannelName(job.id));
  const live: ProgressEvent[] = [];
  let wake: (() => void) | null = null;
  channel.onmessage = (message: MessageEvent<ProgressEvent>) => {
    live.push(message.data);
    wake?.();
  };
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    let current = progressFromJob((await findImportJob(sql, job.id)) ?? job);
    let lastSent = JSON.stringify(current);
    yield current;
    while (!isFinalStatus(current.status) && !signal.aborted) {
      if (live.length === 0) {
        await new Promise<void>((resolve) => {
          const poll = setTimeout(resolve, POLL_INTERVAL_MS);
          wake = () => {
            clearTimeout(poll);
            resolve();
          };
        });
        wake = null;
      }
      if (signal.aborted) return;
      const next = live.shift() ?? await storedProgress(sql, job.id);
      if (next) current = next;
      const text = JSON.stringify(current);
      yield text === lastSent ? null : current;
      lastSent = text;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    channel.close();
  }
}

async function storedProgress(sql: Sql, id: string): Promise<ProgressEvent | null> {
  const stored = await findImportJob(sql, id);
  return stored ? progressFromJob(stored) : null;
}
