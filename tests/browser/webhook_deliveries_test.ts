/**
 * The webhook pages as GitHub's "Recent deliveries", in Chromium at 1280×800 and 390×844, with and
 * without JavaScript: each attempt's whole exchange, filters and paging through every attempt, the
 * secret behind Reveal with Copy, Rotate confirmed first, exclusive event boxes, and state badges.
 * Deliveries go only to a receiver this test starts on 127.0.0.1.
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { apiJson, appTest, type TestApp } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";
import { ARTIFACTS_DIR, launchBrowser, signedInPage } from "./browser.ts";

const LOCAL = { WEBHOOK_ALLOW_PRIVATE: "true", RATE_LIMIT_PER_MINUTE: "100000" };

const WIDTHS = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];
const MODES = WIDTHS.flatMap((width) =>
  [true, false].map((js) => ({ ...width, js, label: `${width.name}-${js ? "js" : "nojs"}` }))
);
type Mode = typeof MODES[number];

/** A signed-in page in a fresh browser context of the given width, JavaScript on or off. */
async function open(browser: Browser, app: TestApp, mode: Mode): Promise<Page> {
  const context = await browser.newContext({
    viewport: mode.viewport,
    javaScriptEnabled: mode.js,
    permissions: mode.js ? ["clipboard-read", "clipboard-write"] : [],
  });
  const page = await signedInPage(context, app);
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(15_000);
  return page;
}

async function addWebhook(app: TestApp, url: string, eventTypes: string[] = ["*"]) {
  const created = await apiJson(app, "POST", "/api/webhooks", { url, event_types: eventTypes });
  equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; secret: string };
}

async function sendTest(app: TestApp, id: number, payload?: unknown) {
  const answer = await apiJson(
    app,
    "POST",
    `/api/webhooks/${id}/test`,
    payload === undefined ? undefined : { payload },
  );
  equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as { status: number | null };
}

async function secretOf(app: TestApp, id: number): Promise<string> {
  return (await apiJson(app, "GET", `/api/webhooks/${id}`)).body.secret;
}

/** Every element matching `selector` ends inside the viewport: nothing of it needs a sideways scroll. */
async function fitsWidth(page: Page, selector: string): Promise<void> {
  const overflow = await page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => element.getBoundingClientRect().right - globalThis.innerWidth)
  );
  ok(overflow.length > 0, `${selector} is on the page`);
  ok(
    overflow.every((pixels) => pixels <= 1),
    `${selector} overflows the viewport by ${Math.max(...overflow)} px`,
  );
}

/** The attempt ids of the log rows on the page, as their links name them. */
async function rowIds(page: Page): Promise<number[]> {
  const hrefs = await page.locator(".log-table tbody tr td:first-child a").evaluateAll((links) =>
    links.map((link) => link.getAttribute("href") ?? "")
  );
  return hrefs.map((href) => Number(href.match(/\/attempts\/(\d+)/)![1]));
}

appTest(
  "a delivery attempt opens to its full request and response, headers and bodies, at both widths, with and without JavaScript",
  async (app) => {
    const answer = JSON.stringify({ received: true, echo: "r".repeat(2_000) + "-END-OF-ANSWER" });
    const receiver = startReceiver((request) =>
      request.path === "/huge" ? new Response("z".repeat(40_000)) : new Response(answer, {
        headers: { "content-type": "application/json", "x-receiver-trace": "trace-42" },
      })
    );
    const browser = await launchBrowser();
    try {
      const hook = await addWebhook(app, `${receiver.url}/hook`);
      const text = "p".repeat(1_500) + "-END-OF-PAYLOAD";
      await sendTest(app, hook.id, { text });
      const [received] = receiver.on("/hook");

      for (const mode of MODES) {
        const page = await open(browser, app, mode);
        await page.goto(`${app.url}/webhooks/${hook.id}`);
        await page.locator(".log-table").getByRole("link", { name: "Details" }).first().click();
        await page.getByRole("heading", { name: "Request", exact: true }).waitFor();
        match(new URL(page.url()).pathname, new RegExp(`^/webhooks/${hook.id}/attempts/\\d+$`));

        // The request: every header with the value the receiver got, and the whole body.
        const requestHeaders = page.getByRole("table", { name: "Request headers" });
        for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature", "user-agent"]) {
          const row = requestHeaders.getByRole("row").filter({ hasText: name });
          equal(
            (await row.locator("td").textContent())?.trim(),
            received.headers.get(name),
            `${name} (${mode.label})`,
          );
        }
        ok(
          (await page.locator("#request-body").textContent())!.includes(text),
          `the whole payload (${mode.label})`,
        );

        // The response: its status, its headers, the whole 2 KB body, and the limit stated.
        match(await page.locator("#response-heading + .request-line").textContent() ?? "", /200/);
        const responseHeaders = page.getByRole("table", { name: "Response headers" });
        equal(
          (await responseHeaders.getByRole("row").filter({ hasText: "x-receiver-trace" }).locator("td")
            .textContent())
            ?.trim(),
          "trace-42",
        );
        const body = (await page.locator("#response-body").textContent())!;
        ok(body.includes("r".repeat(2_000) + "-END-OF-ANSWER"), `the whole response body (${mode.label})`);
        match(await page.locator("#body-limit").textContent() ?? "", /kept up to their first 16 KB/);
        await fitsWidth(page, ".exchange");
        await fitsWidth(page, ".body-text:visible");
        await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-attempt-${mode.label}.png`, fullPage: true });

        // Back to the log it came from.
        await page.getByRole("link", { name: "Back to deliveries" }).click();
        await page.locator(".log-table").waitFor();
        await page.context().close();
      }

      // A body past the limit says that it was cut, and where.
      const huge = await addWebhook(app, `${receiver.url}/huge`);
      await sendTest(app, huge.id);
      const page = await open(browser, app, MODES[3]);
      await page.goto(`${app.url}/webhooks/${huge.id}`);
      await page.locator(".log-table").getByRole("link", { name: "Details" }).first().click();
      match(
        await page.locator("#body-limit").textContent() ?? "",
        /longer than 16 KB: only its first 16 KB were kept/,
      );
      equal((await page.locator("#response-body").textContent())!.length, 16 * 1024);
      await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-attempt-truncated-phone.png` });
      await page.context().close();
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  LOCAL,
);

