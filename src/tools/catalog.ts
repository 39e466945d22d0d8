/** The catalog's public face: everything outside src/tools imports from here and nowhere else in it. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { selectTools, type RuntimeConfig } from "../config.ts";
import { accountResources, accountTools } from "./account/index.ts";
import { calendarResources, calendarTools } from "./calendar/index.ts";
import { contactTools } from "./contacts/index.ts";
import { fileResources, fileTools } from "./files/index.ts";
import { groupTools } from "./groups/index.ts";
import { serveCompactToolList } from "./listing.ts";
import { mailResources, mailTools } from "./mail/index.ts";
import { registerResources, registerTools } from "./pipeline/run.ts";
import { registerPrompts } from "./prompts.ts";
import { searchTools } from "./search/index.ts";
import type { ResourceSpec, ToolContext, ToolSpec } from "./spec.ts";
import { taskTools } from "./tasks/index.ts";
import { teamsResources, teamsTools } from "./teams/index.ts";

export type {
  AccountSummary,
  CacheKind,
  CallServices,
  OnceOutcome,
  OnceRecord,
  ToolContext,
  ToolSpec,
} from "./spec.ts";

/** Every tool the server offers, in the order clients list them. */
export const TOOLS: readonly ToolSpec[] = [
  ...accountTools,
  ...mailTools,
  ...calendarTools,
  ...contactTools,
  ...teamsTools,
  ...groupTools,
  ...fileTools,
  ...taskTools,
  ...searchTools,
] as readonly ToolSpec[];

/** Every resource the server offers; each comes with the enabled tools it names. */
const RESOURCES: readonly ResourceSpec[] = [
  ...accountResources,
  ...mailResources,
  ...teamsResources,
  ...calendarResources,
  ...fileResources,
];

/** A tool's workload, for TOOL_PRESET: the kind of data it reads or changes. */
export function workloadOf(tool: ToolSpec): string {
  if (tool.name === "graphQuery") return "search";
  const kind = tool.cacheKind ?? tool.invalidates?.[0];
  if (kind === "directory") return "contacts";
  return kind ?? "core";
}

/** The tools a deployment offers under its environment settings and runtime config. */
export function enabledTools(env: Parameters<typeof selectTools>[2], runtime?: RuntimeConfig): ToolSpec[] {
  return selectTools(TOOLS, workloadOf, env, runtime);
}

/**
 * The Graph permissions to request at sign-in: exactly what the given tools
 * and the resources offered whatever is enabled need (the others read no
 * more than the tools they come with).
 */
export function graphScopes(tools: readonly ToolSpec[] = TOOLS): string[] {
  const alwaysOffered = RESOURCES.filter((resource) => !resource.offeredWith).flatMap((resource) => resource.scopes);
  return [...new Set([...alwaysOffered, ...tools.flatMap((tool) => tool.scopes)])].sort();
}

/**
 * Registers the catalog (tools, resources and prompts) on one MCP server:
 * the tools the environment (READ_ONLY, TOOL_PRESET, ENABLED_TOOLS) and the
 * runtime config in CONFIG_KV enable.
 */
export function registerCatalog(
  server: McpServer,
  context: () => ToolContext,
  env: Parameters<typeof selectTools>[2],
  config?: RuntimeConfig,
): void {
  const enabled = enabledTools(env, config);
  registerTools(server, enabled, context);
  serveCompactToolList(server, enabled);
  registerResources(server, RESOURCES, enabled, context);
  registerPrompts(server, context);
}

export const SERVER_INSTRUCTIONS =
  "Microsoft 365 (mail, calendar, contacts, Teams, OneDrive/SharePoint files, To Do, search) for the signed-in user through Microsoft Graph. Listings return ids for follow-up tools and a nextCursor for more. Reads may be served from a cache up to two minutes old (contacts and directory longer); pass fresh: true for live data. Tools that send, create, change or delete act at once as the user: confirm with them first. Send and create tools take an idempotencyKey so a retry never acts twice. Errors start with a code in brackets (auth_required, consent_required, throttled, ...); consent_required carries a link: give it to the user, and call again once they have granted the permission.";
