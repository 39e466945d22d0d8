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
import { connectClient, emulator, ORIGIN, signIn, worker } from "../unit/helpers.ts";

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
    // It waits 4.5 s by design; a loaded machine needs room beyond that.
  }, 30_000);

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

async function kvKeys(kv: KVNamespace): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await kv.list(cursor ? { cursor } : {});
    for (const key of page.keys) keys.add(key.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

const added = (before: Set<string>, after: Set<string>) => [...after].filter((key) => !before.has(key));

describe("an operator removes one person's data entirely", () => {
  const forget = (user: string, key = "test-only-operator-key-0123456789abcdef") =>
    worker(
      new Request(`${ORIGIN}/operator/forget-user`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        body: JSON.stringify({ user }),
      }),
    );

  it("POST /operator/forget-user by sign-in name leaves nothing of the person in KV or any Durable Object", async () => {
    const [oauthBefore, cacheBefore] = [await kvKeys(env.OAUTH_KV), await kvKeys(env.CACHE_KV)];
    const adele = (await signIn("adele@contoso.example")).access_token;
    // Adele stays connected over a WebSocket, which keeps her session past the 2 s idle time.
    const storedBefore = await storedSessions();
    const socket = (
      await worker(
        new Request(`${ORIGIN}/sse`, { headers: { Authorization: `Bearer ${adele}`, Upgrade: "websocket" } }),
      )
    ).webSocket!;
    socket.accept();
    const adeleSessions = [...(await storedSessions())].filter((id) => !storedBefore.has(id));
    expect(adeleSessions).toHaveLength(1);
    const oauthWithAdele = await kvKeys(env.OAUTH_KV);
    const first = await signIn("megan@contoso.example");
    const second = await signIn("megan@contoso.example");
    // A refresh leaves what replay detection remembers of the grant.
    const refreshed = await worker(
      new Request(`${ORIGIN}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: first.refresh_token!,
          client_id: first.clientId,
        }),
      }),
    );
    expect(refreshed.status).toBe(200);
    await refreshed.body?.cancel();
    const sessions = [await open(second.access_token), await open(second.access_token)];
    const client = await connectClient(second.access_token);
    await client.callTool({ name: "getEmails", arguments: { count: 3 } });
    await client.close();
    const megansOAuth = added(oauthWithAdele, await kvKeys(env.OAUTH_KV));
    const megansCache = added(cacheBefore, await kvKeys(env.CACHE_KV));
    expect(megansOAuth.some((key) => key.startsWith("refresh-rotation:"))).toBe(true);
    expect(megansOAuth.some((key) => key.startsWith("user-by-name:"))).toBe(true);
    expect(megansCache.length).toBeGreaterThan(0);

    expect((await forget("megan@contoso.example", "wrong")).status).toBe(401);
    const response = await forget("Megan@Contoso.example");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ forgotten: true, grantsRevoked: 2 });

    const oauthAfter = await kvKeys(env.OAUTH_KV);
    const cacheAfter = await kvKeys(env.CACHE_KV);
    // Client registrations belong to the apps that registered, not to a person: they stay.
    expect(megansOAuth.filter((key) => oauthAfter.has(key) && !key.startsWith("client:"))).toEqual([]);
    expect(megansCache.filter((key) => cacheAfter.has(key))).toEqual([]);
    // Adele, signed in meanwhile, keeps everything.
    expect(added(oauthBefore, oauthWithAdele).every((key) => oauthAfter.has(key))).toBe(true);
    await sleep(1700);
    const stored = await storedSessions();
    for (const session of sessions) expect(stored.has(idOf(session))).toBe(false);
    expect(stored.has(adeleSessions[0]!)).toBe(true);
    socket.close();
    const account = userAccount(env, `${TENANT_ID}.${MEGAN.id}`);
    expect((await runInDurableObject(account, (_instance, state) => state.storage.list())).size).toBe(0);
    // Nothing is left to find by that name.
    expect((await forget("megan@contoso.example")).status).toBe(404);
  }, 30_000);
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
