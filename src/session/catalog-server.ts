import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { RuntimeConfig } from "../config.ts";
import { withPlainErrorMessage } from "../protocol/json-rpc.ts";
import { registerCatalog, SERVER_INSTRUCTIONS, type ToolContext } from "../tools/catalog.ts";
import { MCP_ICONS } from "../shared/icon.ts";
import { SERVER_NAME, SERVER_VERSION } from "../version.ts";

/** The catalog's MCP server: on every transport it connects to, protocol errors leave with their plain message. */
class CatalogServer extends McpServer {
  override async connect(transport: Transport): Promise<void> {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(withPlainErrorMessage(message), options);
    await super.connect(transport);
  }
}

/** A new MCP server with the catalog the runtime config allows, its handlers bound to `context`. */
export function createCatalogServer(context: () => ToolContext, env: Env, config?: RuntimeConfig): McpServer {
  const server = new CatalogServer(
    {
      name: SERVER_NAME,
      title: "Microsoft 365",
      version: SERVER_VERSION,
      description:
        "Mail, calendar, contacts, Teams, files, To Do tasks and search in Microsoft 365, through Microsoft Graph.",
      // In initialize only: tools/list stays as small as it was (a model reads that one).
      icons: MCP_ICONS,
    },
    // logging: clients may set a level (logging/setLevel); the server sends no log messages yet.
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  registerCatalog(server, context, env, config);
  return server;
}
