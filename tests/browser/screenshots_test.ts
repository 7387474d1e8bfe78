/**
 * The README's screenshots, taken by the suite from the running app: the main pages on a desktop
 * (1280×800) and a phone (390×844), with JavaScript on, written to docs/screenshots/.
 */
import { ok } from "node:assert/strict";
import { checkEveryPage, contextFor, DESKTOP, PHONE, settled } from "./every_page.ts";

const SCREENSHOTS_DIR = new URL("../../docs/screenshots/", import.meta.url).pathname;

/** The pages the README shows. */
const MAIN_PAGES = [
  "login",
  "products",
  "bulk-confirm",
  "product-edit",
  "imports",
  "import-preview",
  "import-done",
  "webhook",
  "webhook-attempt",
  "tokens",
];

Deno.test({
  name: "the main pages are photographed on a desktop and a phone for the README",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await Deno.mkdir(SCREENSHOTS_DIR, { recursive: true });
    const written: string[] = [];
    await checkEveryPage(async (browser, pages, visitor) => {
      for (const [device, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
        const context = await contextFor(browser, visitor, { viewport, javaScriptEnabled: true });
        try {
          const page = await context.newPage();
          for (const appPage of pages.filter((candidate) => MAIN_PAGES.includes(candidate.name))) {
            await page.goto(`${visitor.baseUrl}${appPage.path}`);
            await settled(page);
            const path = `${SCREENSHOTS_DIR}${appPage.name}-${device}.png`;
            await page.screenshot({ path });
            written.push(path);
          }
        } finally {
          await context.close();
        }
      }
    });
    for (const name of MAIN_PAGES) {
      for (const device of ["desktop", "phone"]) {
        const path = `${SCREENSHOTS_DIR}${name}-${device}.png`;
        ok(written.includes(path), `${name} was photographed on a ${device}`);
        ok((await Deno.stat(path)).size > 5_000, `${path} holds a picture`);
      }
    }
  },
});
