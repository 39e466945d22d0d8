import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { authorizationRoutes } from "./auth/authorize.ts";
import { bearerChallenge, oauthProviderFactory } from "./auth/provider.ts";
import { refreshTokenReplay } from "./auth/refresh-replay.ts";
import { registrationLimits } from "./auth/registration-limits.ts";
import { omitEmptyScope } from "./auth/token-response.ts";
import { logoutEndpoint, mcpGate } from "./http/gate.ts";
import { healthReport } from "./http/health.ts";
import { forgetUserEndpoint } from "./http/operator.ts";
import { ICON_ROUTES } from "./http/icons.ts";
import { htmlResponse } from "./shared/html.ts";
import { landingPage } from "./http/landing.ts";
import { hostPolicy, originPolicy } from "./http/origin-policy.ts";
import { answerAnonymously, isPlainJsonRpcPost } from "./http/transports/json-rpc.ts";
import { bearerFromWebSocketRequest, isWebSocketUpgrade } from "./http/transports/websocket.ts";
import { logRequest, redactedPath } from "./observability.ts";
import { jsonRpcError, MAX_REQUEST_BYTES } from "./protocol/json-rpc.ts";
import { limitAnonymous } from "./session/rate-limits.ts";
import "./env.ts";

export { McpSession } from "./session/session-object.ts";
export { UserAccount } from "./session/account/user-account.ts";

type App = { Bindings: Env; Variables: { origin: string } };

const oauthProviderFor = oauthProviderFactory({
  api: { "/mcp": mcpGate, "/sse": mcpGate, "/logout": logoutEndpoint },
  fallback: { fetch: (request, env, ctx) => authorizationRoutes.fetch(request, env, ctx) },
});

const MCP_PATHS = ["/mcp", "/mcp/*", "/sse", "/sse/*"];

const app = new Hono<App>();

// One log line per HTTP request, with an id the response carries (X-Request-Id).
app.use("*", async (c, next) => {
  const started = Date.now();
  const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
  await next();
  const upgrade = isWebSocketUpgrade(c.req.raw);
  logRequest({
    requestId,
    method: c.req.method,
    path: redactedPath(new URL(c.req.url)),
    status: c.res.status,
    latencyMs: Date.now() - started,
    protocol: upgrade ? "websocket" : (c.req.header("Accept") ?? "").includes("text/event-stream") ? "sse" : "http",
  });
  if (c.res.status !== 101) {
    try {
      c.res.headers.set("X-Request-Id", requestId);
    } catch {
      // Immutable headers (a proxied response): the log line still has the id.
    }
  }
});

app.use("*", hostPolicy);

// Anonymous callers (discovery, registration, sign-in pages) are limited per client address.
app.use("*", async (c, next) => {
  if (c.req.header("Authorization") || isWebSocketUpgrade(c.req.raw)) return next();
  const refused = await limitAnonymous(c.env, c.req.raw);
  if (!refused) return next();
  return c.json({ error: "rate_limited", error_description: refused.message }, 429, {
    "Retry-After": String(refused.retryAfterSeconds),
  });
});

for (const path of MCP_PATHS) {
  // MCP messages over the size limit are refused before anything parses them.
  app.post(
    path,
    bodyLimit({
      maxSize: MAX_REQUEST_BYTES,
      onError: () =>
        jsonRpcError(
          null,
          -32600,
          "Request body is over 4 MB; this server accepts MCP messages up to 4 MB. Send files larger than that with uploadFile's sourceUrl.",
          413,
        ),
    }),
  );
  app.use(path, originPolicy);
  app.use(path, async (c, next) => {
    // A WebSocket's 101 carries no CORS headers (browsers do not ask for them).
    if (isWebSocketUpgrade(c.req.raw)) return next();
    return cors({
      origin: (origin) => origin || null,
      allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
      allowHeaders: [
        "Authorization",
        "Content-Type",
        "Accept",
        "Last-Event-ID",
        "mcp-session-id",
        "mcp-protocol-version",
      ],
      exposeHeaders: ["mcp-session-id", "WWW-Authenticate"],
      maxAge: 86400,
    })(c, next);
  });
}

// OAuth endpoints the provider serves, with the bounds and replay rule it lacks.
for (const step of registrationLimits) app.post("/register", step);
app.post("/token", refreshTokenReplay, omitEmptyScope);

app.get("/", (c) => htmlResponse(landingPage(c.get("origin"), c.env)));
for (const [path, serve] of Object.entries(ICON_ROUTES)) app.get(path, serve);
app.get("/health", (c) => healthReport(c.env));
app.post("/operator/forget-user", (c) => forgetUserEndpoint(c.req.raw, c.env));

// curl and other plain JSON-RPC callers may list the catalog without signing in.
app.post("/sse", async (c, next) => {
  if (c.req.header("Authorization") || !isPlainJsonRpcPost(c.req.raw)) return next();
  return answerAnonymously(c.req.raw, c.env, bearerChallenge(c.get("origin")));
});

// Everything else: OAuth metadata, registration, token, /authorize and /callback,
// and the token-protected endpoints, which the provider hands to the gate.
app.all("*", (c) => {
  const request = bearerFromWebSocketRequest(c.req.raw);
  // A copy per request: the provider leaves its helpers on the env it is given,
  // and each origin's provider must find its own.
  return oauthProviderFor(c.get("origin")).fetch(request, { ...c.env }, c.executionCtx as ExecutionContext);
});

// An unexpected failure answers without internals; the log line carries no request data.
app.onError((error, c) => {
  console.error(JSON.stringify({ event: "unhandled_error", path: new URL(c.req.url).pathname, error: error.name }));
  return c.json({ error: "internal_error", error_description: "The server failed unexpectedly; try again." }, 500);
});

export default app;
