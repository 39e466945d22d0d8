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

  it("the consent page's forms may lead only here, to Microsoft sign-in and to the client's redirect URI", async () => {
    const client = await registerClient(worker, ORIGIN);
    const response = await worker(new Request(authorizationUrl(ORIGIN, client, (await pkcePair()).challenge)));
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const policy = response.headers.get("Content-Security-Policy") ?? "";
    const formAction = /form-action ([^;]+)/.exec(policy)?.[1]?.split(" ");
    expect(formAction).toEqual(["'self'", new URL(env.MICROSOFT_AUTHORITY_URL).origin, "http://127.0.0.1:9999"]);
    expect(policy).not.toContain("*");
    const landing = await worker(new Request(`${ORIGIN}/`));
    await landing.body?.cancel();
    expect(/form-action ([^;]+)/.exec(landing.headers.get("Content-Security-Policy") ?? "")?.[1]).toBe("'none'");
  });

  it("a loopback redirect URI matches whatever its port (RFC 8252 §7.3), and nothing else of it may differ", async () => {
    const client = await registerClient(worker, ORIGIN);
    const registered = new URL(client.redirect_uris[0]!);
    expect(["127.0.0.1", "localhost"]).toContain(registered.hostname);
    const attempt = async (redirectUri: string) => {
      const url = new URL(authorizationUrl(ORIGIN, client, (await pkcePair()).challenge));
      url.searchParams.set("redirect_uri", redirectUri);
      const response = await worker(new Request(url));
      await response.body?.cancel();
      return response.status;
    };
    const otherPort = new URL(registered);
    otherPort.port = String(Number(registered.port || 80) === 45678 ? 45679 : 45678);
    expect(await attempt(otherPort.href)).toBe(200);
    const otherPath = new URL(registered);
    otherPath.pathname = "/elsewhere";
    expect(await attempt(otherPath.href)).toBe(400);
    const otherHost = new URL(registered);
    otherHost.hostname = "evil.example.com";
    expect(await attempt(otherHost.href)).toBe(400);
  });

  it("a remembered approval is bound to the account: a second account in the same browser is asked", async () => {
    const browser = testBrowser();
    const client = await registerClient(worker, ORIGIN);
    const start = async () => authorizationUrl(ORIGIN, client, (await pkcePair()).challenge);
    await completeAuthorization(browser, await start(), { user: "adele@contoso.example" });
    // Megan, in Adele's browser: the consent page comes after her Microsoft sign-in, and refusing it
    // gives her client nothing.
    const megan = await completeAuthorization(browser, await start(), {
      user: "megan@contoso.example",
      decision: "deny",
    });
    expect(megan.searchParams.get("error")).toBe("access_denied");
    expect(megan.searchParams.get("code")).toBeNull();
    // Approving it lets her in, and from then on both accounts skip the page.
    const approved = await completeAuthorization(browser, await start(), { user: "megan@contoso.example" });
    expect(approved.searchParams.get("code")).toBeTruthy();
    for (const user of ["adele@contoso.example", "megan@contoso.example"]) {
      const again = await completeAuthorization(browser, await start(), { user, decision: "deny" });
      expect(again.searchParams.get("code"), user).toBeTruthy();
    }
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
