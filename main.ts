/**
 * The app's entry point: configuration, database (PostgreSQL or the embedded default),
 * migrations, cross-process notifications, the job queue, the webhook dispatcher and the HTTP
 * server, and the graceful stop that a deploy's SIGTERM asks for.
 */
import {
  type Config,
  connectDatabase,
  loadConfig,
  loadInstanceId,
  Logger,
  type LogSink,
  migrate,
  Notifications,
  queryBuilder,
  startEmbeddedPostgres,
} from "./core/platform/mod.ts";
import { JOBS_CANCEL_CHANNEL, PROGRESS_CHANNEL, progressPublisher } from "./core/imports/mod.ts";
import { ensureOwner, offerSetupLink } from "./core/accounts/mod.ts";
import { RateLimits } from "./core/limits/mod.ts";
import { deliveryPolicy } from "./core/webhooks/mod.ts";
import { createApp } from "./routes/mod.tsx";
import { JobQueueConsumer, JOBS_WAKE_CHANNEL, type JobWakeMessage } from "./workers/job_queue.ts";
import { SearchIndexKeeper } from "./workers/search_index_keeper.ts";
import { WebhookDispatcher, type WebhookWakeMessage } from "./workers/webhook_dispatcher.ts";

/** A running server and how to stop it cleanly. */
export interface RunningServer {
  url: string;
  port: number;
  /** This instance's stable id, kept in `<DATA_DIR>/instance-id`. */
  instanceId: string;
  /** Where to create the first admin, while the install has no account (printed on start-up). */
  setupUrl: string | null;
  /**
   * Stops gracefully: no new jobs, the running job's handed-over batches commit and the job goes
   * back to the queue, progress streams end, the webhook dispatcher and the HTTP server stop.
   */
  shutdown(): Promise<void>;
}

/** How long open requests (an upload, say) may keep a stopping server before they are cut. */
const HTTP_DRAIN_MS = 2_000;
/** How long webhook attempts in flight may keep a stopping server. */
const WEBHOOK_DRAIN_MS = 2_000;
/** The whole stop, within fly.toml's `kill_timeout` (10 s). */
const STOP_DEADLINE_MS = 9_000;

/** Waits for `work`, or `ms` at most; a late outcome is logged, never unhandled. */
async function atMost(what: string, work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`${what} did not finish within ${ms} ms; stopping anyway`);
      resolve();
    }, ms);
  });
  const done = work.then(() => {}, (error) => console.error(`${what} failed:`, error));
  await Promise.race([done, late]);
  clearTimeout(timer);
}

/** Options of {@linkcode startServer}. */
export interface StartOptions {
  /** Where the JSON log lines go (one call per line); stdout by default. */
  logSink?: LogSink;
}

/** Starts everything the app needs and serves HTTP on `config.port` (0 picks a free port). */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(`${config.dataDir}/pglite`);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  // PGlite is one session: concurrent connections interleave protocol messages ("portal does not exist").
  // On PostgreSQL: ten for requests, and the running import's own (one per lane, one for its copy).
  const sql = connectDatabase(databaseUrl, { max: embedded ? 1 : 10 + config.importLanes + 1 });
  await migrate(sql);
  const db = queryBuilder(sql);
  if (config.owner) await ensureOwner(db, config.owner);
  const setupSecret = config.owner ? null : await offerSetupLink(db);
  const instanceId = await loadInstanceId(config.dataDir);
  // One LISTEN connection for the whole process; the embedded database serves one process anyway.
  const notifications = await Notifications.open(sql, {
    channels: [PROGRESS_CHANNEL, JOBS_WAKE_CHANNEL, JOBS_CANCEL_CHANNEL],
    crossProcess: !embedded,
  });
  const progress = progressPublisher(notifications);

  const kv = await Deno.openKv(config.kvPath);
  const webhooks = new WebhookDispatcher({ sql, kv, policy: deliveryPolicy(config) });
  const searchIndex = new SearchIndexKeeper({
    sql,
    onProgress: progress.publish,
    singleProcess: embedded !== null,
  });
  const jobs = new JobQueueConsumer({
    sql,
    kv,
    batchSize: config.importBatchSize,
    lanes: embedded ? 1 : config.importLanes,
    deferSearchIndexRows: embedded ? null : config.searchIndexDeferRows,
    copyCleanRecords: embedded === null,
    leaseSeconds: config.jobLeaseSeconds,
    instanceId,
    notifications,
    onProgress: progress.publish,
    onJobEnded: (jobId) => {
      webhooks.wake();
      searchIndex.afterJob(jobId);
    },
  });
  // One listener per KV handle: the queue is a doorbell for both consumers.
  kv.listenQueue((message: unknown) => {
    const kind = (message as JobWakeMessage | WebhookWakeMessage)?.kind;
    if (kind === "jobs-wake") jobs.wake();
    if (kind === "webhook-wake") webhooks.wake();
  });
  const log = new Logger(options.logSink);
  const limits = new RateLimits(sql, config.rateLimits);
  const stopping = new AbortController();
  const app = createApp({
    config,
    sql,
    db,
    log,
    jobs,
    instanceId,
    notifications,
    stopping: stopping.signal,
    webhooks,
    limits,
  });
  const server = Deno.serve({ port: config.port, hostname: "0.0.0.0", onListen: () => {} }, app.fetch);
  await jobs.start();
  webhooks.start();
  searchIndex.start();

  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setupUrl: setupSecret ? `http://localhost:${port}/setup/${setupSecret}` : null,
    instanceId,
    async shutdown() {
      // Progress streams end at once (their clients reconnect elsewhere) so the server can close.
      stopping.abort();
      await Promise.all([
        jobs.stop(),
        searchIndex.stop(),
        atMost("closing the HTTP server", server.shutdown(), HTTP_DRAIN_MS),
      ]);
      await atMost("stopping the webhook dispatcher", webhooks.stop(), WEBHOOK_DRAIN_MS);
      await progress.settled();
      await notifications.close();
      kv.close();
      // Not `end({ timeout })`: it destroys busy connections, and postgres.js then leaves the rejection
      // of its own type-fetching query unhandled (seen with the database dropped under the app).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([sql.end(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      await embedded?.stop();
    },
  };
}

if (import.meta.main) {
  const config = loadConfig();
  const server = await startServer(config);
  console.log(
    `Listening on http://localhost:${server.port} (database: ${
      config.databaseUrl ? "PostgreSQL from DATABASE_URL" : `embedded PGlite in ${config.dataDir}/pglite`
    })`,
  );
  if (server.setupUrl) {
    console.log(`No account exists yet. Open this link once, within the hour, to create the first admin:`);
    console.log(`  ${server.setupUrl}`);
  }
  let stopping = false;
  const stop = async () => {
    // Fly sends SIGTERM once, then SIGKILL after kill_timeout; a second signal changes nothing.
    if (stopping) return;
    stopping = true;
    // Every step has its own deadline; this one catches what they miss, before Fly's kill_timeout.
    setTimeout(() => {
      console.error(`the server did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
      Deno.exit(1);
    }, STOP_DEADLINE_MS);
    try {
      await server.shutdown();
      Deno.exit(0);
    } catch (error) {
      console.error("the server did not stop cleanly:", error);
      Deno.exit(1);
    }
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
