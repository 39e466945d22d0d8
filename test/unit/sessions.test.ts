/**
 * The request path as an attacker tries it: every session belongs to the grant
 * that opened it, on every transport; ids are the server's; live connections
 * end with sign-out and token expiry; nothing per request is left behind; bad
 * hosts, origins and deep JSON get clear 4xx answers.
 */
import {
  env,
  evictDurableObject,
  listDurableObjectIds,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { McpSession } from "../../src/session/session-object.ts";
import { clearLog, emulator, ORIGIN, requestLog, signIn, worker } from "./helpers.ts";

const ADELE = "adele@contoso.example";
const MEGAN = "megan@contoso.example";

const STREAM_ACCEPT = "application/json, text/event-stream";

function rpc(method: string, params: object = {}, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method, params });
}

const INITIALIZE = rpc("initialize", {
  protocolVersion: "2025-11-25",
  capabilities: {},
  clientInfo: { name: "attacker-test", version: "1" },
});

function mcp(
  token: string,
  body: string | undefined,
  init: { method?: string; session?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}${init.path ?? "/mcp"}`, {
      method: init.method ?? "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: STREAM_ACCEPT,
        "Content-Type": "application/json",
        "mcp-protocol-version": "2025-11-25",
        ...(init.session ? { "mcp-session-id": init.session } : {}),
        ...init.headers,
      },
      body,
    }),
  );
}

/** The JSON-RPC messages of a response, whether it came as JSON or as an SSE stream. */
async function messagesOf(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  if (!(response.headers.get("Content-Type") ?? "").includes("text/event-stream")) return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

/** Opens a Streamable HTTP session and returns its id. */
async function openSession(token: string, path = "/mcp"): Promise<string> {
  const response = await mcp(token, INITIALIZE, { path });
  expect(response.status).toBe(200);
  const id = response.headers.get("mcp-session-id");
  await response.body?.cancel();
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  await (
    await mcp(token, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { session: id!, path })
  ).body?.cancel();
  return id!;
}

/** A legacy SSE stream: its endpoint, and a reader of the events that follow. */
async function openSse(
  token: string,
  query = "",
): Promise<{ endpoint: string; next(): Promise<Record<string, unknown>>; close(): Promise<void> }> {
  const response = await worker(
    new Request(`${ORIGIN}/sse${query}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
    }),
  );
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const event = async (): Promise<{ event: string; data: string }> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(":")) continue;
        const name = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
        return { event: name, data };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += value;
    }
  };
  const endpoint = (await event()).data;
  return {
    endpoint,
    next: async () => JSON.parse((await event()).data) as Record<string, unknown>,
    close: () => reader.cancel(),
  };
}

function ssePost(
  token: string,
  endpoint: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}${endpoint}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
      body,
    }),
  );
}

/** A WebSocket to /sse, with the messages and the close it receives. */
async function openSocket(token: string) {
  const response = await worker(
    new Request(`${ORIGIN}/sse`, {
      headers: { Authorization: `Bearer ${token}`, Upgrade: "websocket", "Sec-WebSocket-Protocol": "mcp" },
    }),
  );
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  socket.accept();
  const received: Record<string, unknown>[] = [];
  let waiting: (() => void) | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  socket.addEventListener("message", (event) => {
    received.push(JSON.parse(event.data as string) as Record<string, unknown>);
    waiting?.();
  });
  const reply = async (id: number | string): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 200; i++) {
      const found = received.find((message) => message.id === id);
      if (found) return found;
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 25);
      });
    }
    throw new Error(`no reply to ${id}`);
  };
  return { socket, received, closed, reply };
}

async function sessionIds(): Promise<string[]> {
  return (await listDurableObjectIds(env.MCP_OBJECT)).map((id) => id.toString());
}

beforeEach(async () => {
  await emulator(env, "reset", {});
  await clearLog();
});

