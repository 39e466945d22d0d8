import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { configTtlMs, readRuntimeConfig } from "../../config.ts";
import { ToolError } from "../../graph/errors.ts";
import { userHashOf } from "../../observability.ts";
import { jsonRpcError, readJsonRpcRequest } from "../../protocol/json-rpc.ts";
import { createCatalogServer } from "../../session/catalog-server.ts";
import type { Caller } from "../../session/session-object.ts";
import { toolContextFactory } from "../../session/tool-context.ts";

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

/** Answers one message with a server that lives for this exchange only, in this isolate. */
async function answerOnce(
  server: ReturnType<typeof createCatalogServer>,
  message: JSONRPCMessage,
): Promise<JSONRPCMessage | undefined> {
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

/** Discovery answers, built once per isolate and runtime configuration: they depend on nothing else. */
const discoveryAnswers = new Map<string, unknown>();
const MAX_REMEMBERED_ANSWERS = 64;

function discoveryKey(
  message: JSONRPCMessage & { method: string; params?: Record<string, unknown> },
  config: unknown,
): string {
  const params = message.method === "initialize" ? { v: message.params?.protocolVersion } : (message.params ?? {});
  return JSON.stringify([config, message.method, params]);
}

/**
 * Plain JSON-RPC over POST /sse without a token: discovery only (the catalog).
 * Anything touching user data gets 401 with the challenge that starts OAuth.
 */
export async function answerAnonymously(request: Request, env: Env, challenge: string): Promise<Response> {
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
  const config = await readRuntimeConfig(env, { maxAgeMs: configTtlMs(env) });
  const key = discoveryKey(message, config);
  const remembered = discoveryAnswers.get(key);
  if (remembered !== undefined) return Response.json({ jsonrpc: "2.0", id: message.id, result: remembered });
  const server = createCatalogServer(
    () => {
      throw new ToolError("auth_required", "Sign in first: this call needs a bearer token.");
    },
    env,
    config,
  );
  const answer = await answerOnce(server, message);
  if (answer && "result" in answer) {
    if (discoveryAnswers.size >= MAX_REMEMBERED_ANSWERS) discoveryAnswers.clear();
    discoveryAnswers.set(key, answer.result);
  }
  return Response.json(answer);
}

/**
 * Plain JSON-RPC with a valid token: one stateless exchange, answered in this
 * isolate by a server that lives for the request; no session object is made.
 */
export async function answerStatelessly(request: Request, env: Env, caller: Caller): Promise<Response> {
  const parsed = await readJsonRpcRequest(request);
  if (!parsed.ok) return parsed.response;
  const userHash = await userHashOf(caller.props.userKey);
  const server = createCatalogServer(
    toolContextFactory(env, caller.props, userHash, { origin: caller.origin }),
    env,
    await readRuntimeConfig(env, { maxAgeMs: configTtlMs(env) }),
  );
  const answer = await answerOnce(server, parsed.message);
  return answer === undefined ? new Response(null, { status: 202 }) : Response.json(answer);
}
