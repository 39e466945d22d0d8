/**
 * Storage that cleans up after itself: idle sessions delete themselves
 * (SESSION_IDLE_SECONDS is 2 in this project), a live socket keeps its session,
 * DELETE and sign-out remove session objects at once, and nothing of a
 * signed-out user remains in their account object.
 */
import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { userAccount } from "../../src/session/account/user-account.ts";
import { MEGAN, TENANT_ID } from "../../emulator/tenant.ts";
import { emulator, ORIGIN, signIn, worker } from "../unit/helpers.ts";

const ACCEPT = "application/json, text/event-stream";
const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "lifetime", version: "1" } },
});

function mcp(token: string, body: string | undefined, method = "POST", session?: string): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}/mcp`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: ACCEPT,
        "Content-Type": "application/json",
        "mcp-protocol-version": "2025-11-25",
        ...(session ? { "mcp-session-id": session } : {}),
      },
      body,
    }),
  );
}

async function open(token: string): Promise<string> {
  const response = await mcp(token, INITIALIZE);
  await response.body?.cancel();
  return response.headers.get("mcp-session-id")!;
}

/** Session objects that hold storage now. */
async function storedSessions(): Promise<Set<string>> {
  const ids = await listDurableObjectIds(env.MCP_OBJECT);
  const stored = new Set<string>();
  for (const id of ids) {
    const keys = await runInDurableObject(env.MCP_OBJECT.get(id), (_instance, state) => state.storage.list());
    if (keys.size > 0) stored.add(id.toString());
  }
  return stored;
}

const idOf = (session: string) => env.MCP_OBJECT.idFromName(`streamable-http:${session}`).toString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("session objects clean up after themselves", () => {
  it("idle sessions delete their storage and answer 'Session not found'; a live socket's session stays", async () => {
    const adele = (await signIn("adele@contoso.example")).access_token;
    const sessions = await Promise.all([open(adele), open(adele), open(adele), open(adele)]);
    const socketResponse = await worker(
      new Request(`${ORIGIN}/sse`, { headers: { Authorization: `Bearer ${adele}`, Upgrade: "websocket" } }),
    );
    const socket = socketResponse.webSocket!;
    socket.accept();
    const before = await storedSessions();
    for (const session of sessions) expect(before.has(idOf(session))).toBe(true);
    const socketIds = [...before].filter((id) => !sessions.map(idOf).includes(id));
    await sleep(4500);
    const after = await storedSessions();
    for (const session of sessions) expect(after.has(idOf(session))).toBe(false);
    for (const id of socketIds) expect(after.has(id)).toBe(true);
    const expired = await mcp(adele, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }), "POST", sessions[0]);
    expect(expired.status).toBe(404);
    expect(await expired.json()).toMatchObject({ error: { code: -32001, message: "Session not found" } });
    socket.close();
  });

  it("DELETE ends a Streamable HTTP session's object at once", async () => {
    const adele = (await signIn("adele@contoso.example")).access_token;
    const session = await open(adele);
    expect((await storedSessions()).has(idOf(session))).toBe(true);
    const deleted = await mcp(adele, undefined, "DELETE", session);
    expect(deleted.status).toBe(200);
    await deleted.body?.cancel();
    expect((await storedSessions()).has(idOf(session))).toBe(false);
  });

  it("sign-out removes every session object of the user and leaves nothing in their account object", async () => {
    const megan = (await signIn("megan@contoso.example")).access_token;
    const adele = (await signIn("adele@contoso.example")).access_token;
    const mine = [await open(megan), await open(megan)];
    const account = userAccount(env, `${TENANT_ID}.${MEGAN.id}`);
    expect((await runInDurableObject(account, (_instance, state) => state.storage.list())).size).toBeGreaterThan(0);
    const logout = await worker(
      new Request(`${ORIGIN}/logout`, { method: "POST", headers: { Authorization: `Bearer ${megan}` } }),
    );
    expect(logout.status).toBe(200);
    await logout.body?.cancel();
    const other = await open(adele);
    // Sign-out lets calls already running answer for a moment before the objects go.
    await sleep(1700);
    const stored = await storedSessions();
    for (const session of mine) expect(stored.has(idOf(session))).toBe(false);
    expect(stored.has(idOf(other))).toBe(true);
    expect((await runInDurableObject(account, (_instance, state) => state.storage.list())).size).toBe(0);
  });
});

describe("the warm path under production settings", () => {
  let lines: Record<string, unknown>[] = [];
  beforeEach(() => {
    lines = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      if (typeof line === "string" && line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("a warm read makes one Durable Object round trip (the session) and no KV read or Graph call", async () => {
    const adele = (await signIn("adele@contoso.example")).access_token;
    const session = await open(adele);
    for (const id of [2, 3, 4]) {
      const response = await mcp(
        adele,
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "getEmails", arguments: { count: 10 } },
        }),
        "POST",
        session,
      );
      await response.text();
    }
    const calls = lines.filter((line) => line.event === "tool_call" && line.tool === "getEmails");
    expect(calls.at(-1)).toMatchObject({ cache: "hit", graphRequests: 0, hops: { durableObjects: 1, kvReads: 0 } });
  });
});
