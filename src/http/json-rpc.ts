import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Largest JSON-RPC request body accepted, in bytes. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export type JsonRpcId = string | number | null;

/** A JSON-RPC 2.0 error response. */
export function jsonRpcError(
  id: JsonRpcId,
  code: number,
  message: string,
  status: number,
  headers?: HeadersInit,
): Response {
  const response = Response.json({ jsonrpc: "2.0", id, error: { code, message } }, { status, headers });
  return response;
}

export type ParsedRequest = { ok: true; message: JSONRPCMessage } | { ok: false; response: Response };

/**
 * Reads one JSON-RPC 2.0 message from a request body, with a clear error for
 * every way it can be wrong: too large, not JSON, a batch, not JSON-RPC.
 */
export async function readJsonRpcRequest(request: Request): Promise<ParsedRequest> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_REQUEST_BYTES) {
    return {
      ok: false,
      response: jsonRpcError(
        null,
        -32600,
        `Request body too large: ${declared} bytes; the limit is ${MAX_REQUEST_BYTES}`,
        413,
      ),
    };
  }
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_REQUEST_BYTES) {
    return {
      ok: false,
      response: jsonRpcError(null, -32600, `Request body too large; the limit is ${MAX_REQUEST_BYTES} bytes`, 413),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: jsonRpcError(null, -32700, "Parse error: the body is not valid JSON", 400) };
  }
  if (Array.isArray(body)) {
    return {
      ok: false,
      response: jsonRpcError(
        null,
        -32600,
        "Invalid Request: JSON-RPC batches are not supported; send one message per request",
        400,
      ),
    };
  }
  if (typeof body !== "object" || body === null) {
    return { ok: false, response: jsonRpcError(null, -32600, "Invalid Request: expected a JSON-RPC 2.0 object", 400) };
  }
  const message = body as Record<string, unknown>;
  const id = message.id;
  const validId = id === undefined || typeof id === "string" || typeof id === "number";
  const replyId: JsonRpcId = typeof id === "string" || typeof id === "number" ? id : null;
  if (message.jsonrpc !== "2.0") {
    return { ok: false, response: jsonRpcError(replyId, -32600, 'Invalid Request: "jsonrpc" must be "2.0"', 400) };
  }
  if (!validId) {
    return {
      ok: false,
      response: jsonRpcError(null, -32600, 'Invalid Request: "id" must be a string or a number', 400),
    };
  }
  if ("method" in message && typeof message.method !== "string") {
    return { ok: false, response: jsonRpcError(replyId, -32600, 'Invalid Request: "method" must be a string', 400) };
  }
  if (!("method" in message) && !("result" in message) && !("error" in message)) {
    return { ok: false, response: jsonRpcError(replyId, -32600, 'Invalid Request: missing "method"', 400) };
  }
  if (
    "params" in message &&
    (typeof message.params !== "object" || message.params === null || Array.isArray(message.params))
  ) {
    return { ok: false, response: jsonRpcError(replyId, -32602, 'Invalid params: "params" must be an object', 400) };
  }
  return { ok: true, message: message as JSONRPCMessage };
}
