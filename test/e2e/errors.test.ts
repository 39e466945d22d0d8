/**
 * The same error form on every transport through `wrangler dev`: invalid
 * arguments are a tool error `Error [invalid_input]: field: rule`, a number
 * sent as a string is read as one, and a protocol error's message reaches an
 * SDK client with "MCP error <code>: " once (plain JSON-RPC: not at all).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectWithSignIn, InMemoryOAuthProvider } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");

/** What a caller sees for one request: a result, or an error's code and message. */
type Outcome = { result: CallToolResult } | { error: { code: number; message: string } };

/** One way of sending a request to the server, named for the transport it uses. */
interface Caller {
  transport: string;
  request(method: "tools/call" | "prompts/get" | "resources/read", params: Record<string, unknown>): Promise<Outcome>;
  close(): Promise<void>;
}

function sdkCaller(transport: string, client: Client): Caller {
  return {
    transport,
    async request(method, params) {
      try {
        if (method === "tools/call") {
          return { result: (await client.callTool(params as { name: string })) as CallToolResult };
        }
        if (method === "prompts/get") await client.getPrompt(params as { name: string });
        else await client.readResource(params as { uri: string });
        throw new Error(`${method} succeeded`);
      } catch (error) {
        const { code, message } = error as { code?: number; message: string };
        if (code === undefined) throw error;
        return { error: { code, message } };
      }
    },
    close: () => client.close(),
  };
}

/** curl style: one JSON-RPC POST to /sse with the bearer token, no session. */
function plainCaller(token: string): Caller {
  let id = 0;
  return {
    transport: "plain JSON-RPC",
    async request(method, params) {
      const response = await fetch(`${workerUrl}/sse`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      });
      const body = (await response.json()) as { result?: CallToolResult; error?: { code: number; message: string } };
      if (body.error) return { error: { code: body.error.code, message: body.error.message } };
      return { result: body.result! };
    },
    close: async () => undefined,
  };
}

function text(outcome: Outcome): string {
  if (!("result" in outcome)) throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return outcome.result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** The error message as an SDK client shows it: the SDK adds "MCP error <code>: " on receipt. */
function shown(caller: Caller, outcome: Outcome): string {
  if (!("error" in outcome)) throw new Error(`expected an error, got ${JSON.stringify(outcome).slice(0, 200)}`);
  const { code, message } = outcome.error;
  return caller.transport === "plain JSON-RPC" ? `MCP error ${code}: ${message}` : message;
}

const callers: Caller[] = [];

beforeAll(async () => {
  const provider = new InMemoryOAuthProvider();
  const { client: streamable } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
    "adele@contoso.example",
    provider,
  );
  const { client: sse } = await connectWithSignIn(
    (authProvider) => new SSEClientTransport(new URL(`${workerUrl}/sse`), { authProvider }),
    "adele@contoso.example",
    provider,
  );
  const token = provider.tokens()!.access_token;
  const wsUrl = new URL(`${workerUrl.replace(/^http/, "ws")}/sse`);
  wsUrl.searchParams.set("access_token", token);
  const websocket = new Client({ name: "e2e-errors", version: "1.0.0" });
  await websocket.connect(new WebSocketClientTransport(wsUrl));
  callers.push(
    sdkCaller("Streamable HTTP", streamable),
    sdkCaller("legacy SSE", sse),
    sdkCaller("WebSocket", websocket),
    plainCaller(token),
  );
});

afterAll(async () => {
  await Promise.all(callers.map((caller) => caller.close()));
});

describe("one error format on every transport", () => {
  it("invalid arguments: a tool error naming the field and the rule", async () => {
    for (const caller of callers) {
      const outcome = await caller.request("tools/call", { name: "getEmails", arguments: { count: 500 } });
      expect(outcome, caller.transport).toMatchObject({
        result: { isError: true, _meta: { errorCode: "invalid_input" } },
      });
      expect(text(outcome), caller.transport).toBe("Error [invalid_input]: count: must be at most 50.");
    }
  });

  it('a number given as a string is read as one: count "2", and "2x" is refused', async () => {
    for (const caller of callers) {
      const listed = await caller.request("tools/call", { name: "getEmails", arguments: { count: "2" } });
      expect(text(listed), caller.transport).toMatch(/^Inbox: 2 messages/);
      const refused = await caller.request("tools/call", { name: "getEmails", arguments: { count: "2x" } });
      expect(text(refused), caller.transport).toBe('Error [invalid_input]: count: must be a number, not "2x".');
    }
  });

  it("protocol errors carry the prefix once: unknown tool, prompt and resource", async () => {
    const unknown = [
      ["tools/call", { name: "noSuchTool", arguments: {} }, "MCP error -32602: Tool noSuchTool not found"],
      ["prompts/get", { name: "nope" }, "MCP error -32602: Prompt nope not found"],
      ["resources/read", { uri: "microsoft://nope" }, "MCP error -32602: Resource microsoft://nope not found"],
    ] as const;
    for (const caller of callers) {
      for (const [method, params, message] of unknown) {
        const outcome = await caller.request(method, params);
        expect(shown(caller, outcome), `${caller.transport} ${method}`).toBe(message);
      }
    }
  });
});
