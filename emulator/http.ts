/** The emulator's view of HTTP: one parsed request in, one response out, and helpers for both. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Graph refuses request bodies over 4 MB; the emulator applies that limit to every request. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Upload sessions (`/_upload/...`) take fragments of up to 60 MiB, as OneDrive's do. */
const MAX_UPLOAD_FRAGMENT_BYTES = 60 * 1024 * 1024;

export interface EmulatorRequest {
  method: string;
  url: URL;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The body was over MAX_BODY_BYTES and has been dropped. */
  oversized: boolean;
  /** Graph's request-id for this request. */
  requestId: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export async function readRequest(req: IncomingMessage, origin: string): Promise<EmulatorRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  const limit = (req.url ?? "").startsWith("/_upload/") ? MAX_UPLOAD_FRAGMENT_BYTES : MAX_BODY_BYTES;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url: new URL(req.url ?? "/", origin),
    headers,
    body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0),
    oversized: size > limit,
    requestId: randomUUID(),
  };
}

export function send(res: ServerResponse, response: EmulatorResponse): void {
  res.writeHead(response.status, response.headers ?? {});
  res.end(response.body ?? "");
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
    body,
  };
}

export function redirect(location: string): EmulatorResponse {
  return { status: 302, headers: { Location: location, "Cache-Control": "no-store" } };
}

/** The fields of an application/x-www-form-urlencoded body. */
export function formBody(request: EmulatorRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString("utf8"));
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

/** The JSON body; an empty body parses as undefined. */
export function jsonBody(request: EmulatorRequest): ParsedJson {
  const text = request.body.toString("utf8");
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : "invalid JSON" };
  }
}
