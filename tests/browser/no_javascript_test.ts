import { Buffer } from "node:buffer";
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { appTest, fetchWithDeadline, readBody, storedProducts, TEST_ADMIN } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser } from "./browser.ts";

/** Enough rows that the job page is usually first shown before the import ends, and refreshes. */
const ROWS = 3_000;
const CSV = "sku,name,price\n" +
  Array.from({ length: ROWS }, (_, i) => `NOJS-${String(i + 1).padStart(5, "0")},Item ${i + 1},${i % 90}.50`)
    .join("\n") +
  "\n";

appTest(
  "with JavaScript off, a person signs in, imports a CSV and sees it finish, creates a token, signs out",
  async (app) => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({
        javaScriptEnabled: false,
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.setDefaultNavigationTimeout(15_000);

      await page.goto(`${app.url}/imports`);
      equal(new URL(page.url()).pathname, "/login", "signed out, a page leads to the sign-in form");
      await page.fill("#login-email", TEST_ADMIN.email);
      await page.fill("#login-password", TEST_ADMIN.password);
      await Promise.all([page.waitForURL(`${app.url}/imports`), page.click("button[type=submit]")]);
      await page.getByRole("link", { name: "Products" }).click();
      await page.waitForURL(`${app.url}/`);
      await page.getByRole("heading", { name: "Products" }).waitFor();
      match(await page.locator(".account-email").textContent() ?? "", /admin@example\.com/);

      await page.getByRole("link", { name: "Imports" }).click();
      await page.waitForURL(`${app.url}/imports`);
      await page.setInputFiles("input[name=file]", {
        name: "nojs.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(CSV),
      });
      await page.getByRole("button", { name: "Upload and preview" }).click();
      await page.waitForURL(/\/imports\/preview\//);
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
      const jobUrl = page.url();
      const firstStatus = await page.locator(".progress-card").getAttribute("data-status");
      // The job page refreshes itself (a <noscript> meta refresh) only while the import runs.
      const refreshes = await page.locator('meta[http-equiv="refresh"]').count();
      equal(
        refreshes,
        firstStatus === "complete" || firstStatus === "error" ? 0 : 1,
        `first seen ${firstStatus}`,
      );
      let loads = 0;
      page.on("load", () => loads++);
      await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 60_000 });
      equal(page.url(), jobUrl, "the page refreshed in place");
      if (refreshes > 0) ok(loads > 0, "the page reloaded itself until the import ended");
      equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, "a finished job stops refreshing");
      equal(await page.locator(".progress-card .badge").textContent(), "Done");
      equal(await page.locator(".progress-percent").textContent(), "100%");
      const stats = Object.fromEntries(
        await page.locator(".progress-card .stat").evaluateAll((stats) =>
          stats.map((stat) => [stat.querySelector("dt")?.textContent, stat.querySelector("dd")?.textContent])
        ),
      );
      equal(stats["Rows read"], "3,000");
      equal(stats["New"], "3,000");
      equal(stats["Failed"], "0");
      await page.screenshot({ path: `${ARTIFACTS_DIR}nojs-import-done.png`, fullPage: true });
      const stored = await storedProducts(app.db.sql);
      equal(stored.length, ROWS);
      deepEqual(stored[0], {
        sku: "NOJS-00001",
        name: "Item 1",
        description: null,
        price: "0.50",
        active: true,
      });

      await page.getByRole("link", { name: "Products", exact: true }).click();
      await page.waitForURL(`${app.url}/`);
      await page.fill("input[name=search]", "NOJS-00042");
      await Promise.all([page.waitForURL(/search=NOJS-00042/), page.press("input[name=search]", "Enter")]);
      match(await page.locator("table").textContent() ?? "", /NOJS-00042.*Item 42/s);

      await page.getByRole("link", { name: "Settings" }).click();
      await page.waitForURL(`${app.url}/settings/tokens`);
      await page.fill("#token-name", "No-JS sync");
      await page.selectOption("#token-scope", "read");
      await Promise.all([page.waitForURL(`${app.url}/settings/tokens`), page.click("text=Create token")]);
      const token = (await page.locator("#new-token").textContent())!;
      match(token, /^acme_/);
      const api = await fetchWithDeadline(`${app.url}/api/products?search=NOJS-00042`, {
        headers: { authorization: `Bearer ${token}` },
      });
      equal(api.status, 200);
      const listed = JSON.parse(await readBody(api));
      equal(listed.total, 1);
      equal(listed.items[0].sku, "NOJS-00042");
      await page.goto(`${app.url}/settings/tokens`);
      match(await page.locator("table").textContent() ?? "", /No-JS sync/);
      equal(await page.locator("#new-token").count(), 0, "the value is shown once");
      ok(!(await page.content()).includes(token));

      const session = (await context.cookies()).find((cookie) => cookie.name === "session");
      ok(session, "signed in with a session cookie");
      await Promise.all([
        page.waitForURL(/\/login$/),
        page.getByRole("button", { name: "Sign out" }).click(),
      ]);
      for (const path of ["/products", "/"]) {
        await page.goto(`${app.url}${path}`);
        equal(new URL(page.url()).pathname, "/login", `${path} after signing out`);
      }
      const old = await fetchWithDeadline(`${app.url}/`, {
        headers: { cookie: `session=${session.value}` },
        redirect: "manual",
      });
      await readBody(old);
      equal(old.status, 303, "the old session cookie is no longer valid");
      match(old.headers.get("location") ?? "", /^\/login/);

      // A form too large to accept gets a page that says so, on a phone and on a desktop.
      await page.fill("#login-email", TEST_ADMIN.email);
      await page.fill("#login-password", "p".repeat(2 * 1024 * 1024 + 1));
      await Promise.all([page.waitForURL(`${app.url}/login`), page.click("button[type=submit]")]);
      await page.getByRole("heading", { name: "Too large to accept" }).waitFor();
      match(await page.locator(".alert--error").textContent() ?? "", /more than 2 MB/);
      equal((await context.cookies()).some((cookie) => cookie.name === "session"), false);
      await page.screenshot({ path: `${ARTIFACTS_DIR}nojs-form-too-large-1280.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: `${ARTIFACTS_DIR}nojs-form-too-large-390.png`, fullPage: true });
      // Playwright's own evaluation still runs with the page's JavaScript off.
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      ok(width <= 390, `the page is ${width} px wide on a 390 px screen`);
      await context.close();
    } finally {
      await browser.close();
    }
  },
);
