/** Server version, reported in MCP `initialize` and `/health`. */
export const SERVER_VERSION = "0.1.0";
export const SERVER_NAME = "m365-mcp-server";
