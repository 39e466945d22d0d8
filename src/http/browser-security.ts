import type { MiddlewareHandler } from "hono";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith("127.");
}

/**
 * Browser origins allowed to call the MCP endpoints: this server's own, the
 * ones listed in ALLOWED_ORIGINS, and any loopback origin while the server
 * itself runs on loopback (the MCP Inspector in local development). Refusing
 * the rest stops DNS-rebinding pages from reaching a local server.
 */
export function isAllowedOrigin(origin: string, requestUrl: URL, env: Env): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === requestUrl.origin) return true;
  if (env.PUBLIC_URL && parsed.origin === new URL(env.PUBLIC_URL).origin) return true;
  const listed = (env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (listed.includes(parsed.origin)) return true;
  return isLoopback(requestUrl) && isLoopback(parsed);
}

const ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Last-Event-ID, mcp-session-id, mcp-protocol-version";
const EXPOSED_HEADERS = "mcp-session-id, WWW-Authenticate";

/** Origin validation and CORS for the MCP endpoints. */
export const mcpBrowserSecurity: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const origin = c.req.header("Origin");
  if (origin && !isAllowedOrigin(origin, new URL(c.req.url), c.env)) {
    return c.json(
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: `Forbidden: origin ${origin} is not allowed to use this server` },
      },
      403,
    );
  }
  if (c.req.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: {
        ...(origin ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : {}),
        "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Access-Control-Max-Age": "86400",
      },
    });
  }
  await next();
  if (origin && c.res.status !== 101) {
    const headers = new Headers(c.res.headers);
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    headers.append("Vary", "Origin");
    c.res = new Response(c.res.body, { status: c.res.status, statusText: c.res.statusText, headers });
  }
};

/**
 * WebSocket clients cannot always set headers: they may pass the bearer token
 * as a subprotocol `bearer.<base64url token>` or as `?access_token=`. Both
 * become an Authorization header, and leave the URL and protocol list.
 */
export function bearerFromWebSocketRequest(request: Request): Request {
  if ((request.headers.get("Upgrade") ?? "").toLowerCase() !== "websocket" || request.headers.has("Authorization")) {
    return request;
  }
  const url = new URL(request.url);
  const protocols = (request.headers.get("Sec-WebSocket-Protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const bearerProtocol = protocols.find((protocol) => protocol.startsWith("bearer."));
  let token = url.searchParams.get("access_token");
  if (bearerProtocol) {
    const encoded = bearerProtocol.slice("bearer.".length).replace(/-/g, "+").replace(/_/g, "/");
    try {
      token = atob(encoded.padEnd(encoded.length + ((4 - (encoded.length % 4)) % 4), "="));
    } catch {
      token = null;
    }
  }
  if (!token) return request;
  url.searchParams.delete("access_token");
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  const remaining = protocols.filter((protocol) => protocol !== bearerProtocol);
  if (remaining.length > 0) headers.set("Sec-WebSocket-Protocol", remaining.join(", "));
  else headers.delete("Sec-WebSocket-Protocol");
  return new Request(url, { method: request.method, headers });
}
