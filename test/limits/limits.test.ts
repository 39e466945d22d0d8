/**
 * Limits on every transport, with the deployment's real Rate Limiting
 * bindings configured small (vitest.config.ts, project workers-limits): 12
 * requests a minute per user, 40 per anonymous address.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { emulator, ORIGIN, signIn, worker } from "../unit/helpers.ts";

const rpc = (method: string, id: number | string = 1, params: object = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

function post(path: string, token: string | undefined, body: string, headers: Record<string, string> = {}) {
  return worker(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        "Content-Type": "application/json",
        ...headers,
      },
      body,
    }),
  );
}

beforeAll(async () => {
  await emulator(env, "reset", {});
});

describe("limits count every MCP message, whatever carries it", () => {
  it("Streamable HTTP and plain JSON-RPC: 429 with Retry-After once the user's minute is spent", async () => {
    const token = (await signIn("adele@contoso.example")).access_token;
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 14 && !refused; i++) {
      const response = await post("/sse", token, rpc("ping", i));
      statuses.push(response.status);
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(12);
    expect(refused!.headers.get("Retry-After")).toBe("60");
    expect(await refused!.json()).toMatchObject({ error: { message: expect.stringMatching(/your account/) } });
    const streamable = await post(
      "/mcp",
      token,
      rpc("initialize", 1, {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      }),
      {
        Accept: "application/json, text/event-stream",
      },
    );
    expect(streamable.status).toBe(429);
    await streamable.body?.cancel();
  });

  it("WebSocket: each message counts, refusals name the retry time, and the socket stays open", async () => {
    const token = (await signIn("alex@contoso.example")).access_token;
    const response = await worker(
      new Request(`${ORIGIN}/sse`, { headers: { Authorization: `Bearer ${token}`, Upgrade: "websocket" } }),
    );
    const socket = response.webSocket!;
    socket.accept();
    const replies: { id: number; result?: unknown; error?: { code: number; data?: { retryAfterSeconds: number } } }[] =
      [];
    const all = new Promise<void>((resolve) =>
      socket.addEventListener("message", (event) => {
        replies.push(JSON.parse(event.data as string));
        if (replies.length === 15) resolve();
      }),
    );
    for (let i = 1; i <= 15; i++) socket.send(rpc("ping", i));
    await all;
    // The upgrade itself was one request: 11 pings answered, then refusals.
    expect(replies.filter((reply) => reply.result)).toHaveLength(11);
    const refusals = replies.filter((reply) => reply.error);
    expect(refusals).toHaveLength(4);
    expect(refusals[0]!.error).toMatchObject({ code: -32000, data: { retryAfterSeconds: 60 } });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it("legacy SSE: messages posted to the session count too", async () => {
    const token = (await signIn("megan@contoso.example")).access_token;
    const stream = await worker(
      new Request(`${ORIGIN}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } }),
    );
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const endpoint = /data: (.*)\n/.exec((await reader.read()).value!)![1]!;
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      const response = await post(endpoint, token, rpc("ping", i));
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 11).every((status) => status === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await reader.cancel();
  });

  it("anonymous discovery is limited per client address", async () => {
    const from = (address: string) => post("/sse", undefined, rpc("tools/list"), { "CF-Connecting-IP": address });
    for (let i = 0; i < 40; i++) {
      const response = await from("198.51.100.7");
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const refused = await from("198.51.100.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    await refused.body?.cancel();
    const other = await from("198.51.100.8");
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });
});
