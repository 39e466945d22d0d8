import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RuntimeConfig } from "../config.ts";
import { authenticate, logout, registerProfileResource, RESOURCE_SCOPES } from "./account.ts";
import { registerTools, serveCompactToolList, type ToolContext, type ToolSpec } from "./define.ts";
import { mailTools } from "./mail.ts";
import { registerPrompts } from "./prompts.ts";

/** Every tool the server offers, in the order clients list them. */
export const TOOLS: readonly ToolSpec[] = [authenticate, logout, ...mailTools] as readonly ToolSpec[];

/** The Graph permissions to request at sign-in: exactly what the tools and resources need. */
export function graphScopes(tools: readonly ToolSpec[] = TOOLS): string[] {
  return [...new Set([...RESOURCE_SCOPES, ...tools.flatMap((tool) => tool.scopes)])].sort();
}

/** Registers the catalog (tools, resources and prompts) on one MCP server, less the tools the runtime config disables. */
export function registerCatalog(server: McpServer, context: () => ToolContext, config?: RuntimeConfig): void {
  const disabled = new Set(config?.disabledTools ?? []);
  const enabled = TOOLS.filter((tool) => !disabled.has(tool.name));
  registerTools(server, enabled, context);
  serveCompactToolList(server, enabled);
  registerProfileResource(server, context);
  registerPrompts(server);
}

export const SERVER_INSTRUCTIONS =
  "Microsoft 365 for the signed-in user through Microsoft Graph. Listing tools return ids for follow-up calls and a cursor for more. Writes (sendEmail) act immediately as the user: confirm with them first.";
