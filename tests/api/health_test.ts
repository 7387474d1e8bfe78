import { deepStrictEqual, equal, match } from "node:assert/strict";
import postgres from "postgres";
import { ADMIN_DATABASE_URL, appTest, fetchWithDeadline, readBody } from "../helpers/test_app.ts";

appTest("/healthz answers 200 with the database ok while the database answers", async (app) => {
  const response = await fetchWithDeadline(`${app.url}/healthz`);
  equal(response.status, 200);
  deepStrictEqual(JSON.parse(await readBody(response)), { status: "ok", database: "ok" });
});

appTest(
  "/healthz answers 503 JSON saying the database is unreachable while it refuses connections",
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
    } finally {
      await admin.unsafe(`ALTER DATABASE ${app.db.name} WITH ALLOW_CONNECTIONS true`);
      await admin.end({ timeout: 5 });
    }

    const recovered = await fetchWithDeadline(`${app.url}/healthz`, {}, 10_000);
    equal(recovered.status, 200, "the app reconnects once the database is back");
  },
);
