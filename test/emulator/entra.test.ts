import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DEMO_CLIENT_ID, TENANT_ID } from "../../emulator/tenant.ts";
import { authorizeUrl, graph, pkce, REDIRECT_URI, signIn, signInCode, tokenRequest } from "./helpers.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

describe("Entra ID v2.0 emulation", () => {
  it("signs in through the form and issues tokens whose id_token names the user", async () => {
    const tokens = await signIn(emulator.url, "megan@contoso.example");
    expect(tokens.scope.split(" ")).toEqual(expect.arrayContaining(["User.Read", "Mail.Read", "Mail.Send", "openid"]));
    expect(tokens.refresh_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(tokens.id_token.split(".")[1]!, "base64url").toString()) as Record<
      string,
      string
    >;
    expect(claims).toMatchObject({ aud: DEMO_CLIENT_ID, tid: TENANT_ID, preferred_username: "megan@contoso.example" });
    const me = (await (await graph(emulator.url, tokens.access_token, "/me")).json()) as { mail: string };
    expect(me.mail).toBe("megan@contoso.example");
  });

  it("shows an error page, never a redirect, for an unknown client or redirect URI", async () => {
    const { challenge } = pkce();
    const badRedirect = new URL(authorizeUrl(emulator.url, challenge));
    badRedirect.searchParams.set("redirect_uri", "https://evil.example/cb");
    const response = await fetch(badRedirect, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("AADSTS50011");
    const badClient = new URL(authorizeUrl(emulator.url, challenge));
    badClient.searchParams.set("client_id", "00000000-0000-0000-0000-000000000000");
    expect((await fetch(badClient, { redirect: "manual" })).status).toBe(400);
  });

  it("requires PKCE S256 and redirects the error with the state", async () => {
    const url = new URL(authorizeUrl(emulator.url, "x"));
    url.searchParams.set("code_challenge_method", "plain");
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("Location")!);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("state")).toBe("st");
  });

  it("refuses a wrong PKCE verifier, a reused code, a redirect mismatch and a wrong secret", async () => {
    const { verifier, challenge } = pkce();
    const code = await signInCode(emulator.url, challenge, "adele@contoso.example");
    const wrongVerifier = await tokenRequest(emulator.url, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce().verifier,
    });
    expect(wrongVerifier.status).toBe(400);
    expect(((await wrongVerifier.json()) as { error_codes: number[] }).error_codes).toEqual([501481]);

    const second = pkce();
    const code2 = await signInCode(emulator.url, second.challenge, "adele@contoso.example");
    const mismatch = await tokenRequest(emulator.url, {
      grant_type: "authorization_code",
      code: code2,
      redirect_uri: "http://localhost:9000/other",
      code_verifier: second.verifier,
    });
    expect(((await mismatch.json()) as { error: string }).error).toBe("invalid_grant");

    const good = await tokenRequest(emulator.url, {
      grant_type: "authorization_code",
      code: code2,
      redirect_uri: REDIRECT_URI,
      code_verifier: second.verifier,
    });
    expect(good.status).toBe(200);
    const reused = await tokenRequest(emulator.url, {
      grant_type: "authorization_code",
      code: code2,
      redirect_uri: REDIRECT_URI,
      code_verifier: second.verifier,
    });
    expect(((await reused.json()) as { error: string }).error).toBe("invalid_grant");

    const wrongSecret = await tokenRequest(emulator.url, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_secret: "nope",
    });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("rotates refresh tokens and keeps the granted scopes", async () => {
    const tokens = await signIn(emulator.url);
    const refreshed = (await (
      await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: tokens.refresh_token })
    ).json()) as typeof tokens;
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.scope).toContain("Mail.Send");
    const widened = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: refreshed.refresh_token,
      scope: "Files.ReadWrite offline_access",
    });
    expect(((await widened.json()) as { error_codes: number[] }).error_codes).toEqual([65001]);
  });

  it("expires access tokens and revokes refresh tokens on request", async () => {
    const tokens = await signIn(emulator.url);
    await fetch(`${emulator.url}/_emulator/expire-tokens`, { method: "POST", body: "{}" });
    const expired = await graph(emulator.url, tokens.access_token, "/me");
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toContain("expired");
    await fetch(`${emulator.url}/_emulator/revoke-refresh-tokens`, { method: "POST", body: "{}" });
    const revoked = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    expect(((await revoked.json()) as { error_codes: number[] }).error_codes).toEqual([700082]);
  });

  it("refuses Graph calls without the needed permission", async () => {
    const tokens = await signIn(emulator.url, "alex@contoso.example", "openid offline_access User.Read");
    const mail = await graph(emulator.url, tokens.access_token, "/me/messages");
    expect(mail.status).toBe(403);
    expect(((await mail.json()) as { error: { code: string } }).error.code).toBe("ErrorAccessDenied");
  });
});
