/**
 * Token budgets, measured the way a model meets them (o200k tokenizer):
 * the whole `tools/list` as the server serves it, and listing results
 * against Graph's raw JSON for the same items with Graph's default fields.
 * Used by `npm run tokens` (which prints) and test/e2e/budgets.test.ts (which guards).
 */
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { signIn as signInToEmulator } from "../emulator/helpers.ts";
import { connectWithSignIn } from "../e2e/mcp-clients.ts";

/** The full catalog's limit, in o200k tokens of the whole tools/list result. */
export const CATALOG_TOKEN_BUDGET = 12_000;
/** A listing result must be at least this many times smaller than Graph's raw JSON. */
export const LISTING_MIN_RATIO = 3;

export interface CatalogFigures {
  tools: number;
  tokens: number;
  perTool: { name: string; tokens: number }[];
}

/** tools/list as curl gets it from /sse, counted whole and per tool. */
export async function measureCatalog(workerUrl: string): Promise<CatalogFigures> {
  const response = await fetch(`${workerUrl}/sse`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  const body = (await response.json()) as { result: { tools: { name: string }[] } };
  const tools = body.result.tools;
  return {
    tools: tools.length,
    tokens: countTokens(JSON.stringify(body.result)),
    perTool: tools.map((tool) => ({ name: tool.name, tokens: countTokens(JSON.stringify(tool)) })),
  };
}

/** One listing: a tool call and the raw Graph request that returns the same items. */
export interface ListingCase {
  label: string;
  tool: string;
  args: Record<string, unknown>;
  /** Path under /v1.0 with the same items and Graph's default fields (no $select). */
  rawPath: string;
  rawHeaders?: Record<string, string>;
  /** How many items the listing must hold for the comparison to mean anything. */
  items: number;
}

export interface ListingFigures {
  label: string;
  items: number;
  textTokens: number;
  structuredTokens: number;
  rawTokens: number;
  /** Raw tokens over the larger of the two renderings. */
  ratio: number;
}

function isoDay(offsetDays: number): string {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  return new Date(day.getTime() + offsetDays * 86_400_000).toISOString();
}

/** The listings the issue names: 10 emails, 10 events, 20 files, 20 contacts. */
export function listingCases(): ListingCase[] {
  const start = isoDay(-14);
  const end = isoDay(21);
  return [
    {
      label: "10 emails (getEmails)",
      tool: "getEmails",
      args: { count: 10 },
      rawPath: "/me/mailFolders/inbox/messages?$top=10&$orderby=receivedDateTime%20desc",
      items: 10,
    },
    {
      label: "10 events (getCalendarEvents)",
      tool: "getCalendarEvents",
      args: { start, end, count: 10, timeZone: "UTC" },
      rawPath: `/me/calendarView?startDateTime=${start}&endDateTime=${end}&$top=10&$orderby=start/dateTime`,
      rawHeaders: { Prefer: 'outlook.timezone="UTC"' },
      items: 10,
    },
    {
      label: "20 files (listFiles)",
      tool: "listFiles",
      args: { path: "/", count: 20 },
      rawPath: "/me/drive/root/children?$top=20",
      items: 20,
    },
    {
      label: "20 contacts (getContacts)",
      tool: "getContacts",
      args: { count: 20 },
      rawPath: "/me/contacts?$top=20",
      items: 20,
    },
  ];
}

const ALL_READ_SCOPES =
  "openid profile email offline_access User.Read Mail.Read Calendars.Read Contacts.Read Files.Read MailboxSettings.Read";

/** Calls each listing tool as Adele and fetches the same items raw from the emulator. */
export async function measureListings(workerUrl: string, emulatorUrl: string): Promise<ListingFigures[]> {
  const { client } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
    "adele@contoso.example",
  );
  const raw = await signInToEmulator(emulatorUrl, "adele@contoso.example", ALL_READ_SCOPES);
  try {
    const figures: ListingFigures[] = [];
    for (const listing of listingCases()) {
      figures.push(await measureOne(client, listing, emulatorUrl, raw.access_token));
    }
    return figures;
  } finally {
    await client.close();
  }
}

async function measureOne(
  client: Client,
  listing: ListingCase,
  emulatorUrl: string,
  rawToken: string,
): Promise<ListingFigures> {
  const result = (await client.callTool({ name: listing.tool, arguments: listing.args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  if (result.isError) throw new Error(`${listing.tool} failed: ${text}`);
  const response = await fetch(`${emulatorUrl}/v1.0${listing.rawPath}`, {
    headers: { Authorization: `Bearer ${rawToken}`, ...listing.rawHeaders },
  });
  if (!response.ok) throw new Error(`raw ${listing.rawPath}: ${response.status} ${await response.text()}`);
  const rawBody = (await response.json()) as { value: unknown[] };
  const textTokens = countTokens(text);
  const structuredTokens = result.structuredContent ? countTokens(JSON.stringify(result.structuredContent)) : 0;
  const rawTokens = countTokens(JSON.stringify(rawBody));
  return {
    label: listing.label,
    items: rawBody.value.length,
    textTokens,
    structuredTokens,
    rawTokens,
    ratio: rawTokens / Math.max(textTokens, structuredTokens),
  };
}
