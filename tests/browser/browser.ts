/** Headless Debian Chromium driven by playwright-core; never a downloaded browser. */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { TEST_ADMIN } from "../helpers/test_app.ts";

/** Where screenshots of the pages under test are written (ignored by git). */
export const ARTIFACTS_DIR = new URL("../artifacts/", import.meta.url).pathname;

/** Launches the system Chromium headless, with the flags this network-less machine needs. */
export async function launchBrowser(): Promise<Browser> {
  await Deno.mkdir(ARTIFACTS_DIR, { recursive: true });
  return await chromium.launch({
    executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page signed in as the test admin through the login form, as a person does. */
export async function signedInPage(
  opener: Browser | BrowserContext,
  app: { url: string },
  options: Parameters<Browser["newPage"]>[0] = {},
): Promise<Page> {
  const page = "contexts" in opener ? await opener.newPage(options) : await opener.newPage();
  await page.goto(`${app.url}/login`);
  await page.fill("#login-email", TEST_ADMIN.email);
  await page.fill("#login-password", TEST_ADMIN.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/login"), page.click("button[type=submit]")]);
  return page;
}
