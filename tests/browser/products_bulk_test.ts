import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { appTest, importCsv, readBody, type TestApp } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SIZES = [["desktop", DESKTOP], ["phone", PHONE]] as const;

/** `count` active products SKU-0001…, odd ones "Red item …" and even ones "Blue item …". */
async function seed(app: TestApp, count: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return `SKU-${n},${i % 2 ? "Blue" : "Red"} item ${n},Description of item ${n},${(i + 1).toFixed(2)},true`;
  });
  const { final } = await importCsv(app, ["sku,name,description,price,active", ...rows].join("\n"));
  equal(final.status, "complete", final.message);
}

async function activeOf(app: TestApp, skus: string[]): Promise<boolean[]> {
  const rows = await app.db.sql<{ active: boolean }[]>`
    SELECT active FROM products WHERE sku = ANY(${skus}) ORDER BY sku`;
  return rows.map((row) => row.active);
}

async function withBrowser(fn: (browser: Browser) => Promise<void>) {
  const browser = await launchBrowser();
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS_DIR}${name}.png`, fullPage: true });
}

/** The bulk bar fits its box: nothing in it is pushed out sideways at this width. */
async function barFits(page: Page) {
  const overflow = await page.locator(".bulk-bar").evaluate((bar) => bar.scrollWidth - bar.clientWidth);
  ok(overflow <= 0, `the bulk bar overflows by ${overflow} px`);
}

appTest(
  "ticked products are deactivated through a confirmation, at both widths, and the filter stays",
  async (app) => {
    await seed(app, 30);
    await withBrowser(async (browser) => {
      const rounds = [["desktop", DESKTOP, ["SKU-0001", "SKU-0003"]], ["phone", PHONE, [
        "SKU-0005",
        "SKU-0007",
      ]]] as const;
      for (const [size, viewport, skus] of rounds) {
        const page = await signedInPage(browser, app, { viewport });
        await page.goto(`${app.url}/?search=red&sort=sku&limit=25`);
        for (const sku of skus) await page.getByRole("checkbox", { name: `Select ${sku}` }).check();
        await page.locator(".bulk-bar", { hasText: "Ticked products (2)" }).waitFor();
        await barFits(page);
        await shot(page, `products-bulk-ticked-${size}`);

        await page.getByRole("button", { name: "Deactivate…" }).click();
        await page.waitForURL(/\/products\/bulk\?/);
        equal(await page.locator("h1").textContent(), "Deactivate 2 products?");
        deepStrictEqual(
          await page.locator(".bulk-sample code").allTextContents(),
          [...skus],
        );
        await shot(page, `products-bulk-confirm-${size}`);
        await page.getByRole("button", { name: "Deactivate 2 products" }).click();

        await page.waitForURL(/notice=bulk/);
        const url = new URL(page.url());
        equal(url.searchParams.get("search"), "red", "the list keeps its search");
        equal(url.searchParams.get("sort"), "sku");
        equal(await page.inputValue("#filter-search"), "red");
        match(await page.locator(".alert--success").textContent() ?? "", /Deactivated 2 products\./);
        deepStrictEqual(await activeOf(app, [...skus]), [false, false]);
        await shot(page, `products-bulk-done-${size}`);
        await page.close();
      }
    });
  },
);

appTest("without JavaScript, ticking rows and confirming on a page deactivates them", async (app) => {
  await seed(app, 6);
  await withBrowser(async (browser) => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await signedInPage(context, app);
    await page.goto(`${app.url}/?search=blue`);
    await page.getByRole("checkbox", { name: "Select SKU-0002" }).check();
    await page.getByRole("checkbox", { name: "Select SKU-0004" }).check();
    await shot(page, "products-bulk-nojs-phone");
    await page.getByRole("button", { name: "Deactivate…" }).click();
    equal(await page.locator("h1").textContent(), "Deactivate 2 products?");
    await page.getByRole("button", { name: "Deactivate 2 products" }).click();
    await page.waitForURL(/notice=bulk/);
    equal(new URL(page.url()).searchParams.get("search"), "blue");
    match(await page.locator(".alert--success").textContent() ?? "", /Deactivated 2 products\./);
    deepStrictEqual(await activeOf(app, ["SKU-0002", "SKU-0004", "SKU-0006"]), [false, false, true]);

    // Export goes through the same confirmation, which offers the ticked products' CSV.
    await page.getByRole("checkbox", { name: "Select SKU-0006" }).check();
    await page.getByRole("button", { name: "Export…" }).click();
    equal(await page.locator("h1").textContent(), "Export 1 product?");
    const download = page.getByRole("link", { name: "Download 1 product (CSV)" });
    const csv = await readBody(await app.fetch((await download.getAttribute("href"))!));
    match(csv, /^sku,name,description,price,active\r\nSKU-0006,Blue item 0006,/);

    // Nothing ticked: the confirmation says what to do instead, and leads back to the same list.
    await page.goto(`${app.url}/?search=blue`);
    await page.getByRole("button", { name: "Activate…", exact: true }).click();
    match(await page.locator(".alert--error").textContent() ?? "", /Tick at least one product/);
    await page.getByRole("link", { name: "Back to products" }).click();
    equal(new URL(page.url()).searchParams.get("search"), "blue");
  });
});

appTest("all products matching a filter are deleted as a job whose progress runs to done", async (app) => {
  // Under the count cap (COUNT_CAP), so the page can say exactly how many match.
  await seed(app, 1_600);
  await withBrowser(async (browser) => {
    const page = await signedInPage(browser, app, { viewport: DESKTOP });
    await page.goto(`${app.url}/?search=red+item`);
    // "Delete all…" says what it deletes: the matches, with their count.
    const deleteAll = page.getByRole("link", { name: "Delete all 800 matching…" });
    ok(await deleteAll.isVisible());
    await page.getByRole("radio", { name: "All 800 matching products" }).check();
    await page.getByRole("button", { name: "Delete…" }).click();
    equal(await page.locator("h1").textContent(), "Delete 800 products?");
    match(await page.locator("form.card").textContent() ?? "", /all products matching search "red item"/);
    await shot(page, "products-bulk-delete-confirm-desktop");
    await page.getByRole("button", { name: "Delete 800 products" }).click();

    await page.waitForURL(/\/products\/bulk\/[0-9a-f-]{36}/);
    await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 60_000 });
    match(await page.locator(".progress-card").textContent() ?? "", /Deleted 800 products/);
    equal(await page.locator(".progress-card progress").getAttribute("value"), "100");
    await shot(page, "products-bulk-progress-desktop");

    await page.getByRole("link", { name: "Back to products" }).click();
    equal(new URL(page.url()).searchParams.get("search"), "red item");
    match(await page.locator(".empty").textContent() ?? "", /No products match these filters/);
    const [{ red, blue }] = await app.db.sql`
      SELECT count(*) FILTER (WHERE name LIKE 'Red%')::int AS red,
        count(*) FILTER (WHERE name LIKE 'Blue%')::int AS blue FROM products`;
    deepStrictEqual([red, blue], [0, 800]);

    // Without JavaScript the progress page refreshes itself until the job is done.
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const plain = await signedInPage(context, app);
    await plain.goto(`${app.url}/?search=blue`);
    await plain.getByRole("link", { name: "Delete all 800 matching…" }).click();
    equal(await plain.locator("h1").textContent(), "Delete 800 products?");
    await shot(plain, "products-bulk-delete-confirm-phone");
    await plain.getByRole("button", { name: "Delete 800 products" }).click();
    await plain.locator(".progress-card[data-status=complete]").waitFor({ timeout: 60_000 });
    await shot(plain, "products-bulk-progress-phone");
    const [{ left }] = await app.db.sql`SELECT count(*)::int AS left FROM products`;
    equal(left, 0);
  });
});

appTest(
  "a deleted product is named with an Undo that restores it as it was, and the search stays",
  async (app) => {
    await seed(app, 12);
    const [before] = await app.db.sql`SELECT * FROM products WHERE sku = 'SKU-0005'`;
    await withBrowser(async (browser) => {
      for (const [size, viewport] of SIZES) {
        const page = await signedInPage(browser, app, { viewport });
        await page.goto(`${app.url}/?search=sku-000&sort=sku`);
        const row = page.locator("tr", { hasText: "SKU-0005" });
        await row.getByRole("button", { name: "Delete" }).click();
        // The inline question shows all of itself: "No" is inside the table's visible box.
        const no = row.getByRole("button", { name: "No" });
        await no.scrollIntoViewIfNeeded();
        const [box, frame] = [await no.boundingBox(), await page.locator(".table-wrap").boundingBox()];
        ok(
          box && frame && box.x >= frame.x && box.x + box.width <= frame.x + frame.width + 0.5,
          "No is not clipped",
        );
        await shot(page, `products-delete-inline-${size}`);
        await row.getByRole("button", { name: "Yes, delete" }).click();

        await page.waitForURL(/notice=deleted/);
        equal(new URL(page.url()).searchParams.get("search"), "sku-000");
        match(
          await page.locator(".notice-bar").textContent() ?? "",
          /Deleted SKU-0005 \(“Red item 0005”\)\./,
        );
        equal(await page.locator("tbody tr", { hasText: "SKU-0005" }).count(), 0);
        await shot(page, `products-deleted-undo-${size}`);
        await page.getByRole("button", { name: "Undo" }).click();

        await page.waitForURL(/notice=restored/);
        equal(new URL(page.url()).searchParams.get("search"), "sku-000");
        match(await page.locator(".notice-bar").textContent() ?? "", /Restored SKU-0005/);
        const [after] = await app.db.sql`SELECT * FROM products WHERE sku = 'SKU-0005'`;
        deepStrictEqual(after, before, "same id, SKU, fields and timestamps");
        await page.close();
      }

      // Without JavaScript: Delete leads to a confirmation page that returns to the same list.
      const context = await browser.newContext({ javaScriptEnabled: false });
      const plain = await signedInPage(context, app);
      await plain.goto(`${app.url}/?search=sku-000`);
      await plain.locator("tr", { hasText: "SKU-0005" }).getByRole("link", { name: "Delete" }).click();
      await plain.getByRole("button", { name: "Delete product" }).click();
      await plain.waitForURL(/notice=deleted/);
      equal(new URL(plain.url()).searchParams.get("search"), "sku-000");
      await plain.getByRole("button", { name: "Undo" }).click();
      await plain.waitForURL(/notice=restored/);
      const [again] = await app.db.sql`SELECT * FROM products WHERE sku = 'SKU-0005'`;
      deepStrictEqual(again, before);
    });
  },
);

appTest("filters are kept across paging, and a bad value is shown next to its field", async (app) => {
  await seed(app, 60);
  await withBrowser(async (browser) => {
    for (const javaScriptEnabled of [true, false]) {
      for (const [size, viewport] of SIZES) {
        const context = await browser.newContext({ javaScriptEnabled, viewport });
        const page = await signedInPage(context, app);

        const answer = await page.goto(`${app.url}/?search=red&price_min=abc&limit=25`);
        equal(answer?.status(), 400);
        const field = page.locator(".field", { has: page.locator("#filter-price_min") });
        match(await field.locator(".field-error").textContent() ?? "", /A price bound must be a number\./);
        equal(await page.inputValue("#filter-price_min"), "abc", "the refused value stays in its field");
        equal(await page.inputValue("#filter-search"), "red", "the rest of the form stays");
        equal(await page.locator("text=Invalid input").count(), 0);
        await shot(page, `products-bad-filter-${size}${javaScriptEnabled ? "" : "-nojs"}`);

        // Correcting it shows the filtered list.
        await page.fill("#filter-price_min", "10");
        await page.getByRole("button", { name: "Apply" }).click();
        await page.waitForURL(/price_min=10/);
        ok(new URL(page.url()).searchParams.get("search") === "red");
        equal(await page.locator(".field-error").count(), 0);

        // A page past the end leads to the last page of the same filtered list.
        await page.goto(`${app.url}/?search=red&price_min=10&limit=10&page=9`);
        await page.getByRole("link", { name: "Go to the last page" }).click();
        const last = new URL(page.url());
        deepStrictEqual(
          [
            last.searchParams.get("search"),
            last.searchParams.get("price_min"),
            last.searchParams.get("page"),
          ],
          ["red", "10", "3"],
        );
        equal(await page.locator("tbody tr").count(), 5, "25 red products from SKU-0011 on: the last 5");
        await page.getByRole("link", { name: "« First" }).click();
        equal(new URL(page.url()).searchParams.get("search"), "red");
        await context.close();
      }
    }
  });
});
