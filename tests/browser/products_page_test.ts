import { equal, match, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { appTest, importCsv, type TestApp } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

async function seedProducts(app: TestApp, count: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, "0");
    return `SKU-${n},${i % 2 ? "Red" : "Blue"} item ${n},Description of item ${n},${(i + 1).toFixed(2)},${
      i % 3 ? "true" : "false"
    }`;
  });
  const { final } = await importCsv(app, ["sku,name,description,price,active", ...rows].join("\n"));
  equal(final.status, "complete");
}

async function rowSkus(page: Page): Promise<string[]> {
  return await page.locator("tbody tr td a code").allTextContents();
}

appTest(
  "in the browser, products are filtered, paged, created, edited and deleted, then all deleted",
  async (app) => {
    await seedProducts(app, 60);
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 900 } });
      await page.goto(app.url);
      await page.screenshot({ path: `${ARTIFACTS_DIR}products-list.png`, fullPage: true });

      // Filter: the filters land in the URL.
      await page.fill("input[name=search]", "red item");
      await page.selectOption("select[name=active]", "true");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL(/search=red\+item/);
      ok(page.url().includes("active=true"));
      const filtered = await rowSkus(page);
      ok(filtered.length > 0);
      match(await page.locator(".list-head").textContent() ?? "", /products match/);
      for (const name of await page.locator("tbody tr td:nth-child(3)").allTextContents()) {
        match(
          name,
          /^Red item/,
        );
      }

      // Page: 25 a page, sorted by SKU, next page.
      await page.goto(`${app.url}/?sort=sku&limit=25`);
      equal((await rowSkus(page))[0], "SKU-001");
      await page.getByRole("link", { name: "Next ›" }).click();
      await page.waitForURL(/page=2/);
      equal((await rowSkus(page))[0], "SKU-026");
      match(await page.locator(".pager").textContent() ?? "", /Page 2 of 3/);

      // Create, with instant feedback on a bad price.
      await page.goto(`${app.url}/products/new`);
      await page.fill("#product-sku", "NEW-1");
      await page.fill("#product-name", "Brand new");
      await page.fill("#product-price", "12.345");
      await page.locator(".field-error", { hasText: "at most 2 decimals" }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS_DIR}product-new-invalid.png`, fullPage: true });
      await page.fill("#product-price", "12.34");
      equal(await page.locator(".field-error").count(), 0);
      await page.getByRole("button", { name: "Create product" }).click();
      await page.waitForURL(/notice=created/);
      match(await page.locator(".alert--success").textContent() ?? "", /Product created/);
      deepRow(await rowSkus(page), ["NEW-1"]);

      // Edit: toggle active off.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.uncheck("input[name=active]");
      await page.fill("#product-name", "Renamed");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(/notice=updated/);
      equal(await page.isChecked("input[name=active]"), false);
      equal(await page.inputValue("#product-name"), "Renamed");

      // Delete one, confirming inline.
      await page.goto(`${app.url}/?search=NEW-1`);
      await page.getByRole("button", { name: "Delete", exact: true }).click();
      await page.getByRole("button", { name: "Yes, delete" }).click();
      await page.waitForURL(/notice=deleted/);
      match(await page.locator(".alert--success").textContent() ?? "", /Deleted NEW-1 \(“Renamed”\)\./);
      equal(new URL(page.url()).searchParams.get("search"), "NEW-1", "the search stays");

      // Delete all: the button waits for the typed confirmation, then progress runs to done.
      await page.goto(app.url);
      await page.getByRole("link", { name: "Delete all 60…" }).click();
      const button = page.getByRole("button", { name: "Delete all products" });
      await page.waitForFunction(() =>
        document.querySelector<HTMLButtonElement>(".danger-zone button")?.disabled
      );
      await page.fill("#confirm-delete-all", "60");
      ok(await button.isEnabled());
      await button.click();
      await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
      match(await page.locator(".progress-card").textContent() ?? "", /Deleted 60 products/);
      await page.screenshot({ path: `${ARTIFACTS_DIR}delete-all-done.png`, fullPage: true });
      await page.getByRole("link", { name: "Back to products" }).click();
      match(await page.locator(".empty").textContent() ?? "", /No products yet/);
      await page.screenshot({ path: `${ARTIFACTS_DIR}products-empty.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  },
);

function deepRow(actual: string[], expected: string[]) {
  equal(JSON.stringify(actual), JSON.stringify(expected));
}

appTest(
  "without JavaScript, create, edit and delete work as plain forms, and a SKU clash keeps the input",
  async (app) => {
    await seedProducts(app, 3);
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await signedInPage(context, app);

      // A clash with an existing SKU in another case: 409, message next to the field, input kept.
      await page.goto(`${app.url}/products/new`);
      await page.fill("#product-sku", "sku-001");
      await page.fill("#product-name", "Typed name");
      await page.fill("#product-description", "Typed description");
      await page.getByRole("button", { name: "Create product" }).click();
      match(await page.locator(".field-error").textContent() ?? "", /already used/);
      equal(await page.inputValue("#product-name"), "Typed name");
      equal(await page.inputValue("#product-description"), "Typed description");
      await page.screenshot({ path: `${ARTIFACTS_DIR}product-conflict-nojs.png`, fullPage: true });

      // Server-side validation shows next to the field.
      await page.fill("#product-sku", "NOJS-1");
      await page.fill("#product-price", "-3");
      await page.getByRole("button", { name: "Create product" }).click();
      match(await page.locator(".field--invalid .field-error").textContent() ?? "", /price from 0/);
      await page.fill("#product-price", "3");
      await page.getByRole("button", { name: "Create product" }).click();
      await page.waitForURL(/notice=created/);

      // Edit.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.uncheck("input[name=active]");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(/notice=updated/);
      equal(await page.isChecked("input[name=active]"), false);

      // Delete goes through a confirmation page.
      await page.getByRole("link", { name: "Delete product" }).click();
      await page.getByRole("button", { name: "Delete product" }).click();
      await page.waitForURL(/notice=deleted/);
      const [{ count }] = await app.db.sql`SELECT count(*)::int AS count FROM products WHERE sku = 'NOJS-1'`;
      equal(count, 0);
    } finally {
      await browser.close();
    }
  },
);
