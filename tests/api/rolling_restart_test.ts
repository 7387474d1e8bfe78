/**
 * A deploy restarts the machines one after the other (Fly sends SIGTERM, then starts the new
 * version on the same volume). Across such a rolling restart, an import and a burst of API
 * changes with their webhooks lose nothing and deliver nothing twice.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import {
  committedAtLeast,
  exitAfter,
  type ServerInstance,
  withTwoServers,
} from "../helpers/server_process.ts";
import { apiJson, readProgress, uploadCsv } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";

const ENV = {
  IMPORT_BATCH_SIZE: "500",
  JOB_LEASE_SECONDS: "1",
  WEBHOOK_ALLOW_PRIVATE: "true",
  RATE_LIMIT_PER_MINUTE: "100000",
};
const BURST = 200;
/** How long the import and the deliveries may take to settle after the restarts, on a loaded 2-core machine. */
const SETTLE_TIMEOUT_MS = 90_000;

/**
 * Creates product `sku` through whichever instance answers, as a load balancer would: a refused
 * connection goes to the other one, and a 409 after a lost answer means the first try landed.
 */
async function createThroughEither(instances: ServerInstance[], sku: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const target = instances[attempt % instances.length];
    try {
      const created = await apiJson(target.api, "POST", "/api/products", { sku, name: `Burst ${sku}` });
      if (created.status === 201 || (created.status === 409 && attempt > 0)) return;
      if (created.status !== 503) throw new Error(`creating ${sku} answered ${created.status}`);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // a network error: that instance is restarting
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no instance created ${sku} within ${SETTLE_TIMEOUT_MS / 1000} s`);
}

Deno.test({
  name: "a rolling restart of both instances during an import and a webhook burst loses nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const receiver = startReceiver();
    try {
      await withTwoServers("importer-rolling-", ENV, async ({ sql, a, b }) => {
        const [firstA, firstB] = await Promise.all([a.start(), b.start()]);
        const hook = await apiJson(a.api, "POST", "/api/webhooks", {
          url: `${receiver.url}/hook`,
          event_types: ["product.created", "import.completed"],
        });
        equal(hook.status, 201);
        const fixture = productsFixture(60_000);
        const upload = await uploadCsv(a.api, fixture.csv);
        equal(upload.status, 202);
        const taskId = upload.body.task_id as string;

        const skus = Array.from({ length: BURST }, (_, i) => `BURST-${i}`);
        const burst = (async () => {
          for (const [i, sku] of skus.entries()) {
            await createThroughEither(i % 2 === 0 ? [a, b] : [b, a], sku);
            // Paced, so the burst spans both restarts (about 8 s; the restarts take about 5).
            await new Promise((resolve) => setTimeout(resolve, 40));
          }
        })();

        // The deploy: A first (it runs the import), then B, each back on its own volume.
        await committedAtLeast(sql, taskId, 5_000);
        equal((await exitAfter(firstA, "SIGTERM")).code, 0, "A stops cleanly");
        await a.start();
        equal((await exitAfter(firstB, "SIGTERM")).code, 0, "B stops cleanly");
        await b.start();
        await burst;

        const final = (await readProgress(b.api, taskId, SETTLE_TIMEOUT_MS)).at(-1);
        equal(final?.status, "complete", JSON.stringify(final));
        const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM products`;
        equal(
          count,
          fixture.expectedNames.size + BURST,
          "every row of the file and every burst product, once",
        );

        const received = await receiver.waitFor("/hook", BURST + 1, SETTLE_TIMEOUT_MS);
        // A duplicate would arrive after the last expected delivery; give it a moment to show.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const ids = receiver.on("/hook").map((request) => request.headers.get("webhook-id"));
        equal(new Set(ids).size, ids.length, "no event delivered twice");
        const created = received.map((request) => JSON.parse(request.body))
          .filter((event) => event.type === "product.created").map((event) => event.data.sku).sort();
        deepStrictEqual(created, [...skus].sort(), "every burst product's event, once");
        equal(
          received.filter((request) => JSON.parse(request.body).type === "import.completed").length,
          1,
          "the import completed once",
        );
      });
    } finally {
      await receiver.close();
    }
  },
});
