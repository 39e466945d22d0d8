/**
 * An icon for each workload that resources or prompts belong to, drawn like
 * the server's icon (a 64 px rounded square, a white glyph), each in its
 * workload's colour, so a client can show what a resource or prompt is about.
 * Never on tools: tools/list is read whole by a model and has no tokens to spare.
 */

const tile = (colour: string, glyph: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${colour}"/>${glyph}</svg>`;

export const WORKLOAD_ICON_SVGS = {
  /** A person: the signed-in account. */
  account: tile(
    "#616161",
    '<circle cx="32" cy="24" r="9" fill="#fff"/><path d="M15 49a17 14 0 0 1 34 0z" fill="#fff"/>',
  ),
  /** An envelope. */
  mail: tile(
    "#0078d4",
    '<rect x="13" y="18" width="38" height="28" rx="3" fill="#fff"/><path d="M16 22l16 12 16-12" fill="none" stroke="#0078d4" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>',
  ),
  /** A calendar page with one day marked. */
  calendar: tile(
    "#038387",
    '<rect x="14" y="16" width="36" height="34" rx="4" fill="#fff"/><rect x="14" y="24" width="36" height="3" fill="#038387"/><rect x="21" y="12" width="4" height="8" rx="2" fill="#fff"/><rect x="39" y="12" width="4" height="8" rx="2" fill="#fff"/><rect x="35" y="34" width="8" height="8" rx="1.5" fill="#038387"/>',
  ),
  /** A chat bubble: chats and channel posts. */
  teams: tile(
    "#5b5fc7",
    '<path d="M17 15h30a4 4 0 0 1 4 4v19a4 4 0 0 1-4 4H29l-9 8v-8h-3a4 4 0 0 1-4-4V19a4 4 0 0 1 4-4z" fill="#fff"/><circle cx="23" cy="28.5" r="2.5" fill="#5b5fc7"/><circle cx="32" cy="28.5" r="2.5" fill="#5b5fc7"/><circle cx="41" cy="28.5" r="2.5" fill="#5b5fc7"/>',
  ),
  /** A folder: OneDrive and SharePoint files. */
  files: tile(
    "#ca5010",
    '<path d="M13 20a3 3 0 0 1 3-3h10l5 5h17a3 3 0 0 1 3 3v21a3 3 0 0 1-3 3H16a3 3 0 0 1-3-3z" fill="#fff"/><rect x="13" y="27" width="38" height="2.5" fill="#ca5010" fill-opacity=".35"/>',
  ),
} as const;

export type IconWorkload = keyof typeof WORKLOAD_ICON_SVGS;

/**
 * Each workload's MCP `icons` (protocol 2025-11-25): a data URI, as the
 * server's own MCP_ICONS are and for the same reasons (no origin to pick,
 * nothing for the client to fetch).
 */
export const WORKLOAD_MCP_ICONS = Object.fromEntries(
  Object.entries(WORKLOAD_ICON_SVGS).map(([workload, svg]) => [
    workload,
    [{ src: `data:image/svg+xml;base64,${btoa(svg)}`, mimeType: "image/svg+xml", sizes: ["any"] }],
  ]),
) as Record<IconWorkload, { src: string; mimeType: string; sizes: string[] }[]>;
