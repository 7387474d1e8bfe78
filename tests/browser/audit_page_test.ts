import { equal, match } from "node:assert/strict";
import { apiJson, appTest, uploadCsv } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

appTest("in the browser, an admin reads the audit log and pages to older entries", async (app) => {
  for (let n = 1; n <= 3; n++) {
    equal(
      (await apiJson(app, "POST", "/api/products", { sku: `AUD-${n}`, name: `Kettle ${n}` })).status,
      201,
    );
  }
  equal((await uploadCsv(app, "sku,name\nX-1,One\n", "spring catalog.csv")).status, 202);
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 800 } });
    // Changes through the page are named by the admin's email.
    await page.goto(`${app.url}/products/new`);
    await page.fill("#product-sku", "FORM-1");
    await page.fill("#product-name", "Teapot");
    await page.getByRole("button", { name: "Create product" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    await page.goto(`${app.url}/settings/audit?limit=4`);
    const rows = page.locator(".audit-table tbody tr");
    equal(await rows.count(), 4);
    match(await rows.first().textContent() ?? "", /admin@example\.com.*product\.created.*FORM-1/);
    match(
      await rows.nth(1).textContent() ?? "",
      /API token tests \(write\).*import\.started.*spring catalog\.csv/,
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}audit-log.png`, fullPage: true });

    await page.getByRole("link", { name: "Older" }).click();
    await page.locator(".audit-table", { hasText: "AUD-1" }).waitFor();
    equal(await rows.count(), 1);
  } finally {
    await browser.close();
  }
});
