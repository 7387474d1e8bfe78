import { equal, match, ok } from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { appTest } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

appTest(
  "in the browser, a webhook is added, tested, sees a product event, is edited and deleted",
  async (app) => {
    const receiver = startReceiver((request) =>
      request.path === "/broken" ? new Response("boom", { status: 500 }) : new Response('{"received":true}')
    );
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 900 } });
      await page.goto(`${app.url}/webhooks`);
      await page.locator(".empty", { hasText: "No webhooks yet" }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhooks-empty.png`, fullPage: true });

      // Add: a refused URL first, then a good one.
      await page.getByRole("link", { name: "Add webhook" }).first().click();
      await page.fill("#webhook-url", "ftp://example.com/hook");
      await page.getByRole("button", { name: "Add webhook" }).click();
      await page.locator(".field-error", { hasText: "Only http and https" }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-form-error.png`, fullPage: true });
      await page.fill("#webhook-url", `${receiver.url}/hook`);
      await page.uncheck("input[value='*']");
      await page.check("input[value='product.created']");
      await page.getByRole("button", { name: "Add webhook" }).click();
      await page.locator(".alert--success", { hasText: "Webhook added" }).waitFor();

      // The secret is on the page; Test shows the status and the time it took.
      const secret = (await page.locator("#webhook-secret").textContent())!;
      match(secret, /^whsec_/);
      await page.getByRole("button", { name: "Send test event" }).click();
      const result = page.locator(".sent-result");
      await result.waitFor();
      match(await result.textContent() ?? "", /Test event: HTTP 200 in \d+ ms/);
      equal(receiver.on("/hook").length, 1);
      const [test] = receiver.on("/hook");
      new Webhook(secret).verify(test.body, Object.fromEntries(test.headers));

      // A product created in the admin reaches the receiver and shows in the log.
      await page.goto(`${app.url}/products/new`);
      await page.fill("#product-sku", "WEB-1");
      await page.fill("#product-name", "Webhook widget");
      await page.getByRole("button", { name: "Create product" }).click();
      await receiver.waitFor("/hook", 2);
      equal(JSON.parse(receiver.on("/hook")[1].body).type, "product.created");
      await page.goto(`${app.url}/webhooks`);
      await page.getByRole("link", { name: `${receiver.url}/hook` }).click();
      await page.locator(".log-table tbody tr", { hasText: "product.created" }).waitFor();
      equal(await page.locator(".log-table tbody tr").count(), 2);
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-detail.png`, fullPage: true });

      // Redeliver from the log.
      await page.locator(".log-table tbody tr", { hasText: "product.created" }).getByRole("button", {
        name: "Redeliver",
      }).click();
      await page.locator(".sent-result", { hasText: "Redelivery of product.created: HTTP 200" }).waitFor();
      equal(receiver.on("/hook").length, 3);

      // Edit to a failing endpoint; a failed test names the status and shows the response.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.fill("#webhook-url", `${receiver.url}/broken`);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.locator(".alert--success", { hasText: "Webhook saved" }).waitFor();
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.locator(".sent-result.alert--error", { hasText: "HTTP 500" }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-test-failed.png`, fullPage: true });

      // Turn off, then the list shows it off.
      await page.getByRole("button", { name: "Turn off" }).click();
      await page.locator(".alert--success", { hasText: "turned off" }).waitFor();
      await page.goto(`${app.url}/webhooks`);
      ok((await page.locator("tbody tr").textContent())!.includes("Off"));
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhooks-list.png`, fullPage: true });

      // Delete, confirmed inline.
      await page.getByRole("link", { name: `${receiver.url}/broken` }).click();
      await page.getByRole("button", { name: "Delete webhook" }).click();
      await page.getByRole("button", { name: "Yes, delete" }).click();
      await page.locator(".alert--success", { hasText: "Webhook deleted" }).waitFor();
      await page.locator(".empty", { hasText: "No webhooks yet" }).waitFor();
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);
