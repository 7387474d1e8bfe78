/**
 * Every page of the admin, with real data behind it, for the checks that must hold on all of them
 * (layout, accessibility, screenshots). One app starts with no account: the signed-out pages (sign-in,
 * first-admin setup) are checked first, then the setup link is redeemed as the test admin, data is
 * created through the API and the forms, and the signed-in pages are checked.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { offerSetupLink } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import {
  apiJson,
  fetchWithDeadline,
  importCsv,
  readBody,
  readProgress,
  signIn,
  startTestApp,
  TEST_ADMIN,
  type TestApp,
  waitUntil,
  withCleanup,
} from "../helpers/test_app.ts";
import { startReceiver, type WebhookReceiver } from "../helpers/webhook_receiver.ts";
import { launchBrowser } from "./browser.ts";

/** One page to check: a name for messages and file names, its path, and the status it answers with. */
export interface AppPage {
  name: string;
  path: string;
  status: number;
}

/** The phone and desktop sizes every page is checked at. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Where the pages are, and who looks at them: nobody, or the signed-in admin (its session cookie). */
export interface Visitor {
  baseUrl: string;
  cookie: { name: string; value: string } | null;
}

/** Checks a group of pages (all signed out, or all signed in) in the browser. */
export type PageCheck = (browser: Browser, pages: AppPage[], visitor: Visitor) => Promise<void>;

/** Lets the islands hydrate and run their first effects (Preact runs effects after the next frame). */
export async function settled(page: Page): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
  }
}

/** A browser context for `visitor` at `viewport`, with or without JavaScript. */
export async function contextFor(
  browser: Browser,
  visitor: Visitor,
  options: { viewport: { width: number; height: number }; javaScriptEnabled: boolean },
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  if (visitor.cookie) await context.addCookies([{ ...visitor.cookie, url: visitor.baseUrl }]);
  return context;
}

/** A product description long enough to wrap, as real catalogs have. */
const LONG_TEXT =
  "Hand-finished walnut kettle with a brushed steel base, a whistle that can be turned off, " +
  "and a two-year warranty. Fits every induction hob; dishwasher-safe lid; replacement parts on request.";

function catalogCsv(): string {
  const rows = ["sku,name,description,price,active"];
  for (let i = 1; i <= 30; i++) {
    const sku = `LAYOUT-${String(i).padStart(3, "0")}`;
    const name = i === 3
      ? "An unusually long product name that goes on and on to test wrapping in cells"
      : `Kettle ${i}`;
    rows.push(`${sku},${name},"${LONG_TEXT}",${(i * 3.25).toFixed(2)},${i % 4 !== 0}`);
  }
  rows.push("ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-A-VERY-LONG-SKU-WITHOUT-SPACES,Long SKU,,1.00,true");
  // Rows the import refuses, so the job reports failures.
  rows.push(",No SKU here,,1.00,true", "LAYOUT-BAD-1,Bad price,,-5,true", "LAYOUT-BAD-2,,No name,2.00,true");
  return rows.join("\n") + "\n";
}

async function pageIdsWhere(app: TestApp, sql: string): Promise<number> {
  const rows = await app.db.sql.unsafe(sql);
  if (rows.length === 0) throw new Error(`no row for: ${sql}`);
  return Number(rows[0].id);
}

