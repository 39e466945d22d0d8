import { DurableObject } from "cloudflare:workers";
import type { SessionProps } from "../agent/session-props.ts";
import { MAX_REQUEST_BYTES } from "./json-rpc.ts";

const DEFAULT_PER_USER_PER_MINUTE = 120;
const DEFAULT_PER_TENANT_PER_MINUTE = 1200;

/** A JSON-RPC error answer at the HTTP layer (no request id is known yet). */
function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ jsonrpc: "2.0", id: null, error: { code, message } }, { status, headers });
}

/**
 * The request, with its body read under MAX_REQUEST_BYTES, or a 413 answer.
 * Content-Length is checked first; a streamed body is counted as it arrives.
 */
export async function withBoundedBody(request: Request): Promise<Request | Response> {
  if (request.method !== "POST" || !request.body) return request;
  const tooLarge = (size: string) =>
    jsonRpcError(
      413,
      -32600,
      `Request body is ${size}; this server accepts MCP messages up to 4 MB. Send files larger than that with uploadFile's sourceUrl.`,
    );
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_REQUEST_BYTES) {
    return tooLarge(`${(declared / 1048576).toFixed(1)} MB`);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REQUEST_BYTES) {
      await reader.cancel();
      return tooLarge("over 4 MB");
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Request(request, { body });
}

/**
 * A token bucket per name ("user:…", "tenant:…"): `capacity` requests at
 * once, refilled evenly over a minute. One object per name, so every
 * Worker instance sees the same count.
 */
export class RateLimiter extends DurableObject<Env> {
  private tokens: number | undefined;
  private updatedAt = Date.now();

  /** Answers health checks: the object is reachable. */
  async ping(): Promise<"ok"> {
    return "ok";
  }

  /** Takes one request from the bucket: 0 when allowed, else the seconds until one is available. */
  async take(perMinute: number): Promise<number> {
    const now = Date.now();
    const refillPerMs = perMinute / 60_000;
    this.tokens = Math.min(perMinute, (this.tokens ?? perMinute) + (now - this.updatedAt) * refillPerMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / refillPerMs / 1000));
  }
}

function limitOf(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * Per-user and per-tenant request limits on the authenticated MCP endpoints
 * (RATE_LIMIT_PER_USER / RATE_LIMIT_PER_TENANT, requests per minute). Over
 * the limit: 429 with Retry-After. Opening a stream (GET) is not counted.
 */
export async function rateLimited(request: Request, env: Env, props: SessionProps): Promise<Response | undefined> {
  if (request.method !== "POST" || !env.RATE_LIMITER) return undefined;
  const namespace = env.RATE_LIMITER as DurableObjectNamespace<RateLimiter>;
  const bucket = (name: string) => namespace.get(namespace.idFromName(name));
  const [user, tenant] = await Promise.all([
    bucket(`user:${props.userKey}`).take(limitOf(env.RATE_LIMIT_PER_USER, DEFAULT_PER_USER_PER_MINUTE)),
    bucket(`tenant:${props.tenantId}`).take(limitOf(env.RATE_LIMIT_PER_TENANT, DEFAULT_PER_TENANT_PER_MINUTE)),
  ]);
  const wait = Math.max(user, tenant);
  if (wait === 0) return undefined;
  const who = user >= tenant ? "your account" : "your organization";
  return jsonRpcError(429, -32000, `Too many requests for ${who} on this server; retry in ${wait} seconds.`, {
    "Retry-After": String(wait),
  });
}
