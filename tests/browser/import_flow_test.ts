/**
 * The import flow as a person uses it, in Chromium at 1280×800 and 390×844, with and without
 * JavaScript: preview a file (delimiter, encoding, first rows), map an unknown header (remembered
 * next time), import; cancel a running import; a partly failed import's honest result with its
 * errors listed; the history with reasons, live rows and delete-all runs.
 */
import { Buffer } from "node:buffer";
import { deepEqual, equal, match, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { apiJson, appTest, importCsv, storedProducts, uploadCsv, waitUntil } from "../helpers/test_app.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Fails if the page is wider than its viewport (a sideways scroll). */
async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  ok(scroll <= client, `${what}: the page is ${scroll} px wide in a ${client} px viewport`);
}

async function chooseFile(page: Page, name: string, csv: string): Promise<void> {
  await page.setInputFiles("input[name=file]", { name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await page.waitForURL(/\/imports\/preview\/[0-9a-f-]{36}$/);
}

/** The select of the preview's column named `header`. */
function fieldOf(page: Page, header: string) {
  return page.getByLabel(`Field for the column “${header}”`);
}

/** A semicolon-separated export whose product names sit under a header the importer does not know. */
const SHOP_EXPORT = [
  "Item title;sku;Notes;price",
  "Linen shirt;LIN-1;Washed linen;49.00",
  'Wool scarf;WOOL-2;"Warm; soft";25.50',
  "Canvas bag;CAN-3;;12",
].join("\n") + "\n";

for (const [viewport, label] of [[DESKTOP, "desktop"], [PHONE, "phone"]] as const) {
  appTest(
    `preview → map an unknown header → import, remembered next time (JavaScript, ${label})`,
    async (app) => {
      const browser = await launchBrowser();
      try {
        const page = await signedInPage(browser, app, { viewport });
        await page.goto(`${app.url}/imports`);
        await chooseFile(page, "shop-export.csv", SHOP_EXPORT);

        // How the file was read, before anything is written.
        const facts = await page.locator(".preview-facts").textContent() ?? "";
        match(facts, /semicolon \(;\)/);
        match(facts, /UTF-8/);
        const sample = page.locator("table.sample");
        match(await sample.textContent() ?? "", /Warm; soft/);
        equal(await sample.locator("tbody tr").count(), 3);
        equal(await fieldOf(page, "sku").inputValue(), "sku", "a known header maps by its name");
        equal(await fieldOf(page, "price").inputValue(), "price");
        equal(
          await fieldOf(page, "Item title").inputValue(),
          "ignore",
          "an unknown header is left out until chosen",
        );
        equal(
          await storedProducts(app.db.sql).then((rows) => rows.length),
          0,
          "nothing imported by the preview",
        );
        await assertNoSidewaysScroll(page, "preview");
        await page.screenshot({ path: `${ARTIFACTS_DIR}import-preview-${label}.png`, fullPage: true });

        await fieldOf(page, "Item title").selectOption("name");
        await fieldOf(page, "Notes").selectOption("description");
        await page.getByRole("button", { name: "Import", exact: true }).click();
        await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
        await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
        equal(await page.locator(".progress-card .badge").textContent(), "Done");
        await page.getByRole("link", { name: "View imported products" }).waitFor();
        deepEqual(await storedProducts(app.db.sql), [
          { sku: "CAN-3", name: "Canvas bag", description: null, price: "12.00", active: true },
          { sku: "LIN-1", name: "Linen shirt", description: "Washed linen", price: "49.00", active: true },
          { sku: "WOOL-2", name: "Wool scarf", description: "Warm; soft", price: "25.50", active: true },
        ]);
        await assertNoSidewaysScroll(page, "import result");
        await page.screenshot({ path: `${ARTIFACTS_DIR}import-mapped-done-${label}.png`, fullPage: true });

        // The next file with these headers is mapped as last time; Cancel leaves no job behind.
        await page.goto(`${app.url}/imports`);
        await chooseFile(page, "shop-export-2.csv", SHOP_EXPORT.replace("Item title", "ITEM TITLE"));
        equal(await fieldOf(page, "ITEM TITLE").inputValue(), "name");
        match(
          await page.locator("tr", { has: fieldOf(page, "ITEM TITLE") }).textContent() ?? "",
          /As you mapped it last time/,
        );
        equal(await fieldOf(page, "Notes").inputValue(), "description");
        await page.getByRole("button", { name: "Cancel" }).click();
        await page.waitForURL(`${app.url}/imports`);
        const jobs = await apiJson(app, "GET", "/api/imports");
        equal(jobs.body.items.length, 1, "the cancelled preview started no import");
        equal(
          [...Deno.readDirSync(app.config.uploadDir)].length,
          0,
          "the cancelled preview's file is removed",
        );
      } finally {
        await browser.close();
      }
    },
  );
}

appTest(
  "without JavaScript: upload → preview → a mapping without a name is refused next to its field → import",
  async (app) => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
      const page = await signedInPage(context, app);
      await page.goto(`${app.url}/imports`);
      await chooseFile(page, "export.csv", SHOP_EXPORT);
      await page.getByRole("button", { name: "Import", exact: true }).click();
      // No column is mapped to name yet: the same preview comes back with the reason.
      equal(page.url().includes("/imports/preview/"), true);
      match(await page.locator(".alert--error").textContent() ?? "", /No column is mapped to name/);
      await page.screenshot({ path: `${ARTIFACTS_DIR}import-preview-refused-nojs.png`, fullPage: true });

      await fieldOf(page, "Item title").selectOption("name");
      await fieldOf(page, "sku").selectOption("name");
      await page.getByRole("button", { name: "Import", exact: true }).click();
      const fieldError = page.locator("tr", { has: fieldOf(page, "sku") }).locator(".field-error");
      match(await fieldError.textContent() ?? "", /"Item title" already fills name/);
      equal(await fieldOf(page, "Item title").inputValue(), "name", "the choices made are kept");

      await fieldOf(page, "sku").selectOption("sku");
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
      await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
      equal(
        (await storedProducts(app.db.sql)).map((row) => row.name).join(","),
        "Canvas bag,Linen shirt,Wool scarf",
      );
      await assertNoSidewaysScroll(page, "result without JavaScript");
    } finally {
      await browser.close();
    }
  },
);