/** Creates what the signed-in pages show, and returns those pages. */
async function seed(app: TestApp, receiver: WebhookReceiver): Promise<AppPage[]> {
  // A delete-all job first (on a small table), so its progress page exists.
  await importCsv(app, "sku,name\nGONE-1,Soon gone\nGONE-2,Also gone\n", "first.csv");
  const bulk = await apiJson(app, "DELETE", "/api/products/bulk");
  if (bulk.status !== 202) throw new Error(`delete-all answered ${bulk.status}`);
  await readProgress(app, bulk.body.task_id);

  const { job } = await importCsv(app, catalogCsv(), "spring-catalog-with-a-long-file-name-2026.csv");
  const failed = await importCsv(app, "name,price\nNo SKU column,1.00\n", "no-sku.csv");

  const hook = await apiJson(app, "POST", "/api/webhooks", {
    url: `${receiver.url}/hooks/acme-product-events/receive?source=importer&verbose=true`,
    event_types: ["product.created", "product.updated", "import.completed"],
  });
  if (hook.status !== 201) throw new Error(`creating a webhook answered ${hook.status}`);
  const off = await apiJson(app, "POST", "/api/webhooks", {
    url: `${receiver.url}/off`,
    event_types: ["*"],
    enabled: false,
  });
  if (off.status !== 201) throw new Error(`creating a webhook answered ${off.status}`);
  await apiJson(app, "POST", `/api/webhooks/${hook.body.id}/test`);
  await apiJson(app, "POST", "/api/products", {
    sku: "HOOKED-1",
    name: "Sent to the webhook",
    price: "9.99",
  });
  await waitUntil("a product.created delivery attempt", async () => {
    const logs = await apiJson(app, "GET", `/api/webhooks/${hook.body.id}/logs`);
    return Array.isArray(logs.body) && logs.body.length >= 2;
  });

  const session = await signIn(app);
  const viewer = await session.fetch("/settings/users", {
    method: "POST",
    body: new URLSearchParams({
      _csrf: session.csrfToken,
      email: "viewer@example.com",
      password: "a viewer password",
      role: "viewer",
    }),
    redirect: "manual",
  });
  await readBody(viewer);
  if (viewer.status !== 303) throw new Error(`adding a viewer answered ${viewer.status}`);

  // A file waiting at its preview (step one of an import, as the form without JavaScript sends it).
  const upload = new FormData();
  upload.append(
    "file",
    new Blob([
      "Product code,name,Colour,price\nPREV-1,Walnut kettle,brown,12.50\nPREV-2,Oak tray,natural,8\n",
    ]),
    "supplier-feed.csv",
  );
  const previewed = await session.fetch(`/imports?_csrf=${session.csrfToken}`, {
    method: "POST",
    body: upload,
    redirect: "manual",
  });
  await readBody(previewed);
  const previewPath = previewed.headers.get("location");
  if (previewed.status !== 303 || !previewPath) {
    throw new Error(`uploading for a preview answered ${previewed.status}`);
  }

  // A bulk action run as a job (the API always runs one), so its progress page exists.
  const bulkAction = await apiJson(app, "POST", "/api/products/bulk", {
    action: "deactivate",
    filter: { search: "kettle 2" },
  });
  if (bulkAction.status !== 202) throw new Error(`a bulk action answered ${bulkAction.status}`);
  await readProgress(app, bulkAction.body.task_id);

  const attemptId = await pageIdsWhere(
    app,
    `SELECT id FROM webhook_logs WHERE webhook_id = ${Number(hook.body.id)} ORDER BY id DESC LIMIT 1`,
  );
  const productId = await pageIdsWhere(app, "SELECT id FROM products WHERE sku = 'LAYOUT-003'");
  const tokenId = await pageIdsWhere(app, "SELECT id FROM api_tokens ORDER BY id LIMIT 1");
  const viewerId = await pageIdsWhere(app, "SELECT id FROM users WHERE email = 'viewer@example.com'");
  const ok = (name: string, path: string): AppPage => ({ name, path, status: 200 });
  return [
    ok("products", "/"),
    ok("products-filtered", "/?search=kettle&active=true&price_min=3&sort=price"),
    { name: "products-bad-filter", path: "/?price_min=abc", status: 400 },
    ok("product-new", "/products/new"),
    ok("product-edit", `/products/${productId}`),
    ok("product-delete", `/products/${productId}/delete`),
    ok("delete-all", "/products/delete-all"),
    ok("delete-all-progress", `/products/delete-all/${bulk.body.task_id}`),
    ok(
      "bulk-confirm",
      "/products/bulk?action=deactivate&scope=matching&search=kettle&return=%2F%3Fsearch%3Dkettle",
    ),
    ok("bulk-progress", `/products/bulk/${bulkAction.body.task_id}?return=%2F`),
    ok("imports", "/imports"),
    ok("import-done", `/imports/${job.id}`),
    ok("import-failed", `/imports/${failed.job.id}`),
    ok("import-preview", previewPath),
    ok("webhooks", "/webhooks"),
    ok("webhook-new", "/webhooks/new"),
    ok("webhook", `/webhooks/${hook.body.id}`),
    ok("webhook-off", `/webhooks/${off.body.id}`),
    ok("webhook-attempt", `/webhooks/${hook.body.id}/attempts/${attemptId}`),
    ok("webhook-edit", `/webhooks/${hook.body.id}/edit`),
    ok("webhook-rotate", `/webhooks/${hook.body.id}/rotate-secret`),
    ok("webhook-delete", `/webhooks/${hook.body.id}/delete`),
    ok("tokens", "/settings/tokens"),
    ok("token-revoke", `/settings/tokens/${tokenId}/revoke`),
    ok("users", "/settings/users"),
    ok("user", `/settings/users/${viewerId}`),
    ok("user-remove", `/settings/users/${viewerId}/remove`),
    ok("password", "/settings/password"),
    ok("audit", "/settings/audit"),
    { name: "not-found", path: "/no-such-page", status: 404 },
  ];
}

/**
 * Runs `check` on the signed-out pages, then on every signed-in page, of one app with real data.
 * The browser, the receiver and the app are closed afterwards, even on failure.
 */
export async function checkEveryPage(check: PageCheck): Promise<void> {
  const app = await startTestApp({ ADMIN_EMAIL: "", ADMIN_PASSWORD: "", WEBHOOK_ALLOW_PRIVATE: "true" });
  const receiver = startReceiver((_, nth) =>
    new Response(nth % 2 ? "accepted" : "try later", {
      status: nth % 2 ? 200 : 503,
    })
  );
  let browser: Browser | undefined;
  await withCleanup(async () => {
    browser = await launchBrowser();
    const secret = await offerSetupLink(queryBuilder(app.db.sql));
    if (!secret) throw new Error("a fresh app offered no setup link");
    await check(browser, [
      { name: "login", path: "/login", status: 200 },
      { name: "setup", path: `/setup/${secret}`, status: 200 },
    ], { baseUrl: app.url, cookie: null });

    const setup = await fetchWithDeadline(`${app.url}/setup/${secret}`, {
      method: "POST",
      headers: { origin: app.url },
      body: new URLSearchParams(TEST_ADMIN),
      redirect: "manual",
    });
    await readBody(setup);
    if (setup.status !== 303) throw new Error(`redeeming the setup link answered ${setup.status}`);

    const pages = await seed(app, receiver);
    const session = await signIn(app);
    const split = session.cookie.indexOf("=");
    const cookie = { name: session.cookie.slice(0, split), value: session.cookie.slice(split + 1) };
    await check(browser, pages, { baseUrl: app.url, cookie });
  }, () => [
    ["close the browser", () => browser?.close()],
    ["stop the receiver", () => receiver.close()],
    ["stop the app", () => app.stop()],
  ]);
}
