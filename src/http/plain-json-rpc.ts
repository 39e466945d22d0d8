import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { createCatalogServer, sessionAgent } from "../agent/session-agent.ts";
import type { SessionProps } from "../agent/session-props.ts";
import { readRuntimeConfig } from "../config.ts";
import { ToolError } from "../graph/errors.ts";
import { jsonRpcError, readJsonRpcRequest } from "./json-rpc.ts";

/** Methods anyone may call without a token: they describe the catalog and touch no user data. */
export const DISCOVERY_METHODS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "resources/list",
  "resources/templates/list",
  "prompts/list",
]);

/** A POST that is plain JSON-RPC (curl's default) rather than an MCP Streamable HTTP request. */
export function isPlainJsonRpcPost(request: Request): boolean {
  return request.method === "POST" && !(request.headers.get("Accept") ?? "").includes("text/event-stream");
}

/** Answers one message with a fresh catalog server in this isolate; tool handlers refuse to run. */
async function answerLocally(message: JSONRPCMessage, env: Env): Promise<JSONRPCMessage | undefined> {
  const server = createCatalogServer(
    () => {
      throw new ToolError("auth_required", "Sign in first: this call needs a bearer token.");
    },
    env,
    await readRuntimeConfig(env),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const reply = new Promise<JSONRPCMessage>((resolve) => {
    clientSide.onmessage = resolve;
  });
  await clientSide.start();
  await clientSide.send(message);
  // The SDK drops a message it cannot validate without answering: never wait forever for it.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unanswered = new Promise<JSONRPCMessage>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          jsonrpc: "2.0",
          id: (message as { id: string | number }).id,
          error: { code: -32600, message: "Invalid Request: the message does not fit the MCP schema" },
        } as JSONRPCMessage),
      5000,
    );
  });
  const answer = "id" in message ? await Promise.race([reply, unanswered]) : undefined;
  clearTimeout(timer);
  await server.close();
  return answer;
}

/**
 * Plain JSON-RPC over POST /sse without a token: discovery only (the catalog).
 * Anything touching user data gets 401 with the challenge that starts OAuth.
 */
export async function handleAnonymousJsonRpc(request: Request, env: Env, challenge: string): Promise<Response> {
  const parsed = await readJsonRpcRequest(request);
  if (!parsed.ok) return parsed.response;
  const { message } = parsed;
  // Notifications and responses need no answer.
  if (!("method" in message) || !("id" in message)) return new Response(null, { status: 202 });
  if (!DISCOVERY_METHODS.has(message.method)) {
    return jsonRpcError(
      message.id,
      -32001,
      `Authentication required: "${message.method}" acts on your Microsoft 365 data. Connect with an MCP client that signs you in (OAuth), or send a bearer token.`,
      401,
      { "WWW-Authenticate": challenge },
    );
  }
  const answer = await answerLocally(message, env);
  return Response.json(answer);
}

/** Plain JSON-RPC with a valid token: one stateless exchange with a short-lived session agent. */
export async function handleAuthenticatedJsonRpc(request: Request, env: Env, props: SessionProps): Promise<Response> {
  const parsed = await readJsonRpcRequest(request);
  if (!parsed.ok) return parsed.response;
  const agent = await sessionAgent(env, `rpc:${env.MCP_OBJECT.newUniqueId().toString()}`, props);
  const answer = await agent.handleMcpMessage(parsed.message);
  return answer === undefined ? new Response(null, { status: 202 }) : Response.json(answer);
}
