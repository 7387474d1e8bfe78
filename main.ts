/**
 * The app's entry point: configuration, database (PostgreSQL or the embedded default),
 * migrations, the job queue, the webhook dispatcher and the HTTP server.
 */
import {
  type Config,
  connectDatabase,
  loadConfig,
  Logger,
  type LogSink,
  migrate,
  queryBuilder,
  startEmbeddedPostgres,
} from "./core/platform/mod.ts";
import { ensureOwner, offerSetupLink } from "./core/accounts/mod.ts";
import { RateLimits } from "./core/limits/mod.ts";
import { deliveryPolicy } from "./core/webhooks/mod.ts";
import { createApp } from "./routes/mod.tsx";
import { JobQueueConsumer, type JobWakeMessage } from "./workers/job_queue.ts";
import { WebhookDispatcher, type WebhookWakeMessage } from "./workers/webhook_dispatcher.ts";

/** A running server and how to stop it cleanly. */
export interface RunningServer {
  url: string;
  port: number;
  /** Where to create the first admin, while the install has no account (printed on start-up). */
  setupUrl: string | null;
  shutdown(): Promise<void>;
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
  const sql = connectDatabase(databaseUrl, { max: embedded ? 1 : 10 });
  await migrate(sql);
  const db = queryBuilder(sql);
  if (config.owner) await ensureOwner(db, config.owner);
  const setupSecret = config.owner ? null : await offerSetupLink(db);

  const kv = await Deno.openKv(config.kvPath);
  const webhooks = new WebhookDispatcher({ sql, kv, policy: deliveryPolicy(config) });
  const jobs = new JobQueueConsumer({
    sql,
    kv,
    databaseUrl,
    batchSize: config.importBatchSize,
    lanes: embedded ? 1 : config.importLanes,
    leaseSeconds: config.jobLeaseSeconds,
    onJobEnded: () => webhooks.wake(),
  });
  // One listener per KV handle: the queue is a doorbell for both consumers.
  kv.listenQueue((message: unknown) => {
    const kind = (message as JobWakeMessage | WebhookWakeMessage)?.kind;
    if (kind === "jobs-wake") jobs.wake();
    if (kind === "webhook-wake") webhooks.wake();
  });
  const log = new Logger(options.logSink);
  const limits = new RateLimits(sql, config.rateLimits);
  const app = createApp({ config, sql, db, log, jobs, webhooks, limits });
  const server = Deno.serve({ port: config.port, hostname: "0.0.0.0", onListen: () => {} }, app.fetch);
  jobs.start();
  webhooks.start();

  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setupUrl: setupSecret ? `http://localhost:${port}/setup/${setupSecret}` : null,
    async shutdown() {
      await jobs.stop();
      await server.shutdown();
      await webhooks.stop();
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
  const stop = async () => {
    await server.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
