import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium package (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's Chromium, headless, closed when the test ends. Without it the test fails in CI
 * (CI=true: .ci/run installs it, so its absence is a broken setup) and is skipped elsewhere,
 * with a message saying how to install it. Returns undefined when skipped.
 */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    const why = `${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)`;
    if (process.env.CI) throw new Error(`${why}; CI must have it for the browser tests`);
    t.skip(why);
    return undefined;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  t.after(() => browser.close());
  return browser;
}

/** What a page did that a test may object to: console errors, uncaught exceptions, requests. */
export interface PageLog {
  readonly errors: string[];
  /** Every URL the page requested, data: URIs left out. */
  readonly requests: string[];
}

/** Starts recording a page's console errors, uncaught exceptions and requests. */
export function watchPage(page: Page): PageLog {
  const log: PageLog = { errors: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") log.errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.errors.push(`exception: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("data:")) log.requests.push(r.url());
  });
  return log;
}
