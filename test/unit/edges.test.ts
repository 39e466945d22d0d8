/**
 * The edges an attacker pokes at without signing in, or with a stolen token:
 * refresh-token replay, oversized registrations, /health amplification, and
 * what token responses and challenges say.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { completeAuthorization } from "../support/headless-browser.ts";
import { authorizationUrl, exchangeCode, pkcePair, registerClient } from "../support/oauth-client.ts";
import { clearLog, emulator, ORIGIN, requestLog, testBrowser, worker } from "./helpers.ts";

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope?: string;
}

async function signedInClient() {
  const client = await registerClient(worker, ORIGIN);
  const { verifier, challenge } = await pkcePair();
  const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge), {
    user: "adele@contoso.example",
  });
  const response = await exchangeCode(worker, ORIGIN, client, redirect.searchParams.get("code")!, verifier);
  return { client, tokens: (await response.json()) as Tokens };
}

function refresh(clientId: string, refreshToken: string): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
    }),
  );
}

async function ping(accessToken: string): Promise<number> {
  const response = await worker(
    new Request(`${ORIGIN}/sse`, {
      method: "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    }),
  );
  await response.body?.cancel();
  return response.status;
}

function register(metadata: Record<string, unknown>): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        redirect_uris: ["http://127.0.0.1:9999/cb"],
        token_endpoint_auth_method: "none",
        ...metadata,
      }),
    }),
  );
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("refresh-token rotation with replay detection", () => {
  it("a rotated refresh token replayed revokes the grant: every token of it stops working", async () => {
    const { client, tokens: first } = await signedInClient();
    const second = (await (await refresh(client.client_id, first.refresh_token)).json()) as Tokens;
    const third = (await (await refresh(client.client_id, second.refresh_token)).json()) as Tokens;
    expect(await ping(third.access_token)).toBe(200);
    // RT1 was rotated two steps ago: a thief's copy.
    const replay = await refresh(client.client_id, first.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    expect(await ping(third.access_token)).toBe(401);
    expect((await refresh(client.client_id, third.refresh_token)).status).toBe(400);
  });

  it("the token just rotated may be presented once more within seconds (a lost response), never twice", async () => {
    const { client, tokens: first } = await signedInClient();
    const second = (await (await refresh(client.client_id, first.refresh_token)).json()) as Tokens;
    // The client never saw `second` and retries with RT1: allowed once.
    const retried = await refresh(client.client_id, first.refresh_token);
    expect(retried.status).toBe(200);
    const latest = (await retried.json()) as Tokens;
    expect(await ping(latest.access_token)).toBe(200);
    // A second replay of RT1 is theft.
    expect((await refresh(client.client_id, first.refresh_token)).status).toBe(400);
    expect(await ping(latest.access_token)).toBe(401);
    expect(await ping(second.access_token)).toBe(401);
  });

  it("after the grace period even the first replay revokes the grant", async () => {
    const { client, tokens: first } = await signedInClient();
    const second = (await (await refresh(client.client_id, first.refresh_token)).json()) as Tokens;
    const grantId = first.refresh_token.split(":")[1]!;
    const rotations = (await env.OAUTH_KV.get(`refresh-rotation:${grantId}`, "json")) as { lastAt: number };
    await env.OAUTH_KV.put(
      `refresh-rotation:${grantId}`,
      JSON.stringify({ ...rotations, lastAt: Date.now() - 60_000 }),
    );
    expect((await refresh(client.client_id, first.refresh_token)).status).toBe(400);
    expect(await ping(second.access_token)).toBe(401);
  });

  it("a token response names no scope when none was asked for", async () => {
    const { tokens } = await signedInClient();
    expect(tokens).not.toHaveProperty("scope");
  });
});

describe("dynamic client registration is bounded", () => {
  it("refuses oversized fields with the field and its limit named", async () => {
    const cases: [Record<string, unknown>, RegExp, number][] = [
      [{ client_name: "x".repeat(1_000_000) }, /over 16 KiB/, 413],
      [{ client_name: "x".repeat(201) }, /client_name is 201 characters; the limit is 200/, 400],
      [
        { redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:${9000 + i}/cb`) },
        /redirect_uris has 11 entries; the limit is 10/,
        400,
      ],
      [{ logo_uri: `https://example.com/${"a".repeat(2100)}` }, /logo_uri is \d+ characters; the limit is 2048/, 400],
      [{ contacts: ["a@b.c", "d@e.f", "g@h.i", "j@k.l", "m@n.o", "p@q.r"] }, /contacts has 6 entries/, 400],
    ];
    for (const [metadata, message, status] of cases) {
      const response = await register(metadata);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({
        error: "invalid_client_metadata",
        error_description: expect.stringMatching(message),
      });
    }
    const ok = await register({ client_name: "Fine" });
    expect(ok.status).toBe(201);
    await ok.body?.cancel();
  });
});

describe("anonymous endpoints", () => {
  it("/health reaches Microsoft at most once a minute however often it is asked", async () => {
    await clearLog();
    for (let i = 0; i < 20; i++) {
      const response = await worker(new Request(`${ORIGIN}/health`));
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const upstream = (await requestLog()).filter(
      (entry) => entry.path.includes("openid-configuration") || entry.path === "/v1.0" || entry.path === "/v1.0/",
    );
    expect(upstream.length).toBeLessThanOrEqual(2);
  });

  it("a call without a token gets the OAuth challenge without an error code (RFC 6750 §3.1)", async () => {
    const response = await worker(
      new Request(`${ORIGIN}/sse`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "getEmails" } }),
      }),
    );
    expect(response.status).toBe(401);
    const challenge = response.headers.get("WWW-Authenticate")!;
    expect(challenge).toMatch(/^Bearer realm="OAuth", resource_metadata="/);
    expect(challenge).not.toContain("error=");
    await response.body?.cancel();
  });
});
