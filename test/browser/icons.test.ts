/**
 * The icons: served by the server and the emulator where browsers look for
 * them, given to MCP clients in `initialize`, kept out of `tools/list`, the
 * committed PNGs still the SVG drawings they were rendered from, and each
 * workload's icon a drawing Chromium renders.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EMULATOR_ICON_PNG_32_BASE64, EMULATOR_ICON_SVG } from "../../emulator/icon.ts";
import { ICON_PNG_128_BASE64, ICON_PNG_32_BASE64, ICON_SVG } from "../../src/shared/icon.ts";
import { WORKLOAD_ICON_SVGS } from "../../src/shared/workload-icons.ts";
import { launchChromium } from "./chromium.ts";
import type { PageGlobals } from "./page-globals.ts";

const workerUrl = inject("workerUrl");
const emulatorUrl = inject("emulatorUrl");

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function rpc(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${workerUrl}/sse`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: Record<string, unknown> }).result;
}

describe.each([
  { name: "server", origin: () => workerUrl, svg: ICON_SVG },
  { name: "emulator", origin: () => emulatorUrl, svg: EMULATOR_ICON_SVG },
])("the $name's icon", ({ origin, svg }) => {
  it("is at /favicon.ico, a Windows icon holding a 32 px PNG", async () => {
    const response = await fetch(`${origin()}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/x-icon");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
    expect([bytes[6], bytes[7]]).toEqual([32, 32]);
    const offset = new DataView(bytes.buffer).getUint32(18, true);
    expect([...bytes.subarray(offset, offset + 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("is at /icon.svg, as an image that may not run script", async () => {
    const response = await fetch(`${origin()}/icon.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml");
    expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    expect(await response.text()).toBe(svg);
  });
});

describe("MCP icons", () => {
  it("come with the server's identity in initialize, as a PNG and an SVG a client can draw", async () => {
    const result = await rpc("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "icons-test", version: "1" },
    });
    const info = result.serverInfo as { icons?: { src: string; mimeType: string; sizes: string[] }[] };
    expect(info.icons?.map((icon) => [icon.mimeType, icon.sizes])).toEqual([
      ["image/png", ["128x128"]],
      ["image/svg+xml", ["any"]],
    ]);
    const page = await browser.newPage();
    try {
      for (const icon of info.icons!) {
        const size = await page.evaluate(async (src) => {
          const { Image } = globalThis as unknown as PageGlobals;
          const image = new Image();
          image.src = src;
          await image.decode();
          return [image.naturalWidth, image.naturalHeight];
        }, icon.src);
        expect(size, icon.mimeType).toEqual(icon.mimeType === "image/png" ? [128, 128] : [64, 64]);
      }
    } finally {
      await page.close();
    }
  });

  it("stay out of tools/list, which a model reads whole at every connection", async () => {
    const result = (await rpc("tools/list")) as { tools: Record<string, unknown>[] };
    expect(result.tools.length).toBeGreaterThan(0);
    expect(result.tools.filter((tool) => "icons" in tool)).toEqual([]);
  });
});

describe.each(Object.entries(WORKLOAD_ICON_SVGS).map(([workload, svg]) => ({ workload, svg })))(
  "the $workload icon",
  ({ workload, svg }) => {
    it(`is at /icons/${workload}.svg, and Chromium draws it as a 64 px tile with a white glyph`, async () => {
      const response = await fetch(`${workerUrl}/icons/${workload}.svg`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/svg+xml");
      expect(response.headers.get("cache-control")).toBe("public, max-age=86400");
      expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
      expect(await response.text()).toBe(svg);
      const tile = /<rect width="64" height="64" rx="14" fill="#([0-9a-f]{6})"/.exec(svg)?.[1];
      expect(tile, "the tile's colour").toBeDefined();

      const page = await browser.newPage();
      try {
        // From the Worker's own page: the icon is same-origin there, so the canvas may read it.
        await page.goto(`${workerUrl}/`);
        const drawn = await page.evaluate(async (path) => {
          const { document, Image } = globalThis as unknown as PageGlobals;
          const image = new Image();
          image.src = path;
          await image.decode();
          const canvas = document.createElement("canvas");
          canvas.width = canvas.height = 64;
          const context = canvas.getContext("2d")!;
          context.drawImage(image, 0, 0, 64, 64);
          const data = context.getImageData(0, 0, 64, 64).data;
          let opaque = 0;
          let white = 0;
          for (let index = 0; index < data.length; index += 4) {
            if (data[index + 3]! > 250) opaque++;
            if (data[index]! > 250 && data[index + 1]! > 250 && data[index + 2]! > 250 && data[index + 3]! > 250) {
              white++;
            }
          }
          const top = Array.from(data.subarray((2 * 64 + 32) * 4, (2 * 64 + 32) * 4 + 3));
          return { size: [image.naturalWidth, image.naturalHeight], opaque, white, top };
        }, `/icons/${workload}.svg`);
        expect(drawn.size).toEqual([64, 64]);
        // A rounded square fills all but its corners; the glyph is a visible part of it, not all.
        expect(drawn.opaque / 4096).toBeGreaterThan(0.9);
        expect(drawn.white / 4096).toBeGreaterThan(0.1);
        expect(drawn.white / 4096).toBeLessThan(0.6);
        expect(drawn.top).toEqual([0, 2, 4].map((at) => parseInt(tile!.slice(at, at + 2), 16)));
      } finally {
        await page.close();
      }
    });
  },
);

describe.each([
  { name: "server 32 px", svg: ICON_SVG, png: ICON_PNG_32_BASE64, size: 32 },
  { name: "server 128 px", svg: ICON_SVG, png: ICON_PNG_128_BASE64, size: 128 },
  { name: "emulator 32 px", svg: EMULATOR_ICON_SVG, png: EMULATOR_ICON_PNG_32_BASE64, size: 32 },
])("the $name PNG", ({ svg, png, size }) => {
  it("is its SVG as Chromium draws it (on failure: the fresh PNG to paste)", async () => {
    const page = await browser.newPage();
    try {
      const { difference, fresh } = await page.evaluate(
        async ({ svg, png, size }) => {
          const { document, Image } = globalThis as unknown as PageGlobals;
          const pixels = async (src: string) => {
            const image = new Image(size, size);
            image.src = src;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = canvas.height = size;
            const context = canvas.getContext("2d")!;
            context.drawImage(image, 0, 0, size, size);
            return { data: context.getImageData(0, 0, size, size).data, url: canvas.toDataURL("image/png") };
          };
          const drawn = await pixels(`data:image/svg+xml;base64,${btoa(svg)}`);
          const committed = await pixels(`data:image/png;base64,${png}`);
          let total = 0;
          for (let index = 0; index < drawn.data.length; index++) {
            total += Math.abs(drawn.data[index]! - committed.data[index]!);
          }
          return { difference: total / drawn.data.length, fresh: drawn.url.slice("data:image/png;base64,".length) };
        },
        { svg, png, size },
      );
      // Antialiasing may differ a little between Chromium versions; a changed drawing differs a lot.
      expect(difference, `fresh PNG: ${fresh}`).toBeLessThan(2);
    } finally {
      await page.close();
    }
  });
});
