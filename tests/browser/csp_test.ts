import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { apiJson, appTest, importCsv } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

/** Collects every CSP violation a page reports, as events and as console messages, across navigations. */
async function watchPolicy(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.exposeFunction("reportPolicyViolation", (text: string) => problems.push(`event: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (globalThis as unknown as { reportPolicyViolation(text: string): void }).reportPolicyViolation(
        `${location.pathname}: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`,
      );
    });
  });
  page.on("console", (message) => {
    if (/content.security.policy|\bCSP\b|refused to/i.test(message.text())) {
      problems.push(`console ${message.type()} on ${page.url()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  return problems;
}

appTest(
  "in the browser, every page runs under the Content-Security-Policy with no violation and islands hydrate",
  async (app) => {
    const receiver = startReceiver();
    const browser = await launchBrowser();
    try {
      const { job } = await importCsv(
        app,
        "sku,name,description,price,active\nCSP-1,Policy one,First,1.50,true\nCSP-2,Policy two,,,false\n",
      );
      const products = await apiJson(app, "GET", "/api/products?sort=sku");
      const productId = products.body.items[0].id;
      const webhook = await apiJson(app, "POST", "/api/webhooks", {
        url: `${receiver.url}/hook`,
        event_types: ["product.created"],
      });
      equal(webhook.status, 201);
      const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 900 } });
      const problems = await watchPolicy(page);
      const visit = async (path: string, hydrated: () => Promise<unknown>) => {
        const response = await page.goto(`${app.url}${path}`);
        ok(
          response?.headers()["content-security-policy"]?.includes("script-src 'self'"),
          `${path}: has a CSP`,
        );
        await hydrated();
      };

      // Products: ConfirmSubmit replaces its link with a button, and asks inline.
      await visit(
        "/",
        () => page.locator("tbody .row-actions button", { hasText: "Delete" }).first().waitFor(),
      );
      await page.locator("tbody .row-actions button", { hasText: "Delete" }).first().click();
      await page.getByRole("button", { name: "Yes, delete" }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS_DIR}csp-products.png`, fullPage: true });

      await visit(
        `/products/${productId}`,
        () => page.getByRole("button", { name: "Delete product" }).waitFor(),
      );
      await page.fill("#product-price", "1.999");
      await page.locator("#product-price-error").waitFor();
      await visit("/products/new", () => page.locator("#product-sku").waitFor());

      await visit("/imports", () => page.locator("table", { hasText: "products.csv" }).waitFor());

      // A finished import: the bar is full without any style attribute.
      await visit(`/imports/${job.id}`, () => page.locator(".progress-card[data-status=complete]").waitFor());
      const bar = await page.locator(".progress-card progress").evaluate((element: HTMLProgressElement) => ({
        position: element.position,
        width: element.getBoundingClientRect().width,
        styled: element.hasAttribute("style"),
      }));
      equal(bar.position, 1, "the bar is full");
      ok(bar.width > 100, "the bar is drawn across the card");
      equal(bar.styled, false);
      await page.screenshot({ path: `${ARTIFACTS_DIR}csp-import-done.png`, fullPage: true });

      await visit("/webhooks", () => page.locator("table", { hasText: "/hook" }).waitFor());
      await visit(
        `/webhooks/${webhook.body.id}`,
        () => page.getByRole("button", { name: "Delete webhook" }).waitFor(),
      );
      await visit("/webhooks/new", () => page.locator("form").first().waitFor());
      await visit(`/webhooks/${webhook.body.id}/edit`, () => page.locator("form").first().waitFor());
      await visit("/no-such-page", () => page.getByRole("heading", { name: "Not found" }).waitFor());

      // Delete all: the island waits for the typed count, then follows the job live over EventSource.
      await visit(
        "/products/delete-all",
        () =>
          page.waitForFunction(() =>
            document.querySelector<HTMLButtonElement>(".danger-zone button")?.disabled
          ),
      );
      await page.fill("#confirm-delete-all", "2");
      await page.getByRole("button", { name: "Delete all products" }).click();
      await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${ARTIFACTS_DIR}csp-delete-all-done.png`, fullPage: true });

      deepStrictEqual(problems, []);
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);
