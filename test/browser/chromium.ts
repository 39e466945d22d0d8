/**
 * Chromium for the browser tests: Debian's package (`apt-get install chromium`,
 * which .ci/run does), driven by playwright-core, offline and headless.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { ROOT } from "../../scripts/dev-stack.ts";
import type { PageGlobals } from "./page-globals.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where the run leaves its screenshots; README shows them. */
export const SCREENSHOTS = join(ROOT, "docs/screenshots");

export const DESKTOP = { width: 1280, height: 900 };
/** An everyday phone (iPhone 12 to 15 in CSS pixels). */
export const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root on a CI machine, offline: no sandbox, and nothing that calls home.
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

export interface Visit {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests (a missing favicon shows up here). */
  problems: string[];
}

/** A fresh browser profile (no cookies) with one page at the given size, script on or off. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
  javaScript: boolean,
): Promise<Visit> {
  const context = await browser.newContext({ viewport, javaScriptEnabled: javaScript });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => problems.push(`failed ${request.url()}: ${request.failure()?.errorText}`));
  return { context, page, problems };
}

/** The element is on screen as the page opened: no scrolling needed to see all of it. */
export async function expectInViewport(page: Page, locator: Locator): Promise<void> {
  const scrolled = await page.evaluate(() => (globalThis as unknown as PageGlobals).window.scrollY);
  expect(scrolled, "page not scrolled").toBe(0);
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, "element is rendered").not.toBeNull();
  expect(box!.y, "top inside the viewport").toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `bottom inside the ${viewport.height}px viewport`).toBeLessThanOrEqual(viewport.height);
  expect(box!.x + box!.width, `right edge inside the ${viewport.width}px viewport`).toBeLessThanOrEqual(viewport.width);
}

/** Nothing wider than the screen: the page never scrolls sideways, and no block of code does either. */
export async function expectNoSidewaysScrolling(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => {
    const { document, window } = globalThis as unknown as PageGlobals;
    const wide = [...document.querySelectorAll("pre, p, li, h1, h2, dd, label")]
      .filter((element) => element.scrollWidth > element.clientWidth + 1)
      .map((element) => `${element.tagName} ${element.scrollWidth}px: ${element.textContent?.slice(0, 60)}`);
    return { page: document.documentElement.scrollWidth, screen: window.innerWidth, wide };
  });
  expect(overflow.page, "page width").toBeLessThanOrEqual(overflow.screen);
  expect(overflow.wide, "elements wider than their box").toEqual([]);
}

/** Runs a page as if it were served at `alias` (e.g. http://localhost:8787, what `npm run dev` serves). */
export async function serveAs(page: Page, alias: string, target: string): Promise<void> {
  const aliasHost = new URL(alias).host;
  await page.route(`${alias}/**`, async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({
      url: `${target}${url.pathname}${url.search}`,
      headers: { ...route.request().headers(), host: aliasHost },
    });
    await route.fulfill({ response });
  });
}
