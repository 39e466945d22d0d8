/** Request and response helpers shared by the emulator's Entra and Graph endpoints. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

/** One request as the emulator's handlers see it. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  requestId: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Graph refuses request bodies over 4 MB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readRequest(req: IncomingMessage, origin: string): Promise<EmulatorRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  const request: EmulatorRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    url: new URL(req.url ?? "/", origin),
    headers,
    body: Buffer.concat(chunks),
    requestId: randomUUID(),
  };
  if (tooLarge) throw Object.assign(new BodyTooLargeError(), { request });
  return request;
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

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Form fields of an application/x-www-form-urlencoded body. */
export function formBody(request: EmulatorRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString("utf8"));
}

/** The JSON body, or undefined when it is absent or not JSON. */
export function jsonBody(request: EmulatorRequest): unknown {
  if (request.body.length === 0) return undefined;
  try {
    return JSON.parse(request.body.toString("utf8"));
  } catch {
    return undefined;
  }
}
