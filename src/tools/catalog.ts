import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { selectTools, type RuntimeConfig } from "../config.ts";
import { authenticate, logout, registerProfileResource, RESOURCE_SCOPES } from "./account.ts";
import { calendarTools, registerCalendarResources } from "./calendar.ts";
import { contactTools } from "./contacts.ts";
import { fileTools, registerFileResources } from "./files.ts";
import { serveCompactToolList } from "./listing.ts";
import { mailTools, registerMailResources } from "./mail.ts";
import { registerTools } from "./pipeline/run.ts";
import { registerPrompts } from "./prompts.ts";
import { searchTools } from "./search.ts";
import type { ToolContext, ToolSpec } from "./spec.ts";
import { taskTools } from "./tasks.ts";
import { registerTeamsResources, teamsTools } from "./teams.ts";

export type { AccountSummary, CacheKind, CallServices, OnceRecord, ToolContext } from "./spec.ts";

/** Every tool the server offers, in the order clients list them. */
export const TOOLS: readonly ToolSpec[] = [
  authenticate,
  logout,
  ...mailTools,
  ...calendarTools,
  ...contactTools,
  ...teamsTools,
  ...fileTools,
  ...taskTools,
  ...searchTools,
] as readonly ToolSpec[];

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

/** The Graph permissions to request at sign-in: exactly what the given tools and the resources need. */
export function graphScopes(tools: readonly ToolSpec[] = TOOLS): string[] {
  return [...new Set([...RESOURCE_SCOPES, ...tools.flatMap((tool) => tool.scopes)])].sort();
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
  registerProfileResource(server, context);
  if (enabled.some((tool) => tool.cacheKind === "mail")) registerMailResources(server, context);
  if (enabled.some((tool) => tool.cacheKind === "teams")) registerTeamsResources(server, context);
  if (enabled.some((tool) => tool.cacheKind === "calendar")) registerCalendarResources(server, context);
  if (enabled.some((tool) => tool.name === "readFile")) registerFileResources(server, context);
  registerPrompts(server, context);
}

export const SERVER_INSTRUCTIONS =
  "Microsoft 365 (mail, calendar, contacts, Teams, OneDrive/SharePoint files, To Do, search) for the signed-in user through Microsoft Graph. Listings return ids for follow-up tools and a nextCursor for more. Reads may be served from a cache up to two minutes old (contacts and directory longer); pass fresh: true for live data. Tools that send, create, change or delete act at once as the user: confirm with them first. Send and create tools take an idempotencyKey so a retry never acts twice. Errors start with a code in brackets (auth_required, consent_required, throttled, ...).";
