import { deepStrictEqual, equal, match } from "node:assert/strict";
import postgres from "postgres";
import { RateLimits } from "../../core/limits/mod.ts";
import { loadConfig, Logger, Notifications, queryBuilder } from "../../core/platform/mod.ts";
import { createApp } from "../../routes/mod.tsx";
import { JobQueueConsumer } from "../../workers/job_queue.ts";
import {
  ADMIN_DATABASE_URL,
  appTest,
  createTestDatabase,
  fetchWithDeadline,
  readBody,
  withCleanup,
} from "../helpers/test_app.ts";

appTest("/healthz answers 200 with the database ok while the database answers", async (app) => {
  const response = await fetchWithDeadline(`${app.url}/healthz`);
  equal(response.status, 200);
  deepStrictEqual(JSON.parse(await readBody(response)), { status: "ok", database: "ok" });
});

appTest(
  "/healthz and /readyz answer 503 JSON saying the database is unreachable while it refuses connections",
  async (app) => {
    // What a database restart or failover looks like to the app: its connections end, new ones are refused.
    const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await admin.unsafe(`ALTER DATABASE ${app.db.name} WITH ALLOW_CONNECTIONS false`);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${app.db.name}`;

      // The health check has its own 2 s deadline; 10 s only bounds this test.
      const response = await fetchWithDeadline(`${app.url}/healthz`, {}, 10_000);
      equal(response.status, 503);
      match(response.headers.get("content-type") ?? "", /^application\/json/);
      const body = JSON.parse(await readBody(response));
      equal(body.status, "error");
      equal(body.database, "unreachable");
      match(body.message, /database/i);

      const ready = await fetchWithDeadline(`${app.url}/readyz`, {}, 10_000);
      equal(ready.status, 503);
      const readiness = JSON.parse(await readBody(ready));
      equal(readiness.status, "error");
      equal(readiness.database, "unreachable");
      equal(readiness.queue, "ok");
      match(readiness.message, /database/);
    } finally {
      await admin.unsafe(`ALTER DATABASE ${app.db.name} WITH ALLOW_CONNECTIONS true`);
      await admin.end({ timeout: 5 });
    }

    const recovered = await fetchWithDeadline(`${app.url}/healthz`, {}, 10_000);
    equal(recovered.status, 200, "the app reconnects once the database is back");
    const ready = await fetchWithDeadline(`${app.url}/readyz`, {}, 10_000);
    equal(ready.status, 200, "and is ready again");
    await readBody(ready);
  },
);

appTest("/readyz answers 200 with the database and the job queue ok while both answer", async (app) => {
  const response = await fetchWithDeadline(`${app.url}/readyz`);
  equal(response.status, 200);
  deepStrictEqual(JSON.parse(await readBody(response)), { status: "ok", database: "ok", queue: "ok" });
});

Deno.test({
  name: "/readyz answers 503 naming the job queue when its KV store is closed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await createTestDatabase();
    // The queue's real consumer on a KV handle that has been closed, as after a failed store.
    const kv = await Deno.openKv(":memory:");
    kv.close();
    const config = loadConfig({ DATABASE_URL: db.url });
    const jobs = new JobQueueConsumer({
      sql: db.sql,
      kv,
      batchSize: 10,
      lanes: 1,
      deferSearchIndexRows: null,
      copyCleanRecords: true,
      leaseSeconds: 15,
      instanceId: "health-test",
    });
    const app = createApp({
      config,
      sql: db.sql,
      db: queryBuilder(db.sql),
      log: new Logger(() => {}),
      jobs,
      instanceId: "health-test",
      notifications: await Notifications.open(db.sql, { channels: [], crossProcess: false }),
      stopping: new AbortController().signal,
      webhooks: { ring: () => Promise.resolve() },
      limits: new RateLimits(db.sql, config.rateLimits),
    });
    await withCleanup(async () => {
      const response = await app.request("/readyz");
      equal(response.status, 503);
      const body = await response.json();
      equal(body.status, "error");
      equal(body.database, "ok");
      equal(body.queue, "unreachable");
      match(body.message, /job queue/);
    }, () => [["drop the database", () => db.drop()]]);
  },
});
