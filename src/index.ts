import { Hono } from "hono";
import { bearerChallenge, oauthProviderFor, publicOrigin } from "./auth/provider.ts";
import { bearerFromWebSocketRequest, mcpBrowserSecurity } from "./http/browser-security.ts";
import { healthReport } from "./http/health.ts";
import { htmlResponse } from "./http/html.ts";
import { landingPage } from "./http/landing.ts";
import { withBoundedBody } from "./http/limits.ts";
import { logRequest, redactedPath } from "./observability.ts";
import { handleAnonymousJsonRpc, isPlainJsonRpcPost } from "./http/plain-json-rpc.ts";
import "./env.ts";

export { McpSessionAgent } from "./agent/session-agent.ts";
export { UserAccount } from "./agent/user-account.ts";
export { RateLimiter } from "./http/limits.ts";

const app = new Hono<{ Bindings: Env }>();

// One log line per HTTP request, with an id the response carries (X-Request-Id).
app.use("*", async (c, next) => {
  const started = Date.now();
  const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
  await next();
  const url = new URL(c.req.url);
  const session = c.req.header("mcp-session-id") ?? url.searchParams.get("sessionId") ?? undefined;
  logRequest({
    requestId,
    method: c.req.method,
    path: redactedPath(url),
    status: c.res.status,
    latencyMs: Date.now() - started,
    protocol:
      (c.req.header("Upgrade") ?? "").toLowerCase() === "websocket"
        ? "websocket"
        : (c.req.header("Accept") ?? "").includes("text/event-stream")
          ? "sse"
          : "http",
    ...(session ? { session: session.slice(0, 8) } : {}),
  });
  if (c.res.status !== 101) {
    try {
      c.res.headers.set("X-Request-Id", requestId);
    } catch {
      // Immutable headers (a proxied response): the log line still has the id.
    }
  }
});

// MCP messages over the size limit are refused before anything parses them.
for (const path of ["/mcp", "/sse", "/sse/*"]) {
  app.post(path, async (c, next) => {
    const bounded = await withBoundedBody(c.req.raw);
    if (bounded instanceof Response) return bounded;
    c.req.raw = bounded;
    return next();
  });
}

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
