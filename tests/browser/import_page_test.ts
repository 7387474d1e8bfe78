import { Buffer } from "node:buffer";
import { equal, match, ok } from "node:assert/strict";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { appTest } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

const fixture = productsFixture(150_000);
const csvWithOneBadRow = fixture.csv + "Broken row without sku,,x\n";

appTest("in the browser, an uploaded CSV's progress bar moves live to done", async (app) => {
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, app, { viewport: { width: 1200, height: 900 } });
    // Record every value the progress bar shows, to prove it moves rather than jumping to the end.
    await page.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(globalThis, { progressSeen: seen });
      new MutationObserver(() => {
        const value = document.querySelector(".progress-card [role=progressbar]")?.getAttribute(
          "aria-valuenow",
        );
        if (value && seen.at(-1) !== value) seen.push(value);
      }).observe(document, { subtree: true, attributes: true, childList: true });
    });
    await page.goto(`${app.url}/imports`);
    await page.getByText("No imports yet").waitFor();
    await page.screenshot({ path: `${ARTIFACTS_DIR}imports-empty.png`, fullPage: true });

    await page.setInputFiles("input[name=file]", {
      name: "catalog.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csvWithOneBadRow),
    });
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.waitForURL(/\/imports\/preview\//);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);

    const card = page.locator(".progress-card");
    await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 120_000 });
    equal(await page.locator(".progress-percent").textContent(), "100%");
    const seen = await page.evaluate(() =>
      (globalThis as unknown as { progressSeen: string[] }).progressSeen
    );
    ok(seen.some((value) => Number(value) > 0 && Number(value) < 100), `the bar moved: ${seen.join(", ")}`);
    equal(await page.getByRole("progressbar").getAttribute("aria-valuenow"), "100");
    match(await card.textContent() ?? "", /Completed with 1 error/);
    match(await page.locator(".stat", { hasText: "New" }).textContent() ?? "", /135,000/);
    const download = page.getByRole("link", { name: /Download the 1 failed rows/ });
    await download.waitFor();
    await page.waitForTimeout(400); // let the bar's CSS transition finish before the screenshot
    await page.screenshot({ path: `${ARTIFACTS_DIR}import-done.png`, fullPage: true });

    // A second visit shows the same truth.
    await page.goto(`${app.url}/imports`);
    match(await page.locator("table").textContent() ?? "", /catalog\.csv/);
    await page.screenshot({ path: `${ARTIFACTS_DIR}imports-history.png`, fullPage: true });
  } finally {
    await browser.close();
  }
}, { IMPORT_BATCH_SIZE: "2000" });

appTest("without JavaScript the form still uploads and the job page shows the state", async (app) => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await signedInPage(context, app);
    await page.goto(`${app.url}/imports`);
    await page.setInputFiles("input[name=file]", {
      name: "nojs.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("name,sku\nPlain form,pf-1\n"),
    });
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.waitForURL(/\/imports\/preview\//);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    // The page refreshes itself (a <noscript> meta refresh) until the import is done.
    await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
    match(await page.locator(".progress-card").textContent() ?? "", /Imported 1 rows/);
    await page.screenshot({ path: `${ARTIFACTS_DIR}import-done-nojs.png`, fullPage: true });

    // An upload error is shown on the page, in words.
    await page.goto(`${app.url}/imports`);
    await page.setInputFiles("input[name=file]", {
      name: "empty.csv",
      mimeType: "text/csv",
      buffer: Buffer.alloc(0),
    });
    await page.getByRole("button", { name: "Upload and preview" }).click();
    match(await page.locator(".alert--error").textContent() ?? "", /The uploaded file is empty/);
  } finally {
    await browser.close();
  }
});
