import { equal } from "node:assert/strict";
import { loadConfig } from "../core/config.ts";
import { startServer } from "../main.ts";
import { productsFixture } from "./helpers/csv_fixture.ts";
import { importCsv } from "./helpers/test_app.ts";

Deno.test({
  name: "without DATABASE_URL the app runs an import on the embedded PGlite database",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "importer-embedded-" });
    const server = await startServer(loadConfig({ PORT: "0", DATA_DIR: dataDir }));
    try {
      const fixture = productsFixture(2_000);
      const { final } = await importCsv(server.url, fixture.csv);
      equal(final.status, "complete", final.message);
      equal(final.current, fixture.rows);
      const page = await (await fetch(`${server.url}/api/products?limit=1`)).json();
      equal(page.total, fixture.expectedNames.size);
      const health = await fetch(`${server.url}/healthz`);
      equal(health.status, 200);
      await health.body?.cancel();
    } finally {
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