/** 150,000 rows in batches of 500: long enough to cancel mid-way on a loaded machine. */
const LONG = productsFixture(150_000);

appTest(
  "cancel a running import from its page: it stops after its batch and says how many rows stayed",
  async (app) => {
    const browser = await launchBrowser();
    try {
      for (
        const [javaScriptEnabled, viewport, label] of [[true, DESKTOP, "js"], [false, PHONE, "nojs"]] as const
      ) {
        const context = await browser.newContext({ javaScriptEnabled, viewport });
        const page = await signedInPage(context, app);
        const upload = await uploadCsv(app, LONG.csv, `long-${label}.csv`);
        const taskId = upload.body.task_id as string;
        // The page is open before the first rows commit: the import reads (stages) the whole file first,
        // then writes it in a few seconds, so the cancel must come as soon as rows are committed.
        await page.goto(`${app.url}/imports/${taskId}`);
        await page.screenshot({ path: `${ARTIFACTS_DIR}import-running-${label}.png`, fullPage: true });
        // Writes are held (a SHARE lock on products) once the first rows are in, so the cancel lands
        // mid-way however fast this machine writes; they go on once it is asked for.
        const holder = await app.db.sql.reserve();
        try {
          await waitUntil("the import to commit its first rows", async () => {
            const [job] = await holder`SELECT rows_done FROM import_jobs WHERE id = ${taskId}`;
            return job.rows_done > 0;
          }, 90_000);
          await holder`BEGIN`;
          await holder`LOCK TABLE products IN SHARE MODE`;
          await page.getByRole("button", { name: "Cancel import" }).click();
          await waitUntil("the cancel to be recorded", async () => {
            const [job] = await holder`SELECT cancel_requested_at FROM import_jobs WHERE id = ${taskId}`;
            return job.cancel_requested_at !== null;
          }, 30_000);
        } finally {
          await holder`COMMIT`.catch(() => {});
          holder.release();
        }
        await page.locator(".progress-card[data-status=cancelled]").waitFor({ timeout: 30_000 });
        const card = await page.locator(".progress-card").textContent() ?? "";
        match(card, /Cancelled after [\d,]+ rows; the rows committed before the cancel are kept/);
        equal(await page.locator(".progress-card .badge").textContent(), "Cancelled");
        equal(await page.getByRole("button", { name: "Cancel import" }).count(), 0);
        const job = await apiJson(app, "GET", `/api/imports/${taskId}`);
        equal(job.body.status, "cancelled");
        ok(job.body.rows < LONG.rows, `stopped mid-way (${job.body.rows} rows)`);
        await assertNoSidewaysScroll(page, `cancelled (${label})`);
        await page.screenshot({ path: `${ARTIFACTS_DIR}import-cancelled-${label}.png`, fullPage: true });
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
  // One lane of small chunks: the writing lasts long enough to be cancelled mid-way.
  { IMPORT_BATCH_SIZE: "500", IMPORT_LANES: "1" },
);

/** 40 rows, three in four with a bad price: more failed rows than the page lists. */
function partlyBadCsv(): string {
  const lines = ["name,sku,price"];
  for (let i = 0; i < 40; i++) lines.push(`Item ${i},item-${i},${i % 4 === 0 ? "9.99" : "abc"}`);
  return lines.join("\n") + "\n";
}

appTest(
  "a partly failed import reads 'Completed with N errors' in amber and lists the first errors with line and reason",
  async (app) => {
    const csv = partlyBadCsv();
    const bad = csv.split("\n").filter((line) => line.endsWith(",abc")).length;
    ok(bad > 20, `the file has more failed rows (${bad}) than the page lists`);
    const browser = await launchBrowser();
    try {
      for (
        const [javaScriptEnabled, viewport, label] of [[true, DESKTOP, "desktop"], [
          false,
          PHONE,
          "phone-nojs",
        ]] as const
      ) {
        const context = await browser.newContext({ javaScriptEnabled, viewport });
        const page = await signedInPage(context, app);
        await page.goto(`${app.url}/imports`);
        await chooseFile(page, `partly-bad-${label}.csv`, csv);
        await page.getByRole("button", { name: "Import", exact: true }).click();
        await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
        await page.locator(".progress-card[data-status=complete]").waitFor({ timeout: 30_000 });
        const badge = page.locator(".progress-card .badge");
        equal(await badge.textContent(), `Completed with ${bad} errors`);
        equal(await badge.getAttribute("class"), "badge badge--warning");
        const listed = page.locator(".row-error-list li");
        await waitUntil("the first errors to be listed", async () => (await listed.count()) === 20, 10_000);
        match(
          await page.locator(".row-errors h2").textContent() ?? "",
          new RegExp(`The first 20 of ${bad} failed rows`),
        );
        match(await listed.first().textContent() ?? "", /^Line 3 price "abc" is not a valid price/);
        await page.getByRole("link", { name: `Download the ${bad} failed rows (CSV)` }).waitFor();
        await page.getByRole("link", { name: "View imported products" }).waitFor();
        await assertNoSidewaysScroll(page, `partial failure (${label})`);
        await page.screenshot({ path: `${ARTIFACTS_DIR}import-partial-${label}.png`, fullPage: true });
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
);

appTest(
  "the history: failure reasons, cancelled and delete-all runs named, a running import's row live",
  async (app) => {
    const failed = await importCsv(app, "title,code\nA,1\n", "no-sku.csv");
    equal(failed.final.status, "error");
    await importCsv(app, "name,sku\nKept,kept-1\n", "fine.csv");
    const deleteAll = await apiJson(app, "DELETE", "/api/products/bulk");
    await waitUntil("the delete-all to end", async () => {
      const job = await apiJson(app, "GET", `/api/imports/${deleteAll.body.task_id}`);
      return job.body.status === "complete";
    });
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app, { viewport: DESKTOP });
      const running = await uploadCsv(app, LONG.csv, "running.csv");
      const runningId = running.body.task_id as string;
      await page.goto(`${app.url}/imports`);
      const runningRow = page.locator(`tr[data-job="${runningId}"]`);
      // The row follows the import live: its rows grow without a reload, then it ends.
      const rowsSeen = new Set<string>();
      await waitUntil("the running row to show several live figures", async () => {
        rowsSeen.add((await runningRow.locator(".live-status").textContent()) ?? "");
        return rowsSeen.size >= 3;
      }, 60_000);
      await apiJson(app, "POST", `/api/imports/${runningId}/cancel`);
      await runningRow.locator(".badge", { hasText: "Cancelled" }).waitFor({ timeout: 30_000 });

      const failedRow = page.locator(`tr[data-job="${failed.final.task_id}"]`);
      equal(await failedRow.locator(".badge").textContent(), "Failed");
      match(
        await failedRow.locator(".history-reason").textContent() ?? "",
        /The file has no "sku" or "name" column/,
      );
      const deleteRow = page.locator(`tr[data-job="${deleteAll.body.task_id}"]`);
      match(await deleteRow.textContent() ?? "", /Delete all products/);
      match(await deleteRow.textContent() ?? "", /Delete-all run/);
      match(await deleteRow.textContent() ?? "", /1 deleted/);
      ok(
        !/ B\b|uploaded/i.test(await deleteRow.textContent() ?? ""),
        "no file size or upload for a delete-all",
      );
      await assertNoSidewaysScroll(page, "history");
      await page.screenshot({ path: `${ARTIFACTS_DIR}imports-history-desktop.png`, fullPage: true });
      await page.setViewportSize(PHONE);
      await page.reload();
      await assertNoSidewaysScroll(page, "history on a phone");
      await page.screenshot({ path: `${ARTIFACTS_DIR}imports-history-phone.png`, fullPage: true });

      // A failed job's page says why, without eight tiles of zeros.
      await page.goto(`${app.url}/imports/${failed.final.task_id}`);
      equal(await page.locator(".progress-card .stat").count(), 0);
      match(
        await page.locator(".progress-card .alert--error").textContent() ?? "",
        /no "sku" or "name" column/,
      );
      await page.screenshot({ path: `${ARTIFACTS_DIR}import-failed-phone.png`, fullPage: true });

      // The sample CSV downloads from the upload form and imports as it is.
      await page.goto(`${app.url}/imports`);
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 10_000 }),
        page.getByRole("link", { name: "Download a sample CSV" }).click(),
      ]);
      equal(download.suggestedFilename(), "products-sample.csv");
      const sample = await Deno.readTextFile((await download.path())!);
      const imported = await importCsv(app, sample, "products-sample.csv");
      equal(imported.final.status, "complete", imported.final.message);
      equal(imported.final.failed, 0);
      equal(imported.final.inserted, 4);
    } finally {
      await browser.close();
    }
  },
  { IMPORT_BATCH_SIZE: "500" },
);