describe("a session belongs to the grant that opened it", () => {
  it("Streamable HTTP: another user's token gets 404 for POST, GET and DELETE, and the owner carries on", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const megan = (await signIn(MEGAN)).access_token;
    const session = await openSession(adele);
    const send = rpc("tools/call", {
      name: "sendEmail",
      arguments: { to: [MEGAN], subject: "hijack", body: "sent by Megan as Adele" },
    });
    for (const [method, body] of [
      ["POST", send],
      ["GET", undefined],
      ["DELETE", undefined],
    ] as const) {
      const response = await mcp(megan, body, { method, session });
      expect(response.status, method).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: -32001, message: "Session not found" } });
    }
    expect((await requestLog()).filter((entry) => entry.path === "/v1.0/me/sendMail")).toHaveLength(0);
    const own = await messagesOf(
      await mcp(adele, rpc("tools/call", { name: "authenticate", arguments: {} }, 2), { session }),
    );
    expect(JSON.stringify(own)).toContain("Adele");
  });

  it("Streamable HTTP: a second client of the same user cannot use the first client's session", async () => {
    const first = (await signIn(ADELE)).access_token;
    const second = (await signIn(ADELE)).access_token;
    const session = await openSession(first);
    const response = await mcp(second, rpc("ping"), { session });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it("legacy SSE: another user's message to the session is refused whatever header it adds, and runs nothing", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const megan = (await signIn(MEGAN)).access_token;
    const stream = await openSse(adele);
    const session = new URL(stream.endpoint, ORIGIN).searchParams.get("sessionId")!;
    const send = rpc("tools/call", { name: "sendEmail", arguments: { to: [MEGAN], subject: "hijack", body: "x" } });
    for (const headers of [{}, { "mcp-session-id": "x" }, { "mcp-session-id": session }] as Record<string, string>[]) {
      const response = await ssePost(megan, stream.endpoint, send, headers);
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
    expect((await requestLog()).filter((entry) => entry.path === "/v1.0/me/sendMail")).toHaveLength(0);
    // The owner's own messages are answered on the stream.
    expect((await ssePost(adele, stream.endpoint, INITIALIZE)).status).toBe(202);
    expect(await stream.next()).toMatchObject({ id: 1, result: { serverInfo: { name: "m365-mcp-server" } } });
    await stream.close();
  });

  it("legacy SSE: the client cannot choose its session id", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const chosen = "0123456789abcdef0123456789abcdef";
    const stream = await openSse(adele, `?sessionId=${chosen}`);
    expect(new URL(stream.endpoint, ORIGIN).searchParams.get("sessionId")).not.toBe(chosen);
    const response = await ssePost(adele, `/sse/message?sessionId=${chosen}`, INITIALIZE);
    expect(response.status).toBe(404);
    await response.body?.cancel();
    await stream.close();
  });

  it("plain JSON-RPC with a token acts for the token's user only, and leaves no session object behind", async () => {
    const megan = (await signIn(MEGAN)).access_token;
    const before = await sessionIds();
    const response = await worker(
      new Request(`${ORIGIN}/sse`, {
        method: "POST",
        headers: { Authorization: `Bearer ${megan}`, "Content-Type": "application/json" },
        body: rpc("tools/call", { name: "authenticate", arguments: {} }),
      }),
    );
    expect(response.status).toBe(200);
    const text = JSON.stringify(await response.json());
    expect(text).toContain("Megan");
    expect(text).not.toContain("Adele");
    expect(await sessionIds()).toEqual(before);
  });
});

describe("live connections stay honest", () => {
  it("a WebSocket closes at sign-out, and signing in again elsewhere does not revive it", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const socket = await openSocket(adele);
    socket.socket.send(INITIALIZE);
    expect(await socket.reply(1)).toMatchObject({ result: { serverInfo: { name: "m365-mcp-server" } } });
    const logout = await worker(
      new Request(`${ORIGIN}/logout`, { method: "POST", headers: { Authorization: `Bearer ${adele}` } }),
    );
    expect(logout.status).toBe(200);
    await logout.body?.cancel();
    expect((await socket.closed).code).toBe(4401);
    // The same person signs in again from another client: the old socket stays closed.
    const again = (await signIn(ADELE)).access_token;
    expect(again).not.toBe(adele);
    expect(() => socket.socket.send(rpc("tools/call", { name: "authenticate", arguments: {} }, 2))).toThrow();
  });

  it("a legacy SSE stream ends at sign-out", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const stream = await openSse(adele);
    await (
      await worker(new Request(`${ORIGIN}/logout`, { method: "POST", headers: { Authorization: `Bearer ${adele}` } }))
    ).body?.cancel();
    await expect(stream.next()).rejects.toThrow(/stream ended/);
  });

  it("a WebSocket closes when the token that opened it expires", async () => {
    const before = new Set(await sessionIds());
    const socket = await openSocket((await signIn(ADELE)).access_token);
    const [id] = (await listDurableObjectIds(env.MCP_OBJECT)).filter((candidate) => !before.has(candidate.toString()));
    const stub = env.MCP_OBJECT.get(id!) as DurableObjectStub<McpSession>;
    await runInDurableObject(stub, (_instance, state) => {
      for (const open of state.getWebSockets()) open.serializeAttachment({ expiresAt: Date.now() - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: "token_expired" });
  });

  it("a Streamable HTTP session survives its object's eviction, with what the client declared", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const session = await openSession(adele);
    const stub = env.MCP_OBJECT.get(env.MCP_OBJECT.idFromName(`streamable-http:${session}`));
    await evictDurableObject(stub);
    const [answer] = await messagesOf(
      await mcp(adele, rpc("tools/call", { name: "authenticate", arguments: {} }, 7), { session }),
    );
    expect(answer).toMatchObject({ id: 7, result: { structuredContent: { username: ADELE } } });
    expect((answer!.result as { isError?: boolean }).isError).toBeFalsy();
  });
});

