import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RuntimeConfig } from "../config.ts";
import { registerCatalog, SERVER_INSTRUCTIONS, type ToolContext } from "../tools/catalog.ts";
import { SERVER_NAME, SERVER_VERSION } from "../version.ts";

/** A new MCP server with the catalog the runtime config allows, its handlers bound to `context`. */
export function createCatalogServer(context: () => ToolContext, env: Env, config?: RuntimeConfig): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, title: "Microsoft 365", version: SERVER_VERSION },
    // logging: clients may set a level (logging/setLevel); the server sends no log messages yet.
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  registerCatalog(server, context, env, config);
  return server;
}
