/**
 * Progress across processes: the process that runs a job publishes each event on the
 * `import_progress` notification channel (LISTEN/NOTIFY on PostgreSQL), and every process's
 * followers receive it from their process's one listening connection.
 */
import { MAX_NOTIFY_PAYLOAD_BYTES, type Notifications } from "../platform/notifications.ts";
import type { Sql } from "../platform/db.ts";
import { findImportJob, type ImportJob } from "./jobs.ts";
import { isFinalStatus, type ProgressEvent, progressFromJob } from "./progress.ts";

/** The notification channel that carries progress events. */
export const PROGRESS_CHANNEL = "import_progress";

/**
 * How often the stored job is read when nothing arrives live: only a fallback for a lost
 * notification, since every committed batch is announced.
 */
const POLL_INTERVAL_MS = 10_000;

/** Publishes progress events to every process, in the order they were given. */
export interface ProgressPublisher {
  publish(event: ProgressEvent): void;
  /** Resolves once every event published so far has been sent (or failed and was logged). */
  settled(): Promise<void>;
}

/**
 * A publisher whose sends each wait for the one before, so events sent over different pooled
 * connections cannot overtake each other.
 */
export function progressPublisher(notifications: Notifications): ProgressPublisher {
  let previous = Promise.resolve();
  const publish = (event: ProgressEvent) => {
    const full = JSON.stringify(event);
    // An event too large for NOTIFY (a long error message) names only the job; followers read it.
    const payload = new TextEncoder().encode(full).byteLength < MAX_NOTIFY_PAYLOAD_BYTES
      ? full
      : JSON.stringify({ task_id: event.task_id });
    previous = previous
      .then(() => notifications.send(PROGRESS_CHANNEL, payload))
      .catch((error) => console.error(`could not publish the progress of ${event.task_id}:`, error));
  };
  return { publish, settled: () => previous };
}

/** Options of {@linkcode followProgress}. */
export interface FollowOptions {
  /** Stops following when aborted (the client left, or the server is stopping). */
  signal: AbortSignal;
  notifications: Notifications;
}

/**
 * The job's progress: its stored state first, then each change, ending after `complete` or
 * `error` — or, for an import that set the search indexes aside, once they are rebuilt —
 * whichever process runs the job. Yields null when a fallback poll found nothing new (a
 * chance to send a heartbeat); stops early when `signal` aborts.
 */
export async function* followProgress(
  sql: Sql,
  job: ImportJob,
  options: FollowOptions,
): AsyncGenerator<ProgressEvent | null> {
  const { signal } = options;
  // Subscribe before reading the snapshot so no event falls between the two.
  const live: (ProgressEvent | "read")[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = options.notifications.subscribe(PROGRESS_CHANNEL, (payload) => {
    const event = payload === null ? "read" : parseEvent(payload, job.id);
    if (event === null) return;
    live.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    let current = progressFromJob((await findImportJob(sql, job.id)) ?? job);
    let lastSent = JSON.stringify(current);
    yield current;
    while (!(isFinalStatus(current.status) && current.search_index === "ready") && !signal.aborted) {
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
      const taken = live.shift();
      const next = taken === undefined || taken === "read" ? await storedProgress(sql, job.id) : taken;
      // Lanes commit concurrently; an event that lags behind one already shown is skipped.
      if (
        next &&
        (isFinalStatus(next.status) || (next.current >= current.current && next.percent >= current.percent))
      ) current = next;
      const text = JSON.stringify(current);
      yield text === lastSent ? null : current;
      lastSent = text;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}

/** The event in a notification about job `id`; "read" when it names the job without its progress; else null. */
function parseEvent(payload: string, id: string): ProgressEvent | "read" | null {
  // Most notifications are about other jobs; skip them without parsing.
  if (!payload.includes(id)) return null;
  try {
    const event = JSON.parse(payload) as Partial<ProgressEvent>;
    if (event.task_id !== id) return null;
    return typeof event.status === "string" ? event as ProgressEvent : "read";
  } catch {
    return "read";
  }
}

async function storedProgress(sql: Sql, id: string): Promise<ProgressEvent | null> {
  const stored = await findImportJob(sql, id);
  return stored ? progressFromJob(stored) : null;
}
