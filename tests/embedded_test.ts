import { equal } from "node:assert/strict";
import { loadConfig } from "../core/platform/mod.ts";
import { startServer } from "../main.ts";
import { productsFixture } from "./helpers/csv_fixture.ts";
import { importCsv } from "./helpers/test_app.ts";
import { startReceiver } from "./helpers/webhook_receiver.ts";

Deno.test({
  name: "without DATABASE_URL the app runs an import on the embedded PGlite database and sends its webhook",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "importer-embedded-" });
    const server = await startServer(
      loadConfig({ PORT: "0", DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: "true" }),
    );
    const receiver = startReceiver();
    try {
      const hook = await fetch(`${server.url}/api/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: `${receiver.url}/embedded`, event_type: "import.completed" }),
      });
      equal(hook.status, 201);
      await hook.body?.cancel();
      const fixture = productsFixture(2_000);
      const { final } = await importCsv(server.url, fixture.csv);
      equal(final.status, "complete", final.message);
      equal(final.current, fixture.rows);
      const page = await (await fetch(`${server.url}/api/products?limit=1`)).json();
      equal(page.total, fixture.expectedNames.size);
      const health = await fetch(`${server.url}/healthz`);
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
