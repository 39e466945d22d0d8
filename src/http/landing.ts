import { TOOLS, workloadOf } from "../tools/catalog.ts";
import { SERVER_VERSION } from "../version.ts";
import { escapeHtml, htmlPage } from "../shared/html.ts";
import { ICON_SVG } from "../shared/icon.ts";

/** The workloads in the order the page shows them, with what a person calls them. */
const WORKLOADS: readonly { key: string; name: string }[] = [
  { key: "mail", name: "Mail" },
  { key: "calendar", name: "Calendar" },
  { key: "contacts", name: "Contacts and people" },
  { key: "teams", name: "Teams" },
  { key: "files", name: "OneDrive and SharePoint files" },
  { key: "tasks", name: "To Do tasks" },
  { key: "search", name: "Search" },
  { key: "core", name: "Your account" },
];

function toolSections(): string {
  return WORKLOADS.map(({ key, name }) => {
    const tools = TOOLS.filter((tool) => workloadOf(tool) === key);
    if (tools.length === 0) return "";
    const items = tools
      .map((tool) => `<li><code>${escapeHtml(tool.name)}</code> ${escapeHtml(tool.title)}</li>`)
      .join("");
    return `<h3>${escapeHtml(name)}</h3><ul>${items}</ul>`;
  }).join("\n");
}

function snippet(label: string, code: string): string {
  return `<p>${label}</p>\n<pre>${escapeHtml(code)}</pre>`;
}

/** `/`: what this server is and how to connect a client to it. */
export function landingPage(origin: string, env: Env): string {
  const demo = !env.MICROSOFT_AUTHORITY_URL.includes("login.microsoftonline.com");
  const mcpUrl = `${origin}/mcp`;
  const sseUrl = `${origin}/sse`;
  const webSocketUrl = `${origin.replace(/^http/, "ws")}/sse`;
  const claudeConfig = `{
  "mcpServers": {
    "m365": {
      "command": "npx",
      "args": ["mcp-remote", ${JSON.stringify(mcpUrl)}]
    }
  }
}`;
  const inspector = `npx @modelcontextprotocol/inspector --cli ${mcpUrl} \\\n  --transport http --method tools/list`;
  const webSocket = `// Subprotocol "mcp"; where no header can be set, the token is a second one.
const bearer = "bearer." + btoa(accessToken)
  .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const socket = new WebSocket(
  "${webSocketUrl}",
  ["mcp", bearer],
);`;
  const curl = `curl -X POST ${sseUrl} \\
  -H 'Content-Type: application/json' \\
  -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'`;
  return htmlPage(
    "Microsoft 365 MCP server",
    `<header>${ICON_SVG.replace("<svg ", `<svg aria-hidden="true" `)}<h1>Microsoft 365 MCP server</h1></header>
<p>A remote <a href="https://modelcontextprotocol.io">Model Context Protocol</a> server that lets AI assistants work in your Microsoft 365 through Microsoft Graph, as you, after you sign in with Microsoft: <strong>mail, calendar, contacts, Teams chats and channels, OneDrive and SharePoint files, To Do tasks and search</strong>. ${TOOLS.length} tools; version ${escapeHtml(SERVER_VERSION)}.</p>
${demo ? `<p class="warn">This server signs in against the <strong>demo tenant</strong> of the <a href="${escapeHtml(env.MICROSOFT_AUTHORITY_URL)}">built-in Microsoft emulator</a>, not real Microsoft 365.</p>` : ""}
<h2>Connect</h2>
<p>Every client signs in with OAuth: it registers itself, you allow it on this server's page, then sign in with Microsoft.</p>
<ul><li>Streamable HTTP: <code>${escapeHtml(mcpUrl)}</code></li><li>SSE, WebSocket and plain JSON-RPC: <code>${escapeHtml(sseUrl)}</code></li></ul>
${snippet("<strong>Claude Desktop</strong> (through mcp-remote), in <code>claude_desktop_config.json</code>:", claudeConfig)}
<p><strong>MCP Inspector</strong>: run <code>npx @modelcontextprotocol/inspector</code>, choose transport Streamable HTTP and URL <code>${escapeHtml(mcpUrl)}</code>, then Connect. Or from a terminal:</p>
<pre>${escapeHtml(inspector)}</pre>
<p><strong>Web connectors</strong> (Claude, ChatGPT and other hosted assistants): add a custom connector with the URL <code>${escapeHtml(mcpUrl)}</code>, or <code>${escapeHtml(sseUrl)}</code> where only SSE is offered.</p>
${snippet(`<strong>WebSocket</strong>: <code>${escapeHtml(webSocketUrl)}</code> with subprotocol <code>mcp</code> and an <code>Authorization: Bearer</code> header, or in a browser:`, webSocket)}
${snippet("<strong>curl</strong>: list the tools without signing in.", curl)}
<h2>What an assistant can do</h2>
${toolSections()}
<p class="muted">Health: <a href="/health">/health</a></p>`,
  );
}
