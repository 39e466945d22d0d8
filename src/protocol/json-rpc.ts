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

/** Deepest nesting of arrays and objects an MCP message may have; no real message comes near it. */
export const MAX_JSON_DEPTH = 64;

/** How deep `text`'s arrays and objects nest, counted outside strings; stops once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92 /* \\ */) i++;
      else if (char === 34 /* " */) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 /* { */ || char === 91 /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 125 /* } */ || char === 93 /* ] */) depth--;
  }
  return deepest;
}

/**
 * Parses an MCP message's text, refusing nesting deeper than MAX_JSON_DEPTH
 * before JSON.parse and schema validation recurse into it.
 */
export function parseJsonRpcText(
  text: string,
): { ok: true; value: unknown } | { ok: false; code: number; message: string } {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    return {
      ok: false,
      code: -32600,
      message: `Invalid Request: the message nests deeper than ${MAX_JSON_DEPTH} levels`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, code: -32700, message: "Parse error: the body is not valid JSON" };
  }
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
  const parsed = parseJsonRpcText(text);
  if (!parsed.ok) return { ok: false, response: jsonRpcError(null, parsed.code, parsed.message, 400) };
  const body = parsed.value;
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

/**
 * `message` with the SDK's "MCP error <code>: " taken off its error message.
 * McpError writes that prefix into the message it throws, and every SDK
 * client adds it again when it reads the error: sent as is, a person would
 * read "MCP error -32602: MCP error -32602: …".
 */
export function withPlainErrorMessage(message: JSONRPCMessage): JSONRPCMessage {
  if (!("error" in message)) return message;
  const prefix = `MCP error ${message.error.code}: `;
  if (!message.error.message.startsWith(prefix)) return message;
  return { ...message, error: { ...message.error, message: message.error.message.slice(prefix.length) } };
}
