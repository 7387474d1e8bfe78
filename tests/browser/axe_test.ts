/**
 * axe-core (pinned in deno.json) finds no serious or critical accessibility violation on any page,
 * on a desktop (1280×800) or a phone (390×844): contrast, names, landmarks, labels, ARIA.
 */
import { deepStrictEqual } from "node:assert/strict";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { checkEveryPage, contextFor, DESKTOP, PHONE, settled } from "./every_page.ts";

/** The serious and critical violations axe finds on the page, one line each with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Injected over the DevTools protocol, so the page's Content-Security-Policy does not apply to it.
  await page.evaluate(axe.source);
  const found = await page.evaluate(async () => {
    const axeInPage = (globalThis as unknown as { axe: typeof axe }).axe;
    const results = await axeInPage.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 3).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
    }));
  });
  return found
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.targets.join(" | ")}`
    );
}

Deno.test({
  name: "axe-core finds no serious or critical violation on any page, on a desktop or a phone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const problems: string[] = [];
    let checked = 0;
    await checkEveryPage(async (browser, pages, visitor) => {
      for (const viewport of [DESKTOP, PHONE]) {
        const context = await contextFor(browser, visitor, { viewport, javaScriptEnabled: true });
        try {
          const page = await context.newPage();
          for (const appPage of pages) {
            const response = await page.goto(`${visitor.baseUrl}${appPage.path}`);
            const where = `${appPage.name} at ${viewport.width}×${viewport.height}`;
            if (response?.status() !== appPage.status) {
              problems.push(`${where}: answered ${response?.status()}, expected ${appPage.status}`);
              continue;
            }
            await settled(page);
            for (const violation of await seriousViolations(page)) problems.push(`${where}: ${violation}`);
            checked++;
          }
        } finally {
          await context.close();
        }
      }
    });
    deepStrictEqual(problems, []);
    // Two widths of every page were checked: a sweep that checked nothing would pass vacuously.
    deepStrictEqual(checked >= 50, true, `only ${checked} pages were checked`);
  },
});
