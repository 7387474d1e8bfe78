import { deepStrictEqual, equal, match } from "node:assert/strict";
import postgres from "postgres";
import { ADMIN_DATABASE_URL, appTest, fetchWithDeadline, readBody } from "../helpers/test_app.ts";

appTest("/healthz answers 200 with the database ok while the database answers", async (app) => {
  const response = await fetchWithDeadline(`${app.url}/healthz`);
  equal(response.status, 200);
  deepStrictEqual(JSON.parse(await readBody(response)), { status: "ok", database: "ok" });
});

appTest("/healthz answers 503 JSON saying the database is unreachable once it is gone", async (app) => {
  // Dropping the database with FORCE also ends the app's open connections to it.
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await admin.unsafe(`DROP DATABASE ${app.db.name} WITH (FORCE)`);
  } finally {
    await admin.end({ timeout: 5 });
  }

  // The health check has its own 2 s deadline; 10 s only bounds this test.
  const response = await fetchWithDeadline(`${app.url}/healthz`, {}, 10_000);
  equal(response.status, 503);
  match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(await readBody(response));
  equal(body.status, "error");
  equal(body.database, "unreachable");
  match(body.message, /database/i);
});
