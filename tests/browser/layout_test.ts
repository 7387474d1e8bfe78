/**
 * Every page fits its window from a 360 px phone to a 1280 px desktop, with and without JavaScript:
 * the page itself never scrolls sideways (wide tables scroll inside their own box), and a table's
 * row actions stay on screen.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import type { Page } from "playwright-core";
import { appTest, importCsv } from "../helpers/test_app.ts";
import { launchBrowser, signedInPage } from "./browser.ts";
import { checkEveryPage, contextFor, settled } from "./every_page.ts";

const WIDTHS = [360, 390, 1280];

/** What sticks out of the page's width: the document's overflow and the elements past the right edge. */
function overflowOf(page: Page) {
  return page.evaluate(() => {
    const root = document.scrollingElement!;
    const width = root.clientWidth;
    const culprits = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 0.5) return false;
        // Inside a box that scrolls sideways on its own, sticking out is the point.
        const scroller = element.parentElement?.closest(".table-wrap, pre");
        return !scroller;
      })
      .slice(0, 3)
      .map((element) =>
        `${element.tagName.toLowerCase()}.${element.className} (right ${element.getBoundingClientRect().right})`
      );
    // The sections fit on one line: a nav that must be scrolled hides a section.
    const nav = document.querySelector(".nav");
    if (nav && nav.scrollWidth > nav.clientWidth) {
      culprits.unshift(`nav (${nav.scrollWidth} px in ${nav.clientWidth})`);
    }
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: width,
      culprits,
      navFits: !nav || nav.scrollWidth <= nav.clientWidth,
    };
  });
}

/** Row action buttons that are not fully visible: off the window, or scrolled out of their table's box. */
function hiddenRowActions(page: Page) {
  return page.evaluate(() => {
    const width = document.scrollingElement!.clientWidth;
    return [
      ...document.querySelectorAll<HTMLElement>(
        ".table-wrap .row-actions :is(a, button), .table-wrap td:last-child button",
      ),
    ]
      .filter((button) => {
        // Not displayed at this width (a phone drops a row's Edit, which its first cell's link does).
        if (button.getClientRects().length === 0) return false;
        const box = button.getBoundingClientRect();
        const wrap = button.closest(".table-wrap")!.getBoundingClientRect();
        return box.left < wrap.left - 0.5 || box.right > wrap.right + 0.5 || box.right > width + 0.5;
      })
      .map((button) => button.textContent?.trim());
  });
}

Deno.test({
  name:
    "no page scrolls sideways at 360, 390 or 1280 px, with or without JavaScript; row actions stay in view",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const problems: string[] = [];
    await checkEveryPage(async (browser, pages, visitor) => {
      for (const javaScriptEnabled of [true, false]) {
        for (const width of WIDTHS) {
          const context = await contextFor(browser, visitor, {
            viewport: { width, height: 800 },
            javaScriptEnabled,
          });
          try {
            const page = await context.newPage();
            for (const appPage of pages) {
              const where = `${appPage.name} at ${width} px, JavaScript ${javaScriptEnabled ? "on" : "off"}`;
              const response = await page.goto(`${visitor.baseUrl}${appPage.path}`);
              if (response?.status() !== appPage.status) {
                problems.push(`${where}: answered ${response?.status()}, expected ${appPage.status}`);
                continue;
              }
              if (javaScriptEnabled) await settled(page);
              const overflow = await overflowOf(page);
              if (!overflow.navFits) {
                problems.push(`${where}: the sections do not fit: ${overflow.culprits[0]}`);
              }
              if (overflow.scrollWidth > overflow.clientWidth) {
                problems.push(
                  `${where}: the page is ${overflow.scrollWidth} px wide in a ${overflow.clientWidth} px window ` +
                    `(${overflow.culprits.join(", ")})`,
                );
              }
              const hidden = await hiddenRowActions(page);
              if (hidden.length > 0) problems.push(`${where}: row actions out of view: ${hidden.join(", ")}`);
              // An inline confirmation, once open, keeps both its answers on screen.
              const ask = page.locator(".table-wrap button", { hasText: /^(Delete|Revoke)$/ }).first();
              if (javaScriptEnabled && await ask.count() > 0) {
                await ask.click();
                await page.getByRole("button", { name: "No" }).waitFor();
                const clipped = await hiddenRowActions(page);
                if (clipped.length > 0) {
                  problems.push(`${where}: an open confirmation clips ${clipped.join(", ")}`);
                }
                const wider = await overflowOf(page);
                if (wider.scrollWidth > wider.clientWidth) {
                  problems.push(`${where}: an open confirmation widens the page to ${wider.scrollWidth} px`);
                }
              }
            }
          } finally {
            await context.close();
          }
        }
      }
    });
    deepStrictEqual(problems, []);
  },
});

appTest(
  "on a phone the product filters fold away behind Filters, open when set; wider, they always show",
  async (app) => {
    await importCsv(app, "sku,name,price\nFOLD-1,Folded,1.00\n");
    const browser = await launchBrowser();
    try {
      for (const javaScriptEnabled of [true, false]) {
        for (
          const [width, path, shown] of [
            [390, "/", false],
            [390, "/?search=fold", true],
            [1280, "/", true],
          ] as const
        ) {
          const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled });
          try {
            const page = await signedInPage(context, app);
            await page.goto(`${app.url}${path}`);
            const where = `${path} at ${width} px, JavaScript ${javaScriptEnabled ? "on" : "off"}`;
            equal(
              await page.locator("#filter-search").isVisible(),
              shown,
              `${where}: search field shown`,
            );
            equal(
              await page.locator(".filters-panel > summary").isVisible(),
              width < 641,
              `${where}: toggle`,
            );
            if (!shown) {
              await page.locator(".filters-panel > summary").click();
              equal(await page.locator("#filter-search").isVisible(), true, `${where}: opens on a tap`);
            }
          } finally {
            await context.close();
          }
        }
      }
    } finally {
      await browser.close();
    }
  },
);
