/**
 * The runbook's failure modes as tested behaviour: Graph throttling and
 * outages, the circuit breaker, timeouts, the token lifecycle (refresh storm,
 * dead grants, logout, key rotation), caching, limits and what the logs may
 * carry. Idempotent writes have their own file (once.test.ts).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { UserAccount } from "../../src/session/account/user-account.ts";
import { tenantAllowed } from "../../src/auth/authorize.ts";
import { seal } from "../../src/shared/crypto.ts";
import { limitSignedIn } from "../../src/session/rate-limits.ts";
import {
  ORIGIN,
  callTool,
  clearLog,
  connectClient,
  emulator,
  requestLog,
  resultText,
  signIn,
  worker,
} from "./helpers.ts";

const inboxReads = async () =>
  (await requestLog()).filter((r) => r.method === "GET" && r.path === "/v1.0/me/mailFolders/inbox/messages");
const sendMails = async () => (await requestLog()).filter((r) => r.path === "/v1.0/me/sendMail");

const call = callTool;

const text = resultText;

function mcpPost(token: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}/mcp`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json, text/event-stream",
        "Content-Type": "application/json",
        ...headers,
      },
      body,
    }),
  );
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("Graph throttling and outages", () => {
  it("rides out a 429 storm on reads, honouring Retry-After, and reports throttled when it lasts", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 429,
      retryAfterSeconds: 0,
      count: 3,
    });
    const recovered = await call(client, "getEmails", { count: 2, fresh: true });
    expect(recovered.isError).toBeFalsy();
    expect((await inboxReads()).map((r) => r.status)).toEqual([429, 429, 429, 200]);

    await clearLog();
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 429,
      retryAfterSeconds: 120,
      count: 1,
    });
    const throttled = await call(client, "getEmails", { count: 2, fresh: true });
    expect(throttled.isError).toBe(true);
    expect(text(throttled)).toMatch(/^Error \[throttled\].*retry after 120s/s);
    expect(throttled._meta?.retryAfterSeconds).toBe(120);
    // A Retry-After longer than a tool call may wait is handed back, not slept through.
    expect(await inboxReads()).toHaveLength(1);
  });

  it("retries a throttled write: Graph did not process a 429, so the mail goes out once", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "POST /v1.0/me/sendMail", status: 429, retryAfterSeconds: 0, count: 1 });
    const result = await call(client, "sendEmail", {
      to: ["megan@contoso.example"],
      subject: "throttled once",
      body: "x",
    });
    expect(result.isError).toBeFalsy();
    expect((await sendMails()).map((r) => r.status)).toEqual([429, 202]);
  });

  it("retries 503 and 504 bursts on reads", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 503,
      retryAfterSeconds: 0,
      count: 1,
    });
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 504,
      retryAfterSeconds: 0,
      count: 1,
    });
    const result = await call(client, "getEmails", { count: 1, fresh: true });
    expect(result.isError).toBeFalsy();
    expect((await inboxReads()).map((r) => r.status)).toEqual([503, 504, 200]);
  });

  it("retries a 503 on a POST that only reads (getSchedule), unlike a write", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", {
      match: "POST /v1.0/me/calendar/getSchedule",
      status: 503,
      retryAfterSeconds: 0,
      count: 1,
    });
    const result = await call(client, "getSchedule", { people: ["megan@contoso.example"], fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    const posts = (await requestLog()).filter((r) => r.path === "/v1.0/me/calendar/getSchedule");
    expect(posts.map((r) => r.status)).toEqual([503, 200]);
  });

  it("abandons a read that times out and retries it; a write that times out is not resent", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "GET /v1.0/me/mailFolders/inbox/messages", latencyMs: 7000, count: 1 });
    const read = await call(client, "getEmails", { count: 1, fresh: true });
    expect(read.isError).toBeFalsy();

    await emulator(env, "faults", { match: "POST /v1.0/me/sendMail", latencyMs: 7000, count: 1 });
    const write = await call(client, "sendEmail", { to: ["megan@contoso.example"], subject: "slow", body: "x" });
    expect(write.isError).toBe(true);
    expect(text(write)).toMatch(
      /upstream_unavailable.*did not answer within 5 seconds.*may or may not have been made/s,
    );
    // The emulator logs the slow request when it finishes answering, after the client gave up.
    await vi.waitFor(async () => expect(await sendMails()).toHaveLength(1), { timeout: 5000, interval: 200 });
  }, 30_000);

  it("opens the circuit after repeated outages, refuses without calling Graph, and closes after a good probe", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 503,
      retryAfterSeconds: 0,
      count: 1000,
    });
    for (let i = 0; i < 5; i++) {
      const failed = await call(client, "getEmails", { count: 1, fresh: true });
      expect(text(failed)).toContain("upstream_unavailable");
    }
    const attempts = (await inboxReads()).length;
    expect(attempts).toBe(5 * 4);

    const refused = await call(client, "getEmails", { count: 1, fresh: true });
    expect(text(refused)).toMatch(/upstream_unavailable.*paused/s);
    expect(refused._meta?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await inboxReads()).toHaveLength(attempts);

    await emulator(env, "faults", undefined, "DELETE");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const probe = await call(client, "getEmails", { count: 1, fresh: true });
    expect(probe.isError).toBeFalsy();
    const after = await call(client, "getEmails", { count: 1, fresh: true });
    expect(after.isError).toBeFalsy();
  });
});

describe("Microsoft token lifecycle", () => {
  it("refreshes once for fifty concurrent calls with an expired token, keeps the scopes, persists the rotated refresh token", async () => {
    const token = (await signIn()).access_token;
    const client = await connectClient(token);
    const before = (await call(client, "authenticate")).structuredContent as { scopes: string[] };
    await emulator(env, "expire-tokens", {});
    await clearLog();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call(client, "getEmails", { count: 1, fresh: true })),
    );
    expect(results.filter((result) => result.isError)).toEqual([]);
    const refreshes = () =>
      requestLog().then((log) => log.filter((r) => r.method === "POST" && r.path.endsWith("/oauth2/v2.0/token")));
    expect(await refreshes()).toHaveLength(1);
    const after = (await call(client, "authenticate")).structuredContent as {
      scopes: string[];
      tokenExpiresAt: string;
    };
    expect(after.scopes).toEqual(before.scopes);
    expect(Date.parse(after.tokenExpiresAt)).toBeGreaterThan(Date.now());

    // The emulator rotates refresh tokens and refuses used ones: a second refresh works only
    // if the rotated token was stored.
    await emulator(env, "expire-tokens", {});
    expect((await call(client, "getEmails", { count: 1, fresh: true })).isError).toBeFalsy();
    expect((await refreshes()).map((r) => r.status)).toEqual([200, 200]);
  });

  it("answers auth_required when Microsoft refuses the refresh, and revokes the dead grant so the client signs in again", async () => {
    const token = (await signIn()).access_token;
    const client = await connectClient(token);
    await emulator(env, "revoke-refresh-tokens", {});
    await emulator(env, "expire-tokens", {});
    const result = await call(client, "getEmails", { fresh: true });
    expect(text(result)).toMatch(/^Error \[auth_required\]/);
    let status = 0;
    for (let i = 0; i < 20 && status !== 401; i++) {
      const response = await mcpPost(token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
      status = response.status;
      await response.body?.cancel();
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
  });

  it("logout (the tool) revokes the grant and deletes the Microsoft sign-in and cached data", async () => {
    const token = (await signIn()).access_token;
    const client = await connectClient(token);
    await client.readResource({ uri: "microsoft://profile" });
    expect((await env.CACHE_KV.list({ prefix: "cache:" })).keys.length).toBeGreaterThan(0);
    const result = await call(client, "logout");
    expect(result.isError).toBeFalsy();
    expect(text(result)).toMatch(
      /Signed out: [1-9]\d* connection\(s\) revoked, Microsoft sign-in and [1-9]\d* cached item/,
    );
    const response = await mcpPost(token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });

  it("POST /logout with the bearer token signs out; the token is then refused", async () => {
    const token = (await signIn()).access_token;
    const wrongMethod = await worker(
      new Request(`${ORIGIN}/logout`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(wrongMethod.status).toBe(405);
    const unauthenticated = await worker(new Request(`${ORIGIN}/logout`, { method: "POST" }));
    expect(unauthenticated.status).toBe(401);
    const response = await worker(
      new Request(`${ORIGIN}/logout`, { method: "POST", headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ signedOut: true, grantsRevoked: expect.any(Number) });
    const again = await mcpPost(token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    expect(again.status).toBe(401);
    await again.body?.cancel();
  });

  it("rotates the encryption key without signing anyone out: old tokens open and are resealed with the new key", async () => {
    const id = env.USER_ACCOUNT.idFromName("rotation-test.user");
    const stub = env.USER_ACCOUNT.get(id) as DurableObjectStub<UserAccount>;
    const identity = { tenantId: "t", objectId: "o", name: "R", username: "r@contoso.example" };
    const tokens = {
      accessToken: "at-1",
      refreshToken: "rt-1",
      expiresAt: Date.now() + 3_600_000,
      scopes: ["Mail.Read"],
    };
    const previous = await runInDurableObject(stub, async (_instance, state) => {
      const sealed = await seal(tokens, env.TOKEN_ENCRYPTION_KEYS_PREVIOUS, "microsoft-tokens:t.o");
      await state.storage.put("account", { identity, tokens: sealed, signedInAt: Date.now() });
      return sealed.kid;
    });
    const result = await stub.getAccessToken();
    expect(result).toMatchObject({ ok: true, accessToken: "at-1" });
    const resealed = await runInDurableObject(stub, async (_instance, state) => {
      const account = await state.storage.get<{ tokens: { kid: string; ciphertext: string } }>("account");
      return account!.tokens;
    });
    expect(resealed.kid).not.toBe(previous);
    expect(resealed.ciphertext).not.toContain("at-1");
  });
});

describe("per-user cache", () => {
  it("serves a repeat read from the cache, reads fresh on request, and drops mail after a send", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const first = await call(client, "getEmails", { count: 3 });
    const second = await call(client, "getEmails", { count: 3 });
    expect(text(second)).toBe(text(first));
    expect(await inboxReads()).toHaveLength(1);

    await call(client, "getEmails", { count: 3, fresh: true });
    expect(await inboxReads()).toHaveLength(2);

    await call(client, "sendEmail", { to: ["megan@contoso.example"], subject: "invalidate", body: "x" });
    await call(client, "getEmails", { count: 3 });
    expect(await inboxReads()).toHaveLength(3);
  });

  it("never serves one user's cached listing to another", async () => {
    const adele = await connectClient((await signIn("adele@contoso.example")).access_token);
    const megan = await connectClient((await signIn("megan@contoso.example")).access_token);
    const adeleInbox = text(await call(adele, "getEmails", { count: 3 }));
    const meganInbox = text(await call(megan, "getEmails", { count: 3 }));
    expect(meganInbox).not.toBe(adeleInbox);
    expect(await inboxReads()).toHaveLength(2);
  });
});

describe("limits", () => {
  // Real Rate Limiting bindings, configured tight for these tests (vitest.config.ts).
  const tight = env as unknown as Env & { TIGHT_USER_RATE_LIMIT: RateLimit; TIGHT_TENANT_RATE_LIMIT: RateLimit };
  const props = { userKey: "limits-tenant.limits-user", tenantId: "limits-tenant" };

  it("refuses a user over the per-user limit with a retry time", async () => {
    const limited = { ...env, USER_RATE_LIMIT: tight.TIGHT_USER_RATE_LIMIT };
    for (let i = 0; i < 3; i++) expect(await limitSignedIn(limited, props)).toBeUndefined();
    const refused = await limitSignedIn(limited, props);
    expect(refused).toMatchObject({ message: expect.stringMatching(/your account/), retryAfterSeconds: 60 });
    // Another user is counted on their own.
    expect(await limitSignedIn(limited, { ...props, userKey: "limits-tenant.other" })).toBeUndefined();
  });

  it("limits a whole tenant across its users", async () => {
    const limited = { ...env, TENANT_RATE_LIMIT: tight.TIGHT_TENANT_RATE_LIMIT };
    const tenant = { tenantId: "busy-tenant" };
    await limitSignedIn(limited, { ...tenant, userKey: "busy-tenant.a" });
    await limitSignedIn(limited, { ...tenant, userKey: "busy-tenant.b" });
    const refused = await limitSignedIn(limited, { ...tenant, userKey: "busy-tenant.c" });
    expect(refused?.message).toMatch(/your organization/);
  });

  it("refuses MCP messages over 4 MB, declared or streamed, and keeps serving", async () => {
    const token = (await signIn()).access_token;
    const big = "x".repeat(4 * 1024 * 1024 + 10);
    const declared = await mcpPost(token, big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/4 MB/) } });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    const streamed = await worker(
      new Request(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    await streamed.body?.cancel();
    const client = await connectClient(token);
    expect((await call(client, "authenticate")).isError).toBeFalsy();
  });

  it("admits only allowed tenants when ALLOWED_TENANTS is set", () => {
    expect(tenantAllowed({ ...env, ALLOWED_TENANTS: "" }, "any")).toBe(true);
    expect(tenantAllowed({ ...env, ALLOWED_TENANTS: " AAA , bbb" }, "aaa")).toBe(true);
    expect(tenantAllowed({ ...env, ALLOWED_TENANTS: "aaa,bbb" }, "ccc")).toBe(false);
  });
});

describe("logs", () => {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());

  it("log one JSON line per tool call and per request, with a user hash and never a token, address or content", async () => {
    const tokens = await signIn();
    const client = await connectClient(tokens.access_token);
    await call(client, "getEmails", { count: 2 });
    await call(client, "sendEmail", {
      to: ["megan@contoso.example"],
      subject: "Quarterly secret plan",
      body: "body text",
    });
    await call(client, "getEmails", { count: 500 });
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const toolCalls = parsed.filter((line) => line.event === "tool_call");
    expect(toolCalls.map((line) => line.tool)).toEqual(expect.arrayContaining(["getEmails", "sendEmail"]));
    for (const line of toolCalls.filter((entry) => entry.ok)) {
      expect(line).toMatchObject({ user: expect.stringMatching(/^[0-9a-f]{16}$/), latencyMs: expect.any(Number) });
    }
    expect(toolCalls.find((line) => line.tool === "sendEmail")).toMatchObject({ graphStatus: 202, retries: 0 });
    expect(parsed.filter((line) => line.event === "http_request").length).toBeGreaterThan(0);
    const all = lines.join("\n");
    for (const secret of [
      tokens.access_token,
      tokens.refresh_token!,
      "adele@contoso.example",
      "megan@contoso.example",
      "Quarterly secret plan",
      "body text",
      "Bearer",
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
