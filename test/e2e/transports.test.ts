import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, inject, it } from "vitest";
import { connectWithSignIn } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");

function firstText(result: CallToolResult): string {
  const part = result.content[0];
  return part?.type === "text" ? part.text : "";
}

describe("real MCP SDK clients, signing in through OAuth", () => {
  it("Streamable HTTP on /mcp: sign in, list tools, read mail", async () => {
    const { client } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
      "adele@contoso.example",
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["getEmails", "sendEmail"]));
    const result = (await client.callTool({ name: "getEmails", arguments: { count: 3 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toMatch(/^Inbox: 3 messages/);
    await client.close();
  });

  it("legacy SSE on /sse: sign in and call a tool", async () => {
    const { client } = await connectWithSignIn(
      (authProvider) => new SSEClientTransport(new URL(`${workerUrl}/sse`), { authProvider }),
      "megan@contoso.example",
    );
    const result = (await client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ username: "megan@contoso.example" });
    await client.close();
  });

  it("WebSocket on /sse with subprotocol mcp, token in the query (clients that cannot set headers)", async () => {
    const { provider, client: http } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
      "alex@contoso.example",
    );
    await http.close();
    const token = provider.tokens()!.access_token;
    const wsUrl = new URL(`${workerUrl.replace(/^http/, "ws")}/sse`);
    wsUrl.searchParams.set("access_token", token);
    const client = new Client({ name: "e2e-ws", version: "1.0.0" });
    await client.connect(new WebSocketClientTransport(wsUrl));
    const result = (await client.callTool({ name: "getEmails", arguments: { count: 2 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const who = (await client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult;
    expect(who.structuredContent).toMatchObject({ username: "alex@contoso.example" });
    await client.close();
  });

  it("WebSocket with the token as a bearer subprotocol, and refusal without a token", async () => {
    const { provider, client: http } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
      "adele@contoso.example",
    );
    await http.close();
    const encoded = Buffer.from(provider.tokens()!.access_token).toString("base64url");
    const wsUrl = `${workerUrl.replace(/^http/, "ws")}/sse`;
    const socket = new WebSocket(wsUrl, ["mcp", `bearer.${encoded}`]);
    const reply = await new Promise<{ protocol: string; message: { result?: { serverInfo?: { name: string } } } }>(
      (resolve, reject) => {
        socket.addEventListener("error", () => reject(new Error("websocket failed")));
        socket.addEventListener("open", () =>
          socket.send(
            JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "initialize",
              params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
            }),
          ),
        );
        socket.addEventListener("message", (event) =>
          resolve({ protocol: String(socket.protocol), message: JSON.parse(String(event.data)) }),
        );
      },
    );
    socket.close();
    expect(reply.protocol).toBe("mcp");
    expect(reply.message.result?.serverInfo?.name).toBe("m365-mcp-server");

    const refused = new WebSocket(wsUrl, ["mcp"]);
    const outcome = await new Promise<string>((resolve) => {
      refused.addEventListener("open", () => resolve("open"));
      refused.addEventListener("error", () => resolve("refused"));
    });
    expect(outcome).toBe("refused");
  });

  it("plain JSON-RPC (curl style) on /sse lists the catalog without a token", async () => {
    const response = await fetch(`${workerUrl}/sse`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { tools: { name: string }[] } };
    expect(body.result.tools.map((tool) => tool.name)).toContain("getEmails");
  });
});
