import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { loadConfig } from "../core/platform/mod.ts";
import { startServer } from "../main.ts";
import { productsFixture } from "./helpers/csv_fixture.ts";
import { apiJson, fetchWithDeadline, importCsv, uploadCsv } from "./helpers/test_app.ts";
import { startReceiver } from "./helpers/webhook_receiver.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Runs `deno task token NAME` as an operator would, next to the running app; returns its last line. */
async function tokenTask(dataDir: string): Promise<string> {
  const env: Record<string, string> = { ...Deno.env.toObject(), DATA_DIR: dataDir, NO_COLOR: "1" };
  delete env.DATABASE_URL; // the embedded database, as in the app
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["task", "token", "embedded test"],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  equal(run.code, 0, new TextDecoder().decode(run.stderr));
  return new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!;
}

Deno.test({
  name:
    "without DATABASE_URL the app runs on embedded PGlite: a token from deno task token, an import, its webhook",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "importer-embedded-" });
    const server = await startServer(
      loadConfig({ PORT: "0", DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: "true" }),
    );
    const receiver = startReceiver();
    try {
      match(server.setupUrl ?? "", /\/setup\/[A-Za-z0-9_-]{43}$/, "no account yet: a setup link is offered");
      const api = { url: server.url, token: await tokenTask(dataDir) };
      const anonymous = await fetchWithDeadline(`${server.url}/api/products`);
      equal(anonymous.status, 401);
      await anonymous.body?.cancel();

      const hook = await apiJson(api, "POST", "/api/webhooks", {
        url: `${receiver.url}/embedded`,
        event_type: "import.completed",
      });
      equal(hook.status, 201);
      const fixture = productsFixture(2_000);
      const { final } = await importCsv(api, fixture.csv);
      equal(final.status, "complete", final.message);
      equal(final.current, fixture.rows);
      equal((await apiJson(api, "GET", "/api/products?limit=1")).body.total, fixture.expectedNames.size);
      const health = await fetchWithDeadline(`${server.url}/healthz`);
      equal(health.status, 200);
      await health.body?.cancel();
      const [event] = await receiver.waitFor("/embedded", 1);
      equal(JSON.parse(event.body).data.rows, fixture.rows);
    } finally {
      await receiver.close();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "on embedded PGlite the API answers correctly while an import runs (one session, never interleaved)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "importer-embedded-busy-" });
    const server = await startServer(
      loadConfig({ PORT: "0", DATA_DIR: dataDir, IMPORT_BATCH_SIZE: "500", RATE_LIMIT_PER_MINUTE: "100000" }),
      { logSink: () => {} },
    );
    try {
      const api = { url: server.url, token: await tokenTask(dataDir) };
      const fixture = productsFixture(30_000);
      const upload = await uploadCsv(api, fixture.csv);
      equal(upload.status, 202);
      const taskId = upload.body.task_id as string;
      // Before the fix, about half of these answered 500 "portal does not exist": the app's and the
      // import's connections took turns inside PGlite's one session mid-statement.
      const statuses: number[] = [];
      const deadline = Date.now() + 120_000;
      let job = { status: "queued" };
      while (job.status !== "complete" && job.status !== "error") {
        if (Date.now() > deadline) {
          throw new Error(`the import did not finish in 120 s: ${JSON.stringify(job)}`);
        }
        const [one, list] = await Promise.all([
          apiJson(api, "GET", `/api/imports/${taskId}`),
          apiJson(api, "GET", "/api/products?limit=5"),
        ]);
        statuses.push(one.status, list.status);
        if (one.status === 200) job = one.body;
      }
      equal(job.status, "complete");
      ok(statuses.length >= 4, `only ${statuses.length} answers overlapped the import`);
      deepStrictEqual(statuses.filter((status) => status !== 200), [], "every answer during the import");
      equal((await apiJson(api, "GET", "/api/products?limit=1")).body.total, fixture.expectedNames.size);
    } finally {
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
