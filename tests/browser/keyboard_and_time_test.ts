/**
 * What axe cannot see (issue 12): keyboard focus follows an inline confirmation and Escape cancels
 * it; the skip link reaches the content; times show in the viewer's own zone where JavaScript runs and
 * in UTC, labelled, where it does not; an import's progress announces its status, not every figure.
 */
import { equal, match, notEqual, ok } from "node:assert/strict";
import { appTest, importCsv } from "../helpers/test_app.ts";
import { launchBrowser, signedInPage } from "./browser.ts";

appTest("an inline delete confirmation takes focus, Escape cancels it and gives focus back", async (app) => {
  await importCsv(app, "sku,name\nKEY-1,Keyboard one\nKEY-2,Keyboard two\n");
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, app, { viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.url}/?sort=sku`);
    const row = page.locator("tbody tr", { hasText: "KEY-1" });
    const remove = row.getByRole("button", { name: "Delete" });
    await remove.focus();
    await page.keyboard.press("Enter");
    const confirm = row.getByRole("button", { name: "Yes, delete" });
    await confirm.waitFor();
    ok(await confirm.evaluate((button) => button === document.activeElement), "focus moves to Yes, delete");
    equal(await confirm.getAttribute("aria-describedby") !== null, true);
    match(await row.locator(".confirm-inline").textContent() ?? "", /Delete KEY-1\?/);

    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    ok(await remove.evaluate((button) => button === document.activeElement), "Escape gives focus back");

    // "No" does the same; nothing was deleted either way.
    await remove.click();
    await row.getByRole("button", { name: "No" }).click();
    // Focus comes back once the confirmation has closed (the island re-renders first), as after Escape.
    await confirm.waitFor({ state: "detached" });
    ok(await remove.evaluate((button) => button === document.activeElement), "No gives focus back");
    equal(await page.locator("tbody tr", { hasText: "KEY-1" }).count(), 1);

    // The skip link is the first stop and lands on the page's content.
    await page.goto(`${app.url}/`);
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    ok(await skip.evaluate((link) => link === document.activeElement), "the skip link comes first");
    ok((await skip.boundingBox())!.y >= 0, "and is on screen once focused");
    await page.keyboard.press("Enter");
    equal(await page.evaluate(() => document.activeElement?.id), "main");
    equal(await page.getByRole("link", { name: "Products" }).getAttribute("aria-current"), "page");
  } finally {
    await browser.close();
  }
});

appTest(
  "times show in the viewer's zone where JavaScript runs, and in labelled UTC without it",
  async (app) => {
    const { job } = await importCsv(app, "sku,name\nZONE-1,Zoned\n");
    const browser = await launchBrowser();
    try {
      const cell = (javaScriptEnabled: boolean) => async () => {
        const context = await browser.newContext({ javaScriptEnabled, timezoneId: "Asia/Tokyo" });
        try {
          const page = await signedInPage(context, app);
          await page.goto(`${app.url}/imports`);
          const time = page.locator("tbody time").first();
          if (javaScriptEnabled) {
            await page.waitForFunction(() => document.querySelector<HTMLElement>("tbody time")?.title);
          }
          return {
            text: (await time.textContent())!.trim(),
            iso: (await time.getAttribute("datetime"))!,
            title: await time.getAttribute("title"),
          };
        } finally {
          await context.close();
        }
      };
      const server = await cell(false)();
      const created = new Date(server.iso);
      equal(
        server.text,
        `${server.iso.slice(0, 16).replace("T", " ")} UTC`,
        "without JavaScript: UTC, said so",
      );
      equal(Math.abs(created.getTime() - new Date(job.created_at as string).getTime()) < 1000, true);

      const local = await cell(true)();
      notEqual(local.text, server.text);
      equal(local.title, server.text, "the UTC time stays in the title");
      // Tokyo is UTC+9 all year: the same moment, nine hours on.
      const tokyo = new Date(created.getTime() + 9 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
      ok(local.text.startsWith(tokyo), `${local.text} starts with ${tokyo}`);
      match(local.text, /(GMT\+9|JST)$/, "labelled with the zone");
    } finally {
      await browser.close();
    }
  },
);

appTest(
  "a finished import's card announces its outcome in one polite region, not every figure",
  async (app) => {
    const { job } = await importCsv(app, "sku,name\nLIVE-1,Announced\n");
    const browser = await launchBrowser();
    try {
      const page = await signedInPage(browser, app);
      await page.goto(`${app.url}/imports/${job.id}`);
      const card = page.locator(".progress-card[data-status=complete]");
      await card.waitFor();
      equal(await card.getAttribute("aria-live"), null, "the card itself is not a live region");
      // One status region (role=status is a polite live region) says the outcome, in words.
      const regions = card.locator("[aria-live], [role=status]");
      equal(await regions.count(), 1);
      match(await regions.textContent() ?? "", /Imported 1 row/);
      match(await card.locator("progress").getAttribute("aria-label") ?? "", /progress/);
    } finally {
      await browser.close();
    }
  },
);
