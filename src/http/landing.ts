import { TOOLS } from "../tools/catalog.ts";
import { SERVER_VERSION } from "../version.ts";
import { escapeHtml, htmlPage } from "../shared/html.ts";

/** `/`: what this server is and how to connect a client to it. */
export function landingPage(origin: string, env: Env): string {
  const demo = !env.MICROSOFT_AUTHORITY_URL.includes("login.microsoftonline.com");
  const mcpUrl = `${origin}/mcp`;
  const sseUrl = `${origin}/sse`;
  const claudeConfig = JSON.stringify(
    { mcpServers: { m365: { command: "npx", args: ["mcp-remote", mcpUrl] } } },
    null,
    2,
  );
  const curl = `curl -X POST ${sseUrl} -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'`;
  const tools = TOOLS.map((tool) => `<li><code>${escapeHtml(tool.name)}</code>: ${escapeHtml(tool.title)}</li>`).join(
    "",
  );
  return htmlPage(
    "Microsoft 365 MCP server",
    `<h1>Microsoft 365 MCP server</h1>
<p>A remote <a href="https://modelcontextprotocol.io">Model Context Protocol</a> server that lets AI assistants work in your Microsoft 365 mail through Microsoft Graph, after you sign in with Microsoft. Version ${escapeHtml(SERVER_VERSION)}.</p>
${demo ? `<p class="warn">This server signs in against the <strong>demo tenant</strong> of the built-in Microsoft emulator (${escapeHtml(env.MICROSOFT_AUTHORITY_URL)}), not real Microsoft 365.</p>` : ""}
<h2>Connect</h2>
<ul><li>Streamable HTTP: <code>${escapeHtml(mcpUrl)}</code></li><li>SSE, WebSocket and plain JSON-RPC: <code>${escapeHtml(sseUrl)}</code></li></ul>
<p>Claude Desktop (through mcp-remote), in <code>claude_desktop_config.json</code>:</p>
<pre>${escapeHtml(claudeConfig)}</pre>
<p>MCP Inspector: <code>npx @modelcontextprotocol/inspector</code>, transport Streamable HTTP, URL <code>${escapeHtml(mcpUrl)}</code>.</p>
<p>List the tools without signing in:</p>
<pre>${escapeHtml(curl)}</pre>
<h2>Tools</h2><ul>${tools}</ul>
<p class="muted">Health: <a href="/health">/health</a></p>`,
  );
}
