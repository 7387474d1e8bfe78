import { equal, match } from "node:assert/strict";
import { apiJson, appTest, waitUntil } from "../helpers/test_app.ts";

appTest(
  "a delivery the SSRF guard refuses at send time fails at once, with the reason in the log",
  async (app) => {
    // A row written straight to the table (as one saved before the guard, or by another tool): the
    // API would refuse this URL, so only the check at send time stands between it and the network.
    const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
    const [hook] = await app.db.sql<{ id: number }[]>`
    INSERT INTO webhooks (url, event_types, secret) VALUES ('http://[::127.0.0.1]:9/hook', '{*}', ${secret})
    RETURNING id`;
    const created = await apiJson(app, "POST", "/api/products", { sku: "BLOCK-1", name: "Blocked" });
    equal(created.status, 201);

    const delivery = await waitUntil("the delivery to settle", async () => {
      const [row] = await app.db.sql<{ status: string; attempts: number }[]>`
      SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = ${hook.id}`;
      return row && row.status !== "pending" ? row : null;
    });
    equal(delivery.status, "failed");
    equal(delivery.attempts, 1);

    // Longer than the whole (shortened) retry schedule: nothing is tried again.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { body: logs } = await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs`);
    equal(logs.length, 1);
    equal(logs[0].error_kind, "blocked");
    equal(logs[0].next_retry_at, null);
    equal(logs[0].delivery_status, "failed");
    match(logs[0].error_message, /embeds 127\.0\.0\.1, a loopback address/);
    match(logs[0].error_message, /Not retried/);
  },
  { WEBHOOK_ALLOW_PRIVATE: "false", WEBHOOK_RETRY_SCHEDULE: "0.2,0.5" },
);