describe("bad hosts, origins and messages get clear 4xx answers", () => {
  it("a foreign Host gets 421, never 500, on metadata, /mcp and /sse", async () => {
    const token = (await signIn(ADELE)).access_token;
    for (const [method, path] of [
      ["GET", "/.well-known/oauth-protected-resource"],
      ["POST", "/mcp"],
      ["GET", "/sse"],
    ] as const) {
      const response = await worker(
        new Request(`http://evil.example.com${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, Accept: STREAM_ACCEPT, "Content-Type": "application/json" },
          body: method === "POST" ? INITIALIZE : undefined,
        }),
      );
      expect(response.status, path).toBe(421);
      expect(await response.json()).toMatchObject({ error: "misdirected_request" });
    }
  });

  it("a DNS-rebinding page (Origin and Host both foreign) is refused without CORS headers", async () => {
    const response = await worker(
      new Request("http://evil.example.com/mcp", {
        method: "POST",
        headers: { Origin: "http://evil.example.com", Accept: STREAM_ACCEPT, "Content-Type": "application/json" },
        body: INITIALIZE,
      }),
    );
    expect(response.status).toBe(421);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("an origin is checked against the server's, not the request's own host", async () => {
    const response = await worker(
      new Request(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: { Origin: "http://localhost.evil.example", "Content-Type": "application/json" },
        body: INITIALIZE,
      }),
    );
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });

  it("deeply nested JSON gets 400 on /mcp, plain JSON-RPC, legacy SSE and WebSocket, and the server keeps serving", async () => {
    const token = (await signIn(ADELE)).access_token;
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const nested = `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":${deep}}}`;
    for (const response of [
      await mcp(token, nested),
      await worker(
        new Request(`${ORIGIN}/sse`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: nested,
        }),
      ),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: expect.stringMatching(/nests deeper/) } });
    }
    const stream = await openSse(token);
    const legacy = await ssePost(token, stream.endpoint, nested);
    expect(legacy.status).toBe(400);
    await legacy.body?.cancel();
    await stream.close();
    const socket = await openSocket(token);
    socket.socket.send(nested);
    socket.socket.send(rpc("ping", {}, 2));
    expect(await socket.reply(2)).toMatchObject({ result: {} });
    expect(socket.received[0]).toMatchObject({ error: { message: expect.stringMatching(/nests deeper/) } });
    socket.socket.close();
  });
});

describe("the warm path", () => {
  let lines: Record<string, unknown>[] = [];
  beforeEach(() => {
    lines = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      if (typeof line === "string" && line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("a session's first read asks the account once; warm reads ask no one but the session", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const session = await openSession(adele);
    const call = (id: number, args: object) =>
      mcp(adele, rpc("tools/call", { name: "getEmails", arguments: args }, id), { session });
    await messagesOf(await call(2, { count: 10 }));
    await messagesOf(await call(3, { count: 10 }));
    await messagesOf(await call(4, { count: 10, fresh: true }));
    const [first, cached, fresh] = lines.filter((line) => line.event === "tool_call" && line.tool === "getEmails");
    // The first call of a session: the session, then the account for token and cache generations.
    expect(first).toMatchObject({ cache: "miss", hops: { durableObjects: 2 } });
    // Tests read the runtime config on every call (RUNTIME_CONFIG_TTL_SECONDS=0): that is the one KV read.
    expect(cached).toMatchObject({ cache: "hit", graphRequests: 0, hops: { durableObjects: 1, kvReads: 1 } });
    expect(fresh).toMatchObject({ cache: "bypass", graphRequests: 1, hops: { durableObjects: 1 } });
  });

  it("a write in one session makes the same user's cached reads in another session stale at once", async () => {
    const adele = (await signIn(ADELE)).access_token;
    const reader = await openSession(adele);
    const writer = await openSession(adele);
    const read = (id: number) =>
      mcp(adele, rpc("tools/call", { name: "getEmails", arguments: { count: 5, folder: "sentitems" } }, id), {
        session: reader,
      });
    await messagesOf(await read(2));
    await messagesOf(await read(3));
    const sent = await messagesOf(
      await mcp(
        adele,
        rpc("tools/call", { name: "sendEmail", arguments: { to: [MEGAN], subject: "Fresh one", body: "x" } }, 4),
        { session: writer },
      ),
    );
    expect(JSON.stringify(sent)).not.toContain('"isError":true');
    // The account pushes the bump to the reader's session in the background.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await messagesOf(await read(5));
    const reads = lines.filter((line) => line.event === "tool_call" && line.tool === "getEmails");
    expect(reads.map((line) => line.cache)).toEqual(["miss", "hit", "miss"]);
    expect(JSON.stringify(after)).toContain("Fresh one");
  });
});