appTest(
  "the delivery log filters by event and result and pages through every attempt, filters kept, as bookmarkable URLs",
  async (app) => {
    // 56 test events succeed, 4 fail (they ask to), and one product.created: 61 attempts.
    const receiver = startReceiver((request) =>
      JSON.parse(request.body).data?.fail
        ? new Response("refused on purpose", { status: 422 })
        : new Response("ok")
    );
    const browser = await launchBrowser();
    try {
      const hook = await addWebhook(app, `${receiver.url}/log`);
      for (let i = 0; i < 60; i++) await sendTest(app, hook.id, { n: i, fail: i % 15 === 7 });
      await apiJson(app, "POST", "/api/products", { sku: "LOGGED-1", name: "Logged" });
      await receiver.waitFor("/log", 61);
      const expected = async (query: string) =>
        ((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?limit=200&${query}`)).body as {
          id: number;
        }[])
          .map((attempt) => attempt.id);
      let all: number[] = [];
      const deadline = Date.now() + 15_000;
      while ((all = await expected("")).length < 61 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      equal(all.length, 61, "every attempt is logged");
      const succeededTests = await expected("event_type=webhook.test&result=succeeded");
      equal(succeededTests.length, 56);

      for (const mode of MODES) {
        const page = await open(browser, app, mode);
        await page.goto(`${app.url}/webhooks/${hook.id}`);
        match(await page.locator("#deliveries-count").textContent() ?? "", /61 attempts in all/);
        deepStrictEqual(await rowIds(page), all.slice(0, 50), `the newest 50 first (${mode.label})`);
        await page.getByRole("link", { name: "Older ›" }).click();
        deepStrictEqual(await rowIds(page), all.slice(50), `then the 11 older ones (${mode.label})`);

        // Filter: the form is a plain GET, so the URL is the filtered view.
        await page.goto(`${app.url}/webhooks/${hook.id}`);
        await page.selectOption("select[name=event_type]", "webhook.test");
        await page.selectOption("select[name=result]", "succeeded");
        await Promise.all([
          page.waitForURL(/result=succeeded/),
          page.getByRole("button", { name: "Filter" }).click(),
        ]);
        const params = new URL(page.url()).searchParams;
        equal(params.get("event_type"), "webhook.test");
        match(await page.locator("#deliveries-count").textContent() ?? "", /56 attempts match/);
        const first = await rowIds(page);
        deepStrictEqual(first, succeededTests.slice(0, 50));
        const cells = await page.locator(".log-table tbody tr").evaluateAll((rows) =>
          rows.map((row) =>
            `${row.querySelector("td:nth-child(2)")?.textContent}|${row.querySelector(".badge")?.textContent}`
          )
        );
        ok(cells.every((cell) => cell === "webhook.test|200"), `only succeeded test events (${mode.label})`);
        // Details and Redeliver stay in view at either width: a card per attempt on a phone.
        await fitsWidth(page, ".log-table tbody tr .log-actions form");
        await page.screenshot({
          path: `${ARTIFACTS_DIR}webhook-log-filtered-${mode.label}.png`,
          fullPage: true,
        });
        await page.locator("#deliveries-count").evaluate((element) => element.scrollIntoView());
        await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-log-rows-${mode.label}.png` });

        // Paging keeps the filters; the second page is a bookmark that opens the same rows.
        await page.getByRole("link", { name: "Older ›" }).click();
        await page.waitForURL(/before=/);
        const older = new URL(page.url()).searchParams;
        equal(older.get("event_type"), "webhook.test");
        equal(older.get("result"), "succeeded");
        deepStrictEqual(await rowIds(page), succeededTests.slice(50));
        equal(await page.locator(".pager .is-disabled", { hasText: "Older" }).count(), 1, "the last page");
        const bookmark = page.url();
        const fresh = await page.context().newPage();
        await fresh.goto(bookmark);
        deepStrictEqual(await rowIds(fresh), succeededTests.slice(50));
        equal(
          await fresh.locator("select[name=result]").inputValue(),
          "succeeded",
          "the form shows the filter",
        );
        await fresh.close();
        await page.getByRole("link", { name: "‹ Newer" }).click();
        deepStrictEqual(await rowIds(page), first);

        // The failed ones, and a detail page that leads back to the same filtered view.
        await page.selectOption("select[name=event_type]", "");
        await page.selectOption("select[name=result]", "failed");
        await Promise.all([
          page.waitForURL(/result=failed/),
          page.getByRole("button", { name: "Filter" }).click(),
        ]);
        deepStrictEqual(await rowIds(page), await expected("result=failed"));
        equal((await rowIds(page)).length, 4);
        await page.locator(".log-table").getByRole("link", { name: "Details" }).first().click();
        match(await page.locator("#response-body").textContent() ?? "", /refused on purpose/);
        await page.getByRole("link", { name: "Back to deliveries" }).click();
        equal(new URL(page.url()).searchParams.get("result"), "failed");
        equal((await rowIds(page)).length, 4);

        // A bad filter value is named next to its field; the page and the form stay.
        const bad = await page.goto(`${app.url}/webhooks/${hook.id}?result=maybe&event_type=product.created`);
        equal(bad!.status(), 400);
        match(await page.locator(".field-error").textContent() ?? "", /There is no result "maybe"/);
        equal((await rowIds(page)).length, 1, "the valid filter still applies");
        await page.context().close();
      }
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  LOCAL,
);

appTest(
  "the signing secret is hidden behind Reveal, copied with Copy, and rotated only after confirming",
  async (app) => {
    const receiver = startReceiver();
    const browser = await launchBrowser();
    try {
      const hook = await addWebhook(app, `${receiver.url}/secret`);
      for (const mode of MODES) {
        const page = await open(browser, app, mode);
        await page.goto(`${app.url}/webhooks/${hook.id}`);
        const secret = page.locator("#webhook-secret");
        const current = await secretOf(app, hook.id);
        ok(!(await secret.isVisible()), `hidden at first (${mode.label})`);
        await page.getByText("Reveal", { exact: true }).click();
        await secret.waitFor({ state: "visible" });
        equal(await secret.textContent(), current);
        await fitsWidth(page, ".secret-reveal");
        await page.screenshot({ path: `${ARTIFACTS_DIR}webhook-secret-${mode.label}.png`, fullPage: true });
        await page.getByText("Hide", { exact: true }).click();
        await secret.waitFor({ state: "hidden" });

        const copy = page.getByRole("button", { name: "Copy" });
        if (mode.js) {
          await copy.click();
          await page.locator(".copy-status", { hasText: "Copied" }).waitFor();
          equal(await page.evaluate(() => navigator.clipboard.readText()), current);
        } else {
          equal(await copy.count(), 0, "no Copy button that could not work");
        }

        // Rotate asks first; Cancel changes nothing.
        await page.getByRole("link", { name: "Rotate secret…" }).click();
        await page.getByRole("heading", { name: "Rotate the signing secret?" }).waitFor();
        await page.screenshot({
          path: `${ARTIFACTS_DIR}webhook-rotate-confirm-${mode.label}.png`,
          fullPage: true,
        });
        await page.getByRole("link", { name: "Cancel" }).click();
        await page.locator("#webhook-secret").waitFor({ state: "attached" });
        equal(await secretOf(app, hook.id), current, "Cancel rotated nothing");
        await page.getByRole("link", { name: "Rotate secret…" }).click();
        await page.getByRole("button", { name: "Rotate secret" }).click();
        await page.locator(".alert--success", { hasText: "New signing secret created" }).waitFor();
        const rotated = await secretOf(app, hook.id);
        notEqual(rotated, current);
        equal(await page.locator("#webhook-secret").textContent(), rotated);
        await page.context().close();
      }
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  LOCAL,
);

appTest(
  "All events and single events exclude each other, and Off (by you) looks unlike Turned off by the app",
  async (app) => {
    const receiver = startReceiver((request) =>
      request.path === "/gone" ? new Response("gone", { status: 410 }) : new Response("ok")
    );
    const browser = await launchBrowser();
    try {
      for (const mode of MODES) {
        const page = await open(browser, app, mode);
        await page.goto(`${app.url}/webhooks/new`);
        const all = page.locator("input[name=event_types][value='*']");
        const created = page.locator("input[name=event_types][value='product.created']");
        const deleted = page.locator("input[name=event_types][value='product.deleted']");
        ok(await all.isChecked(), "All events to start with");
        await page.fill("#webhook-url", `${receiver.url}/only-${mode.label}`);
        if (mode.js) {
          await created.check();
          ok(!(await all.isChecked()), `a single event unticks All events (${mode.label})`);
          await all.check();
          ok(!(await created.isChecked()), `All events unticks the single ones (${mode.label})`);
          await created.check();
          await deleted.check();
        } else {
          // Without JavaScript both can be ticked: the server asks again, next to the field.
          await created.check();
          await page.getByRole("button", { name: "Add webhook" }).click();
          await page.locator(".field-error", { hasText: "Choose either All events or single events" })
            .waitFor();
          ok(await all.isChecked() && await created.isChecked(), "what was ticked is kept");
          await page.screenshot({
            path: `${ARTIFACTS_DIR}webhook-events-both-${mode.label}.png`,
            fullPage: true,
          });
          await all.uncheck();
          await deleted.check();
        }
        await page.getByRole("button", { name: "Add webhook" }).click();
        await page.locator(".alert--success", { hasText: "Webhook added" }).waitFor();
        const id = Number(new URL(page.url()).pathname.split("/")[2]);
        deepStrictEqual((await apiJson(app, "GET", `/api/webhooks/${id}`)).body.event_types, [
          "product.created",
          "product.deleted",
        ]);
        await apiJson(app, "DELETE", `/api/webhooks/${id}`);
        await page.context().close();
      }

      // Three states: on; off by you (grey); off by the app, with its reason (red).
      const on = await addWebhook(app, `${receiver.url}/on`);
      const mine = await addWebhook(app, `${receiver.url}/mine`);
      const gone = await addWebhook(app, `${receiver.url}/gone`);
      await sendTest(app, gone.id); // 410 Gone: the app turns it off
      for (const mode of MODES) {
        const page = await open(browser, app, mode);
        if (mode === MODES[0]) {
          await page.goto(`${app.url}/webhooks/${mine.id}`);
          await page.getByRole("button", { name: "Turn off" }).click();
          await page.locator(".alert--success", { hasText: "turned off" }).waitFor();
        }
        await page.goto(`${app.url}/webhooks`);
        const badge = (url: string) =>
          page.locator("tbody tr", { hasText: url }).locator("td:nth-child(3) .badge");
        equal(await badge(`${receiver.url}/on`).textContent(), "Enabled");
        equal(await badge(`${receiver.url}/mine`).textContent(), "Off");
        equal(await badge(`${receiver.url}/gone`).textContent(), "Turned off by the app");
        match(
          await page.locator("tbody tr", { hasText: `${receiver.url}/gone` }).textContent() ?? "",
          /410 Gone/,
        );
        const colours = async (url: string) =>
          await badge(url).evaluate((element) => {
            const style = getComputedStyle(element);
            return `${style.color} on ${style.backgroundColor}`;
          });
        notEqual(await colours(`${receiver.url}/mine`), await colours(`${receiver.url}/gone`));
        match(await colours(`${receiver.url}/gone`), /rgb\(180, 35, 24\)/, "red: the error colour");
        await page.screenshot({ path: `${ARTIFACTS_DIR}webhooks-states-${mode.label}.png`, fullPage: true });

        await page.goto(`${app.url}/webhooks/${gone.id}`);
        equal(await page.locator(".status-line .badge").textContent(), "Turned off by the app");
        match(await page.locator(".alert--error[role=alert]").textContent() ?? "", /410 Gone/);
        await page.goto(`${app.url}/webhooks/${mine.id}`);
        equal(await page.locator(".status-line .badge").textContent(), "Off");
        equal(await page.locator(".alert--error[role=alert]").count(), 0, "no alarm for a choice you made");
        await page.context().close();
      }
      ok(on.id > 0);
    } finally {
      await browser.close();
      await receiver.close();
    }
  },
  LOCAL,
);
