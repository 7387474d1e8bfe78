import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { readBody, startTestApp, type TestApp, withCleanup } from "../helpers/test_app.ts";

/** Starts an app whose log lines land in an array, runs `fn`, stops the app. */
function loggedAppTest(
  name: string,
  fn: (app: TestApp, lines: () => Record<string, unknown>[]) => Promise<void>,
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const written: string[] = [];
      const app = await startTestApp({}, { logSink: (line) => written.push(line) });
      await withCleanup(
        () => fn(app, () => written.map((line) => JSON.parse(line))),
        () => [["stop the app", () => app.stop()]],
      );
    },
  });
}

loggedAppTest(
  "each request writes one JSON line with its id, method, path without the query, status and duration",
  async (app, lines) => {
    const response = await app.fetch("/api/products?search=secret-term&limit=5", {
      headers: { "X-Request-Id": "req-log-1" },
    });
    await readBody(response);
    equal(response.headers.get("x-request-id"), "req-log-1");

    const mine = lines().filter((entry) => entry.request_id === "req-log-1");
    equal(mine.length, 1, "one line per request");
    const entry = mine[0];
    const [{ id: tokenId }] = await app.db.sql<{ id: number }[]>`SELECT id FROM api_tokens`;
    deepStrictEqual(Object.keys(entry).sort(), [
      "actor",
      "duration_ms",
      "level",
      "method",
      "path",
      "request_id",
      "status",
      "time",
    ]);
    deepStrictEqual({ ...entry, time: "", duration_ms: 0 }, {
      time: "",
      level: "info",
      request_id: "req-log-1",
      method: "GET",
      path: "/api/products",
      status: 200,
      duration_ms: 0,
      actor: `token:${tokenId}`,
    });
    ok(typeof entry.duration_ms === "number" && entry.duration_ms >= 0);
    ok(!JSON.stringify(lines()).includes("secret-term"), "the search term never reaches the log");
    ok(!JSON.stringify(lines()).includes(app.token), "nor the token");

    const missing = await app.fetch("/no-such-page", {
      headers: { "X-Request-Id": "req-log-2" },
    });
    await readBody(missing);
    equal(lines().find((entry) => entry.request_id === "req-log-2")?.status, 404);
  },
);

loggedAppTest(
  "an unexpected error is logged as a JSON line with the request id; the client sees only a generic 500",
  async (app, lines) => {
    // Something no route expects: the table the API reads has gone.
    await app.db.sql`DROP TABLE products CASCADE`;
    const response = await app.fetch("/api/products", { headers: { "X-Request-Id": "req-err-1" } });
    const body = await readBody(response);
    equal(response.status, 500);
    equal(response.headers.get("x-request-id"), "req-err-1");
    deepStrictEqual(JSON.parse(body), {
      error: { code: "internal_error", message: "Something went wrong on our side." },
    });

    const mine = lines().filter((entry) => entry.request_id === "req-err-1");
    deepStrictEqual(mine.map((entry) => entry.level), ["error", "info"], "the error, then the request");
    const error = mine[0].error as { message: string };
    ok(/products/.test(error.message), `the log names what failed: ${error.message}`);
    equal(mine[1].status, 500);
  },
);
