import { commaList } from "../../shared/text.ts";
import { newSessionId, SESSION_HEADER, sessionObject, type Caller } from "../../session/session-object.ts";

export function isWebSocketUpgrade(request: Request): boolean {
  return (request.headers.get("Upgrade") ?? "").toLowerCase() === "websocket";
}

/**
 * WebSocket clients (subprotocol `mcp`) get a session of their own. The
 * session object accepts the socket, answers its messages, counts them
 * against the user's limits, and closes it when the token that opened it
 * expires or the user signs out.
 */
export async function connectWebSocket(request: Request, env: Env, caller: Caller): Promise<Response> {
  const offered = commaList(request.headers.get("Sec-WebSocket-Protocol"));
  if (offered.length > 0 && !offered.includes("mcp")) {
    return new Response('WebSocket clients must offer the "mcp" subprotocol', { status: 400 });
  }
  const id = newSessionId();
  const upgraded = await sessionObject(env, "websocket", id).fetch(
    new Request(request.url, {
      headers: {
        Upgrade: "websocket",
        [SESSION_HEADER]: JSON.stringify({ caller, address: { kind: "websocket", id, open: true } }),
      },
    }),
  );
  if (!upgraded.webSocket) return upgraded;
  return new Response(null, {
    status: 101,
    webSocket: upgraded.webSocket,
    headers: offered.length > 0 ? { "Sec-WebSocket-Protocol": "mcp" } : {},
  });
}

/**
 * WebSocket clients cannot always set headers: they may pass the bearer token
 * as a subprotocol `bearer.<base64url token>` or as `?access_token=`. Both
 * become an Authorization header, and leave the URL and protocol list.
 */
export function bearerFromWebSocketRequest(request: Request): Request {
  if (!isWebSocketUpgrade(request) || request.headers.has("Authorization")) return request;
  const url = new URL(request.url);
  const protocols = commaList(request.headers.get("Sec-WebSocket-Protocol"));
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
