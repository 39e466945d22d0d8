import { signOutEverywhere } from "../auth/logout.ts";
import { servedOrigin } from "./origin-policy.ts";
import { jsonRpcError } from "../protocol/json-rpc.ts";
import type { SessionProps } from "../session/props.ts";
import { limitSignedIn } from "../session/rate-limits.ts";
import type { Caller } from "../session/session-object.ts";
import { answerStatelessly, isPlainJsonRpcPost } from "./transports/json-rpc.ts";
import { serveLegacySse } from "./transports/legacy-sse.ts";
import { serveStreamableHttp } from "./transports/streamable-http.ts";
import { connectWebSocket, isWebSocketUpgrade } from "./transports/websocket.ts";

/** What the OAuth provider verified about the bearer token before handing the request here. */
type VerifiedContext = ExecutionContext & {
  props: SessionProps;
  auth: { token: string; expiresAt?: number; userId?: string; clientId?: string };
};

/** The caller of a verified request: identity, the grant its token belongs to, and when the token expires. */
function callerOf(ctx: VerifiedContext, request: Request, env: Env): Caller {
  // The provider's access tokens read "{userId}:{grantId}:{secret}".
  const grantId = ctx.auth.token.split(":")[1] ?? "";
  const expiresAt = ctx.auth.expiresAt ?? Math.floor(Date.now() / 1000) + 3600;
  const origin = servedOrigin(request, env) ?? new URL(request.url).origin;
  return { props: ctx.props, grantId, tokenExpiresAt: expiresAt * 1000, origin };
}

/**
 * The one way in for every authenticated MCP message, whatever the
 * transport: the provider has authenticated the token; here the request is
 * counted against the user's and tenant's limits and handed to the transport,
 * whose session checks that it belongs to the caller's grant.
 */
export const mcpGate = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const caller = callerOf(ctx as VerifiedContext, request, env);
    const started = Date.now();
    const refused = await limitSignedIn(env, caller.props);
    const limitMs = Date.now() - started;
    if (refused) {
      return jsonRpcError(null, -32000, refused.message, 429, { "Retry-After": String(refused.retryAfterSeconds) });
    }
    if (isWebSocketUpgrade(request)) return connectWebSocket(request, env, caller);
    return withServerTiming(await route(request, env, caller), limitMs);
  },
};

function route(request: Request, env: Env, caller: Caller): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/mcp") return serveStreamableHttp(request, env, caller);
  if (path === "/sse" && isPlainJsonRpcPost(request)) return answerStatelessly(request, env, caller);
  // Clients that speak Streamable HTTP to /sse: POSTs that accept a stream, and requests naming a session.
  if (path === "/sse" && (request.method === "POST" || request.headers.has("mcp-session-id"))) {
    return serveStreamableHttp(request, env, caller);
  }
  return serveLegacySse(request, env, caller);
}

/**
 * Tells the caller what the rate-limit check cost (Server-Timing, W3C): on
 * Cloudflare next to nothing, under `wrangler dev` a local Durable Object's
 * round trip, which `npm run bench` reports apart from the server's own cost.
 */
function withServerTiming(response: Response, limitMs: number): Response {
  const timing = `ratelimit;dur=${limitMs}`;
  try {
    response.headers.append("Server-Timing", timing);
    return response;
  } catch {
    // Headers of a response from a Durable Object are immutable: copy them.
    const copy = new Response(response.body, response);
    copy.headers.append("Server-Timing", timing);
    return copy;
  }
}

/**
 * `POST /logout` with the bearer token: signs the user out of this server
 * everywhere (MCP grants revoked, sessions ended, Microsoft tokens and cached data deleted).
 */
export const logoutEndpoint = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (request.method !== "POST") {
      return Response.json(
        { error: "method_not_allowed", error_description: "POST /logout with your bearer token signs you out." },
        { status: 405, headers: { Allow: "POST" } },
      );
    }
    const report = await signOutEverywhere(env, (ctx as VerifiedContext).props.userKey);
    return Response.json({ signedOut: true, ...report });
  },
};
