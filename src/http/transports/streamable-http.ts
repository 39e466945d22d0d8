import type { InitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { jsonRpcError, parseJsonRpcText } from "../../protocol/json-rpc.ts";
import { newSessionId, sessionNotFound, sessionObject, type Caller } from "../../session/session-object.ts";

const SESSION_ID = /^[0-9a-f]{32}$/;

function isInitializeRequest(value: unknown): value is InitializeRequest {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { method?: unknown }).method === "initialize" &&
    "id" in value
  );
}

/**
 * MCP Streamable HTTP (`/mcp`, and `/sse` for clients that POST there). A
 * session id is chosen here at initialize, never by the client; every later
 * request goes to the session its Mcp-Session-Id header names, which checks
 * the caller's grant itself. One Durable Object round trip a request.
 */
export async function serveStreamableHttp(request: Request, env: Env, caller: Caller): Promise<Response> {
  const header = request.headers.get("mcp-session-id");
  if (request.method === "POST") {
    const text = await request.text();
    const parsed = parseJsonRpcText(text);
    if (!parsed.ok) return jsonRpcError(null, parsed.code, parsed.message, 400);
    const forwarded = new Request(request.url, { method: "POST", headers: request.headers, body: text });
    if (!header) {
      if (!isInitializeRequest(parsed.value)) {
        return jsonRpcError(null, -32000, "Bad Request: Mcp-Session-Id header is required", 400);
      }
      const id = newSessionId();
      return sessionObject(env, "streamable-http", id).serve(forwarded, caller, {
        kind: "streamable-http",
        id,
        open: true,
        initialize: parsed.value,
      });
    }
    if (!SESSION_ID.test(header)) return sessionNotFound();
    return sessionObject(env, "streamable-http", header).serve(forwarded, caller, {
      kind: "streamable-http",
      id: header,
      open: false,
    });
  }
  if (request.method === "GET" || request.method === "DELETE") {
    if (!header) return jsonRpcError(null, -32000, "Bad Request: Mcp-Session-Id header is required", 400);
    if (!SESSION_ID.test(header)) return sessionNotFound();
    return sessionObject(env, "streamable-http", header).serve(request, caller, {
      kind: "streamable-http",
      id: header,
      open: false,
    });
  }
  return jsonRpcError(null, -32000, "Method not allowed", 405);
}
