import { Hono } from "hono";
import { bearerChallenge, oauthProviderFor, publicOrigin } from "./auth/provider.ts";
import { bearerFromWebSocketRequest, mcpBrowserSecurity } from "./http/browser-security.ts";
import { healthReport } from "./http/health.ts";
import { htmlResponse } from "./http/html.ts";
import { landingPage } from "./http/landing.ts";
import { handleAnonymousJsonRpc, isPlainJsonRpcPost } from "./http/plain-json-rpc.ts";
import "./env.ts";

export { McpSessionAgent } from "./agent/session-agent.ts";
export { UserAccount } from "./agent/user-account.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) => htmlResponse(landingPage(publicOrigin(c.req.raw, c.env), c.env)));
app.get("/health", (c) => healthReport(c.env));

app.use("/mcp", mcpBrowserSecurity);
app.use("/mcp/*", mcpBrowserSecurity);
app.use("/sse", mcpBrowserSecurity);
app.use("/sse/*", mcpBrowserSecurity);

// curl and other plain JSON-RPC callers may list the catalog without signing in.
app.post("/sse", async (c, next) => {
  if (c.req.header("Authorization") || !isPlainJsonRpcPost(c.req.raw)) return next();
  return handleAnonymousJsonRpc(c.req.raw, c.env, bearerChallenge(publicOrigin(c.req.raw, c.env)));
});

// Everything else: OAuth metadata, registration, token, /authorize and /callback,
// and the token-protected MCP endpoints /mcp and /sse.
app.all("*", (c) => {
  const request = bearerFromWebSocketRequest(c.req.raw);
  return oauthProviderFor(publicOrigin(request, c.env)).fetch(request, c.env, c.executionCtx as ExecutionContext);
});

// An unexpected failure answers without internals; the log line carries no request data.
app.onError((error, c) => {
  console.error(JSON.stringify({ event: "unhandled_error", path: new URL(c.req.url).pathname, error: error.name }));
  return c.json({ error: "internal_error", error_description: "The server failed unexpectedly; try again." }, 500);
});

export default app;
