import { Buffer } from "node:buffer";
import { equal, match, ok } from "node:assert/strict";
import { apiJson, appTest, importCsv } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

appTest("in the browser, every page's islands hydrate in place of their server HTML", async (app) => {
  const receiver = startReceiver();
  const browser = await launchBrowser();
  try {
    await importCsv(
      app,
      "sku,name,description,price,active\nISL-1,Island one,First,1.50,true\nISL-2,Island two,,,false\n",
    );
    const created = await apiJson(app, "POST", "/api/webhooks", {
      url: `${receiver.url}/hook`,
      event_types: ["product.created"],
    });
    equal(created.status, 201);
    const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 900 } });

    // Hydrated, ConfirmSubmit swaps its no-JavaScript link for a button.
    await page.goto(app.url);
    await page.locator("tbody .row-actions button", { hasText: "Delete" }).first().waitFor();
    equal(await page.locator("tbody .row-actions a", { hasText: "Delete" }).count(), 0);
    await page.screenshot({ path: `${ARTIFACTS_DIR}islands-products.png`, fullPage: true });

    // The edit form checks as the user types, with the server's own message.
    await page.getByRole("link", { name: "ISL-1" }).click();
    await page.getByRole("button", { name: "Delete product" }).waitFor();
    await page.fill("#product-price", "1.999");
    match(
      await page.locator("#product-price-error").textContent() ?? "",
      /^Enter a price from 0 to 99999999\.99 with at most 2 decimals/,
    );
    await page.fill("#product-name", "");
    equal(await page.locator("#product-name-error").textContent(), "Enter a name");
    await page.screenshot({ path: `${ARTIFACTS_DIR}islands-product-invalid.png`, fullPage: true });

    await page.goto(`${app.url}/imports`);
    await page.locator("table", { hasText: "products.csv" }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS_DIR}islands-imports.png`, fullPage: true });

    await page.goto(`${app.url}/webhooks/${created.body.id}`);
    await page.getByRole("button", { name: "Delete webhook" }).waitFor();
    ok(await page.getByRole("button", { name: "Send test event" }).isEnabled());
    await page.screenshot({ path: `${ARTIFACTS_DIR}islands-webhook.png`, fullPage: true });
  } finally {
    await browser.close();
    await receiver.close();
  }
}, { WEBHOOK_ALLOW_PRIVATE: "true" });

appTest(
  "in the browser, an upload the server refuses with an HTML page shows the error and frees the form",
  async (app) => {
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app, { viewport: { width: 1200, height: 900 } });
      // Stands in for a reverse proxy that refuses the body before the app sees it.
      await page.route("**/api/imports/previews", (route) =>
        route.fulfill({
          status: 413,
          contentType: "text/html",
          body: "<html>Request Entity Too Large</html>",
        }));
      await page.goto(`${app.url}/imports`);
      await page.setInputFiles("input[name=file]", {
        name: "small.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("name,sku\nSmall,sm-1\n"),
      });
      await page.getByRole("button", { name: "Upload and preview" }).click();
      const alert = page.locator(".upload-form .alert--error");
      await alert.waitFor({ timeout: 5_000 });
      const text = await alert.textContent() ?? "";
      match(text, /The upload failed \(HTTP 413/);
      match(text, /larger than the server accepts/);
      equal(await page.locator(".upload-form [role=progressbar]").count(), 0);
      ok(await page.getByRole("button", { name: "Upload and preview" }).isEnabled());
      ok(await page.locator("input[name=file]").isEnabled());
      await page.screenshot({ path: `${ARTIFACTS_DIR}upload-413.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
