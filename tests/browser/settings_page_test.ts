import { Buffer } from "node:buffer";
import { equal, match, ok } from "node:assert/strict";
import { createUser } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import { appTest } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

const CSV = "sku,name,description,price\nSET-1,First,One,1.50\nSET-2,Second,Two,2.50\nSET-3,Third,,\n";

appTest(
  "in the browser, an admin imports a CSV, creates a token seen once, signs out; a viewer sees no change buttons",
  async (app) => {
    await createUser(queryBuilder(app.db.sql), {
      email: "viewer@example.com",
      password: "viewer password",
      role: "viewer",
    });
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app, { viewport: { width: 1200, height: 900 } });
      await page.goto(`${app.url}/imports`);
      await page.setInputFiles("input[name=file]", {
        name: "small.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(CSV),
      });
      await page.getByRole("button", { name: "Upload and preview" }).click();
      await page.waitForURL(/\/imports\/preview\//);
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
      await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
      match(await page.locator(".stat", { hasText: "New" }).textContent() ?? "", /3/);

      await page.getByRole("link", { name: "Settings" }).click();
      await page.waitForURL(/\/settings\/tokens$/);
      await page.fill("#token-name", "Nightly ERP sync");
      await page.selectOption("#token-scope", "write");
      await page.getByRole("button", { name: "Create token" }).click();
      const shown = page.locator("#new-token");
      match(await shown.textContent() ?? "", /^acme_/);
      await page.screenshot({ path: `${ARTIFACTS_DIR}settings-token-created.png`, fullPage: true });
      const token = (await shown.textContent())!;

      await page.goto(`${app.url}/settings/tokens`);
      match(await page.locator("table").textContent() ?? "", /Nightly ERP sync/);
      equal(await page.locator("#new-token").count(), 0, "the value is not shown again");
      ok(!(await page.content()).includes(token));
      await page.getByRole("row", { name: /Nightly ERP sync/ }).getByRole("button", { name: "Revoke" })
        .click();
      await page.screenshot({ path: `${ARTIFACTS_DIR}settings-tokens-revoke.png`, fullPage: true });
      await page.getByRole("button", { name: "Yes, delete" }).click();
      await page.getByText("Token revoked").waitFor();

      await page.goto(`${app.url}/settings/users`);
      await page.screenshot({ path: `${ARTIFACTS_DIR}settings-users.png`, fullPage: true });
      await page.getByRole("link", { name: "viewer@example.com" }).click();
      await page.screenshot({ path: `${ARTIFACTS_DIR}settings-user.png`, fullPage: true });
      await page.goto(`${app.url}/settings/password`);
      await page.screenshot({ path: `${ARTIFACTS_DIR}settings-password.png`, fullPage: true });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login$/);
      await page.close();

      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const viewer = await context.newPage();
      await viewer.goto(`${app.url}/login`);
      await viewer.fill("#login-email", "viewer@example.com");
      await viewer.fill("#login-password", "viewer password");
      await Promise.all([viewer.waitForURL(`${app.url}/`), viewer.click("button[type=submit]")]);
      await viewer.getByText("SET-1").waitFor();
      // Let the islands hydrate: a viewer's ConfirmSubmit must not appear then either.
      await viewer.waitForLoadState("networkidle");
      equal(await viewer.getByRole("button", { name: "Delete" }).count(), 0);
      equal(await viewer.getByRole("link", { name: "New product" }).count(), 0);
      equal(await viewer.getByRole("link", { name: /Delete all/ }).count(), 0);
      await viewer.screenshot({ path: `${ARTIFACTS_DIR}products-viewer.png`, fullPage: true });
      await viewer.getByRole("link", { name: "Settings" }).click();
      await viewer.waitForURL(/\/settings\/password$/);
      equal(await viewer.getByRole("link", { name: "People" }).count(), 0);
      await context.close();
    } finally {
      await browser.close();
    }
  },
);
