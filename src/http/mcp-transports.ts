import { McpSessionAgent, sessionAgent } from "../agent/session-agent.ts";
import type { SessionProps } from "../agent/session-props.ts";
import { signOutEverywhere } from "../auth/logout.ts";
import { rateLimited } from "./limits.ts";
import { handleAuthenticatedJsonRpc, isPlainJsonRpcPost } from "./plain-json-rpc.ts";

type ProtectedContext = ExecutionContext & { props: SessionProps };

const streamableHttp = McpSessionAgent.serve("/mcp");
/** On /sse: Streamable HTTP for POST to /sse, legacy SSE for GET /sse and POST /sse/message. */
const sseOrStreamable = McpSessionAgent.serve("/sse", { transport: "auto" });

function sessionNotFound(): Response {
  return Response.json(
    { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } },
    { status: 404 },
  );
}

/** The session object a request addresses, as the agents library names it. */
function addressedSession(request: Request): string | undefined {
  const streamable = request.headers.get("mcp-session-id");
  if (streamable) return `streamable-http:${streamable}`;
  const sse = new URL(request.url).searchParams.get("sessionId");
  return sse ? `sse:${sse}` : undefined;
}

/**
 * A session belongs to the user who opened it. A request with another user's
 * token gets "Session not found", exactly as for a session that never existed.
 */
async function ownedByCaller(request: Request, env: Env, props: SessionProps): Promise<boolean> {
  const name = addressedSession(request);
  if (!name) return true;
  const agent = await sessionAgent(env, name);
  const owner = await agent.ownerKey();
  return owner === undefined || owner === props.userKey;
}

/** WebSocket clients (subprotocol `mcp`) get a session object of their own. */
async function connectWebSocket(request: Request, env: Env, props: SessionProps): Promise<Response> {
  const offered = (request.headers.get("Sec-WebSocket-Protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (offered.length > 0 && !offered.includes("mcp")) {
    return new Response('WebSocket clients must offer the "mcp" subprotocol', { status: 400 });
  }
  const agent = await sessionAgent(env, `sse:${env.MCP_OBJECT.newUniqueId().toString()}`, props);
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  headers.delete("Sec-WebSocket-Protocol");
  const upgraded = await agent.fetch(new Request(request.url, { headers }));
  if (!upgraded.webSocket) return upgraded;
  return new Response(null, {
    status: 101,
    webSocket: upgraded.webSocket,
    headers: offered.length > 0 ? { "Sec-WebSocket-Protocol": "mcp" } : {},
  });
}

function isWebSocketUpgrade(request: Request): boolean {
  return (request.headers.get("Upgrade") ?? "").toLowerCase() === "websocket";
}

/** `/mcp`: MCP Streamable HTTP. */
export const mcpEndpoint = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { props } = ctx as ProtectedContext;
    const limited = await rateLimited(request, env, props);
    if (limited) return limited;
    if (isWebSocketUpgrade(request)) return connectWebSocket(request, env, props);
    if (!(await ownedByCaller(request, env, props))) return sessionNotFound();
    return streamableHttp.fetch(request, env, ctx);
  },
};

/** `/sse`: legacy SSE, Streamable HTTP, WebSocket, and plain JSON-RPC POST. */
export const sseEndpoint = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { props } = ctx as ProtectedContext;
    const limited = await rateLimited(request, env, props);
    if (limited) return limited;
    if (isWebSocketUpgrade(request)) return connectWebSocket(request, env, props);
    const path = new URL(request.url).pathname;
    if (path === "/sse" && isPlainJsonRpcPost(request)) return handleAuthenticatedJsonRpc(request, env, props);
    if (!(await ownedByCaller(request, env, props))) return sessionNotFound();
    return sseOrStreamable.fetch(request, env, ctx);
  },
};

/**
 * `POST /logout` with the bearer token: signs the user out of this server
 * everywhere (MCP grants revoked, Microsoft tokens and cached data deleted).
 */
export const logoutEndpoint = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (request.method !== "POST") {
      return Response.json(
        { error: "method_not_allowed", error_description: "POST /logout with your bearer token signs you out." },
        { status: 405, headers: { Allow: "POST" } },
      );
    }
    const { props } = ctx as ProtectedContext;
    const report = await signOutEverywhere(env, props.userKey);
    return Response.json({ signedOut: true, ...report });
  },
};
