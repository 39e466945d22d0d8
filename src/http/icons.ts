import { FAVICON_ICO, ICON_PNG_128, ICON_SVG } from "../shared/icon.ts";
import { WORKLOAD_ICON_SVGS } from "../shared/workload-icons.ts";

/** Icons change only with a release: browsers may keep them for a day. */
function iconResponse(body: BodyInit, contentType: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Cache-Control": "public, max-age=86400",
      "X-Content-Type-Options": "nosniff",
      // An SVG opened on its own is a document: it may draw, never run or load anything.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}

/**
 * `/favicon.ico`, `/icon.svg` and `/icon.png`: the server's icon for browsers
 * and MCP clients; `/icons/<workload>.svg`: the icons its resources and
 * prompts carry (as data URIs), at an address of their own.
 */
export const ICON_ROUTES: Record<string, () => Response> = {
  "/favicon.ico": () => iconResponse(FAVICON_ICO, "image/x-icon"),
  "/icon.svg": () => iconResponse(ICON_SVG, "image/svg+xml"),
  "/icon.png": () => iconResponse(ICON_PNG_128, "image/png"),
  ...Object.fromEntries(
    Object.entries(WORKLOAD_ICON_SVGS).map(([workload, svg]) => [
      `/icons/${workload}.svg`,
      () => iconResponse(svg, "image/svg+xml"),
    ]),
  ),
};
