/** Headless Debian Chromium driven by playwright-core; never a downloaded browser. */
import { type Browser, chromium } from "playwright-core";

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
