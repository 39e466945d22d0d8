/** The landing page as a person meets it: on a desktop and a phone, with and without JavaScript. */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  DESKTOP,
  expectNoSidewaysScrolling,
  launchChromium,
  openPage,
  PHONE,
  SCREENSHOTS,
  serveAs,
} from "./chromium.ts";

const workerUrl = inject("workerUrl");
/** What `npm run dev` serves: the screenshots show that origin, not this run's random port. */
const DEV_ORIGIN = "http://localhost:8787";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const VARIANTS = [
  { name: "desktop", viewport: DESKTOP, javaScript: true },
  { name: "desktop without JavaScript", viewport: DESKTOP, javaScript: false },
  { name: "390 px phone", viewport: PHONE, javaScript: true },
  { name: "390 px phone without JavaScript", viewport: PHONE, javaScript: false },
];

describe.each(VARIANTS)("landing page, $name", ({ viewport, javaScript }) => {
  it("says what the whole product does and how to connect every kind of client, readable at this width", async () => {
    const { context, page, problems } = await openPage(browser, viewport, javaScript);
    try {
      const response = await page.goto(`${workerUrl}/`);
      expect(response?.status()).toBe(200);
      await expect.poll(() => page.title()).toBe("Microsoft 365 MCP server");

      // The product, not only mail: every workload is named where a reader starts.
      const lead = (await page.locator("body > p").first().innerText()).toLowerCase();
      for (const workload of ["mail", "calendar", "contacts", "teams", "files", "to do", "search"]) {
        expect(lead, `the first paragraph names ${workload}`).toContain(workload);
      }

      const text = await page.locator("body").innerText();
      const codeBlocks = await page.locator("pre").allInnerTexts();
      const block = (needle: string) => codeBlocks.find((code) => code.includes(needle)) ?? "";
      // Claude Desktop through mcp-remote.
      expect(block("mcp-remote")).toContain(`"mcp-remote", "${workerUrl}/mcp"`);
      // MCP Inspector, in its UI and on the command line.
      expect(text).toContain("MCP Inspector");
      expect(block("@modelcontextprotocol/inspector")).toContain(`${workerUrl}/mcp`);
      // Web connectors, with the SSE URL for those that only speak SSE.
      expect(text).toMatch(new RegExp(`Web connectors[^\\n]*${workerUrl}/sse`));
      // WebSocket: the ws:// URL and the subprotocol.
      expect(block("new WebSocket")).toContain(`"${workerUrl.replace("http", "ws")}/sse",\n  ["mcp", bearer]`);
      // curl: several short lines a person can read and copy, not one 1,355 px line.
      const curl = block("curl ");
      expect(curl).toContain(`${workerUrl}/sse`);
      expect(curl.split("\n").length).toBeGreaterThanOrEqual(3);
      // No snippet needs a line wider than a desktop column.
      for (const line of codeBlocks.flatMap((code) => code.split("\n")))
        expect(line.length, line).toBeLessThanOrEqual(80);

      await expectNoSidewaysScrolling(page);

      // An icon, served: the page names it and the server answers for it.
      const icons = await page
        .locator('link[rel="icon"]')
        .evaluateAll((links) => links.map((link) => new URL(link.getAttribute("href") ?? "", link.baseURI).href));
      expect(icons).toContain(`${workerUrl}/favicon.ico`);
      for (const icon of icons) {
        const answer = await page.request.get(icon);
        expect(answer.status(), icon).toBe(200);
        expect(answer.headers()["content-type"], icon).toMatch(/^image\//);
      }
      await page.waitForLoadState("networkidle");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("landing page screenshots", () => {
  it.each([
    { file: "landing-desktop.png", viewport: DESKTOP, throughSnippets: true },
    { file: "landing-390.png", viewport: PHONE, throughSnippets: false },
  ])("writes docs/screenshots/$file", async ({ file, viewport, throughSnippets }) => {
    const { context, page } = await openPage(browser, viewport, true);
    try {
      await serveAs(page, DEV_ORIGIN, workerUrl);
      await page.goto(`${DEV_ORIGIN}/`);
      await expect.poll(() => page.locator("h1").innerText()).toBe("Microsoft 365 MCP server");
      // On a desktop, from the top to the end of the connection snippets (the tool list below is long).
      const tools = await page.getByRole("heading", { name: "What an assistant can do" }).boundingBox();
      const height = throughSnippets ? Math.max(viewport.height, Math.ceil(tools!.y)) : viewport.height;
      await page.screenshot({
        path: join(SCREENSHOTS, file),
        fullPage: true,
        clip: { x: 0, y: 0, width: viewport.width, height },
      });
    } finally {
      await context.close();
    }
  });
});
