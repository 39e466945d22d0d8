import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { completeAuthorization, parseForm } from "../support/headless-browser.ts";
import { authorizationUrl, exchangeCode, pkcePair, registerClient } from "../support/oauth-client.ts";
import { emulator, ORIGIN, signIn, testBrowser, worker } from "./helpers.ts";

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("authorization: consent page, Microsoft sign-in, token exchange", () => {
  it("shows our consent page with the client, where access goes, and the Microsoft permissions", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const response = await worker(new Request(authorizationUrl(ORIGIN, client, challenge)));
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    const html = await response.text();
    expect(html).toContain("Test MCP Client");
    expect(html).toContain("127.0.0.1");
    expect(html).toContain("app on your computer");
    expect(html).toContain("Mail.Read");
    expect(html).toContain("Mail.Send");
    expect(parseForm(html, ORIGIN).fields.map((field) => field.name)).toContain("handle");
  });

  it("completes the whole flow and the token opens an MCP session", async () => {
    const tokens = await signIn("adele@contoso.example");
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.refresh_token).toBeTruthy();
    const response = await worker(
      new Request(`${ORIGIN}/sse`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.access_token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "authenticate", arguments: {} },
        }),
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      result: { content: { text: string }[]; structuredContent: { username: string } };
    };
    expect(body.result.structuredContent.username).toBe("adele@contoso.example");
    expect(body.result.content[0]!.text).toContain("Mail.Read");
    expect(body.result.content[0]!.text).not.toMatch(/refresh|secret/i);
  });

  it("refuses a consent POST without the browser-binding cookie (CSRF)", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const page = await worker(new Request(authorizationUrl(ORIGIN, client, challenge)));
    const form = parseForm(await page.text(), ORIGIN);
    const handle = form.fields.find((field) => field.name === "handle")!.value;
    const grantsBefore = (await env.OAUTH_KV.list({ prefix: "grant:" })).keys.length;
    // A forged cross-site post carries the handle but not the cookie set with the page.
    const forged = await worker(
      new Request(`${ORIGIN}/authorize`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ handle, decision: "approve" }),
      }),
    );
    expect(forged.status).toBe(400);
    expect(forged.headers.get("Location")).toBeNull();
    expect(await forged.text()).toContain("Authorization failed");
    // Nothing was granted.
    expect((await env.OAUTH_KV.list({ prefix: "grant:" })).keys).toHaveLength(grantsBefore);
  });

  it("refuses a forged handle even with a cookie", async () => {
    const browser = testBrowser();
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    await (await browser.request(authorizationUrl(ORIGIN, client, challenge))).text();
    const response = await browser.request(`${ORIGIN}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ handle: "made-up", decision: "approve" }),
    });
    expect(response.status).toBe(400);
  });

  it("renders, never redirects, an unregistered redirect URI", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const url = new URL(authorizationUrl(ORIGIN, client, challenge));
    url.searchParams.set("redirect_uri", "https://attacker.example/steal");
    const response = await worker(new Request(url));
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
  });

  it("refuses a token exchange whose PKCE verifier does not match", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge), {
      user: "adele@contoso.example",
    });
    const wrong = await pkcePair();
    const response = await exchangeCode(worker, ORIGIN, client, redirect.searchParams.get("code")!, wrong.verifier);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("refuses a code used twice", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { verifier, challenge } = await pkcePair();
    const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge), {
      user: "adele@contoso.example",
    });
    const code = redirect.searchParams.get("code")!;
    expect((await exchangeCode(worker, ORIGIN, client, code, verifier)).status).toBe(200);
    const again = await exchangeCode(worker, ORIGIN, client, code, verifier);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("sends the client access_denied, with its state, when the user denies", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge, "s-42"), {
      user: "adele@contoso.example",
      decision: "deny",
    });
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("state")).toBe("s-42");
    expect(redirect.searchParams.get("code")).toBeNull();
  });

  it("remembers an approved client in this browser and skips the consent page next time", async () => {
    const browser = testBrowser();
    const client = await registerClient(worker, ORIGIN);
    const first = await pkcePair();
    await completeAuthorization(browser, authorizationUrl(ORIGIN, client, first.challenge), {
      user: "adele@contoso.example",
    });
    const second = await pkcePair();
    const response = await browser.request(authorizationUrl(ORIGIN, client, second.challenge));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/oauth2/v2.0/authorize");
  });

  it("renews MCP tokens with the refresh token (rotated) and the new access token works", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { verifier, challenge } = await pkcePair();
    const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge), {
      user: "adele@contoso.example",
    });
    const first = (await (
      await exchangeCode(worker, ORIGIN, client, redirect.searchParams.get("code")!, verifier)
    ).json()) as { refresh_token: string };
    const refreshed = await worker(
      new Request(`${ORIGIN}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: first.refresh_token,
          client_id: client.client_id,
        }),
      }),
    );
    expect(refreshed.status).toBe(200);
    const tokens = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(tokens.refresh_token).not.toBe(first.refresh_token);
    const response = await worker(
      new Request(`${ORIGIN}/sse`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.access_token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "authenticate", arguments: {} },
        }),
      }),
    );
    expect(
      ((await response.json()) as { result: { structuredContent: { username: string } } }).result.structuredContent
        .username,
    ).toBe("adele@contoso.example");
  });

  it("refuses an expired MCP access token with 401", async () => {
    const tokens = await signIn();
    const [, grantId] = tokens.access_token.split(":");
    const listed = await env.OAUTH_KV.list({ prefix: "token:" });
    const key = listed.keys.find((entry: { name: string }) => entry.name.includes(`:${grantId}:`));
    expect(key).toBeDefined();
    const record = (await env.OAUTH_KV.get(key!.name, "json")) as { expiresAt: number };
    await env.OAUTH_KV.put(key!.name, JSON.stringify({ ...record, expiresAt: Math.floor(Date.now() / 1000) - 10 }));
    const response = await worker(
      new Request(`${ORIGIN}/sse`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.access_token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain("invalid_token");
  });
});
