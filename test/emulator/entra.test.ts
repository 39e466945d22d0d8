import { createPublicKey, verify, type JsonWebKey } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, MEGAN, TENANT_DOMAIN, TENANT_ID } from "../../emulator/tenant.ts";
import {
  authorizeAs,
  authorizeUrl,
  control,
  graph,
  parseSignInForm,
  pkce,
  REDIRECT_URI,
  signIn,
  submitSignIn,
  tokenRequest,
  type EntraErrorBody,
  type Tokens,
} from "./helpers.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
afterEach(() => {
  vi.useRealTimers();
});

async function entraError(response: Response): Promise<EntraErrorBody> {
  return (await response.json()) as EntraErrorBody;
}

/** A fresh code for Adele and the verifier that redeems it. */
async function freshCode(scope?: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const redirect = await authorizeAs(emulator.url, "adele@contoso.example", {
    code_challenge: challenge,
    ...(scope ? { scope } : {}),
  });
  return { code: redirect.searchParams.get("code")!, verifier };
}

function redeem(code: string, verifier: string, extra: Record<string, string> = {}): Promise<Response> {
  return tokenRequest(emulator.url, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...extra,
  });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("sign-in page", () => {
  it("lists the demo users in a plain form that carries the request, preselecting login_hint", async () => {
    const url = authorizeUrl(emulator.url, { code_challenge: pkce().challenge, login_hint: "megan@contoso.example" });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("Sign in to Contoso (demo)");
    expect(html).not.toContain("<script");
    const form = parseSignInForm(html, url.toString());
    expect(form.method).toBe("POST");
    expect(new URL(form.action).pathname).toBe("/common/oauth2/v2.0/authorize");
    expect(form.accounts.map((account) => account.value)).toEqual([
      "adele@contoso.example",
      "megan@contoso.example",
      "alex@contoso.example",
    ]);
    expect(form.accounts.filter((account) => account.checked).map((account) => account.value)).toEqual([
      "megan@contoso.example",
    ]);
    expect(Object.fromEntries(form.hidden)).toMatchObject(Object.fromEntries(url.searchParams));
  });

  it("redirects back with a code and the state once an account is chosen", async () => {
    const redirect = await authorizeAs(emulator.url, "alex@contoso.example", { code_challenge: pkce().challenge });
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get("state")).toBe("state-123");
    expect(redirect.searchParams.get("code")).toMatch(/\S{40,}/);
  });

  it("asks again when the form comes back without an account", async () => {
    const url = authorizeUrl(emulator.url, { code_challenge: pkce().challenge });
    const form = parseSignInForm(await (await fetch(url)).text(), url.toString());
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(form.hidden),
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Choose one of the demo accounts");
  });

  it("accepts the tenant id and domain in place of common, and refuses other tenants", async () => {
    const challenge = pkce().challenge;
    for (const tenant of ["organizations", TENANT_ID, TENANT_DOMAIN]) {
      expect((await fetch(authorizeUrl(emulator.url, { code_challenge: challenge }, tenant))).status, tenant).toBe(200);
    }
    const other = await fetch(authorizeUrl(emulator.url, { code_challenge: challenge }, "fabrikam.example"), {
      redirect: "manual",
    });
    expect(other.status).toBe(400);
    expect(await other.text()).toContain("AADSTS90002");
  });
});

describe("authorize request validation", () => {
  it("shows an error page, never a redirect, for an unknown client or an unregistered redirect URI", async () => {
    const challenge = pkce().challenge;
    const cases: [Record<string, string>, string][] = [
      [{ client_id: "00000000-0000-0000-0000-000000000000" }, "AADSTS700016"],
      [{ redirect_uri: "https://evil.example/callback" }, "AADSTS50011"],
      [{ redirect_uri: "http://192.168.1.20:9000/callback" }, "AADSTS50011"],
      [{ redirect_uri: "not a url" }, "AADSTS50011"],
    ];
    for (const [params, code] of cases) {
      const response = await fetch(authorizeUrl(emulator.url, { code_challenge: challenge, ...params }), {
        redirect: "manual",
      });
      expect(response.status, JSON.stringify(params)).toBe(400);
      expect(response.headers.get("Location")).toBeNull();
      expect(await response.text()).toContain(code);
    }
  });

  it("redirects other errors to the app with error, error_description and state", async () => {
    const challenge = pkce().challenge;
    const cases: [Record<string, string>, string][] = [
      [{ code_challenge: "" }, "invalid_request"],
      [{ code_challenge: challenge, code_challenge_method: "plain" }, "invalid_request"],
      [{ code_challenge: "too-short" }, "invalid_request"],
      [{ code_challenge: challenge, response_type: "token" }, "unsupported_response_type"],
      [{ code_challenge: challenge, scope: "openid Mail.Explode" }, "invalid_scope"],
      [{ code_challenge: challenge, scope: "" }, "invalid_request"],
      [{ code_challenge: challenge, prompt: "none" }, "login_required"],
    ];
    for (const [params, error] of cases) {
      const response = await fetch(authorizeUrl(emulator.url, params), { redirect: "manual" });
      expect(response.status, JSON.stringify(params)).toBe(302);
      const location = new URL(response.headers.get("Location")!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get("error"), JSON.stringify(params)).toBe(error);
      expect(location.searchParams.get("error_description")).toMatch(/^AADSTS\d+: /);
      expect(location.searchParams.get("state")).toBe("state-123");
      expect(location.searchParams.get("code")).toBeNull();
    }
  });

  it("validates the posted form again, so a tampered redirect URI gets no code", async () => {
    const url = authorizeUrl(emulator.url, { code_challenge: pkce().challenge });
    const form = parseSignInForm(await (await fetch(url)).text(), url.toString());
    form.hidden = form.hidden.map(([name, value]) => [
      name,
      name === "redirect_uri" ? "https://evil.example/cb" : value,
    ]);
    const response = await submitSignIn(form, "adele@contoso.example");
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
  });
});

describe("authorization code grant", () => {
  it("issues Entra-shaped tokens and an id_token signed with the published key", async () => {
    const { verifier, challenge } = pkce();
    const redirect = await authorizeAs(emulator.url, "megan@contoso.example", {
      code_challenge: challenge,
      scope: "openid profile email offline_access https://graph.microsoft.com/Mail.Read mail.send User.Read",
      nonce: "n-0S6",
    });
    const response = await redeem(redirect.searchParams.get("code")!, verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = (await response.json()) as Tokens;
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    expect(tokens.scope).toBe("Mail.Read Mail.Send User.Read profile openid email");
    expect(tokens.refresh_token).toBeTruthy();

    const [header, payload, signature] = tokens.id_token!.split(".") as [string, string, string];
    const claims = claimsOf(tokens.id_token!);
    const now = Date.now() / 1000;
    expect(claims).toMatchObject({
      iss: `${emulator.url}/${TENANT_ID}/v2.0`,
      aud: DEMO_CLIENT_ID,
      tid: TENANT_ID,
      oid: MEGAN.id,
      name: "Megan Bowen",
      preferred_username: "megan@contoso.example",
      email: "megan@contoso.example",
      nonce: "n-0S6",
    });
    expect(claims.sub).toEqual(expect.any(String));
    expect(claims.iat as number).toBeCloseTo(now, -1);
    expect(claims.exp as number).toBeGreaterThan(now);

    const configuration = (await (
      await fetch(`${emulator.url}/common/v2.0/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
      jwks_uri: string;
      token_endpoint: string;
      code_challenge_methods_supported: string[];
    };
    expect(configuration.issuer).toBe(claims.iss);
    expect(configuration.token_endpoint).toBe(`${emulator.url}/common/oauth2/v2.0/token`);
    expect(configuration.code_challenge_methods_supported).toEqual(["S256"]);
    const { keys } = (await (await fetch(configuration.jwks_uri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string };
    const key = keys.find((candidate) => candidate.kid === kid)!;
    const signed = verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key, format: "jwk" }),
      Buffer.from(signature, "base64url"),
    );
    expect(signed).toBe(true);

    const me = (await (await graph(emulator.url, tokens.access_token, "/me")).json()) as { id: string; mail: string };
    expect(me).toMatchObject({ id: MEGAN.id, mail: "megan@contoso.example" });
  });

  it("accepts client credentials in an HTTP Basic header", async () => {
    const { code, verifier } = await freshCode();
    const basic = Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString("base64");
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }),
    });
    expect(response.status).toBe(200);
  });

  it("leaves out the refresh token without offline_access and the id_token without openid", async () => {
    const { code, verifier } = await freshCode("User.Read Mail.Read");
    const tokens = (await (await redeem(code, verifier)).json()) as Tokens;
    expect(tokens.scope).toBe("User.Read Mail.Read");
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
  });

  it("refuses a PKCE verifier that does not match, and keeps the code usable for the right one", async () => {
    const { code, verifier } = await freshCode();
    const wrong = await redeem(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    const body = await entraError(wrong);
    expect(body).toMatchObject({ error: "invalid_grant", error_codes: [501481] });
    expect(body.error_description).toMatch(/^AADSTS501481: /);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(await entraError(await redeem(code, ""))).toMatchObject({ error_codes: [501481] });
    expect((await redeem(code, verifier)).status).toBe(200);
  });

  it("refuses a redirect URI that differs from the one the code was issued for", async () => {
    const { code, verifier } = await freshCode();
    const response = await redeem(code, verifier, { redirect_uri: "http://localhost:9000/other" });
    expect(response.status).toBe(400);
    expect(await entraError(response)).toMatchObject({ error: "invalid_grant", error_codes: [500112] });
  });

  it("redeems a code once only", async () => {
    const { code, verifier } = await freshCode();
    expect((await redeem(code, verifier)).status).toBe(200);
    const again = await redeem(code, verifier);
    expect(again.status).toBe(400);
    expect(await entraError(again)).toMatchObject({ error: "invalid_grant", error_codes: [54005] });
  });

  it("refuses an unknown code and a code older than ten minutes", async () => {
    expect(await entraError(await redeem("not-a-code", pkce().verifier))).toMatchObject({ error: "invalid_grant" });
    const { code, verifier } = await freshCode();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10 * 60_000 + 1000 });
    const late = await redeem(code, verifier);
    expect(late.status).toBe(400);
    expect(await entraError(late)).toMatchObject({ error: "invalid_grant", error_codes: [70008] });
  });

  it("authenticates the client: wrong or missing secret, unknown client", async () => {
    const { code, verifier } = await freshCode();
    const wrongSecret = await redeem(code, verifier, { client_secret: "not-the-secret" });
    expect(wrongSecret.status).toBe(401);
    expect(await entraError(wrongSecret)).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const noSecret = await redeem(code, verifier, { client_secret: "" });
    expect(noSecret.status).toBe(401);
    expect(await entraError(noSecret)).toMatchObject({ error: "invalid_client", error_codes: [7000218] });
    const otherClient = await redeem(code, verifier, { client_id: "11111111-2222-3333-4444-555555555555" });
    expect(otherClient.status).toBe(400);
    expect(await entraError(otherClient)).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    // None of this used up the code.
    expect((await redeem(code, verifier)).status).toBe(200);
  });

  it("refuses unknown grant types and bodies that are not a form", async () => {
    const unsupported = await tokenRequest(emulator.url, { grant_type: "password", username: "adele", password: "x" });
    expect(unsupported.status).toBe(400);
    expect(await entraError(unsupported)).toMatchObject({ error: "unsupported_grant_type", error_codes: [70003] });
    const notForm = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code" }),
    });
    expect(notForm.status).toBe(400);
    expect(await entraError(notForm)).toMatchObject({ error: "invalid_request", error_codes: [900144] });
  });
});

describe("refresh token grant", () => {
  it("rotates the refresh token, keeps the old one valid and the granted scopes", async () => {
    const tokens = await signIn(emulator.url);
    const response = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
    });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Tokens;
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.scope).toBe(tokens.scope);
    expect(claimsOf(refreshed.id_token!).preferred_username).toBe("adele@contoso.example");
    expect((await graph(emulator.url, refreshed.access_token, "/me/messages?$top=1")).status).toBe(200);
    // Entra does not revoke a refresh token when it issues the next one.
    const again = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
    });
    expect(again.status).toBe(200);
  });

  it("narrows to a requested subset, and a refresh without scope gets the whole consent again", async () => {
    const tokens = await signIn(emulator.url);
    const narrowed = (await (
      await tokenRequest(emulator.url, {
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token!,
        scope: "https://graph.microsoft.com/Mail.Read offline_access",
      })
    ).json()) as Tokens;
    expect(narrowed.scope).toBe("Mail.Read");
    expect(narrowed.id_token).toBeUndefined();
    expect((await graph(emulator.url, narrowed.access_token, "/me/messages?$top=1")).status).toBe(200);
    expect((await graph(emulator.url, narrowed.access_token, "/me")).status).toBe(403);
    // The rotated token still carries the whole consent.
    const full = (await (
      await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: narrowed.refresh_token! })
    ).json()) as Tokens;
    expect(full.scope).toBe(tokens.scope);
  });

  it("refuses an unknown refresh token", async () => {
    const response = await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: "made-up" });
    expect(response.status).toBe(400);
    expect(await entraError(response)).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses refresh tokens revoked through the control API, for one user only", async () => {
    const adele = await signIn(emulator.url, "adele@contoso.example");
    const megan = await signIn(emulator.url, "megan@contoso.example");
    const { revoked } = await control<{ revoked: number }>(emulator.url, "revoke-refresh-tokens", {
      userId: "adele@contoso.example",
    });
    expect(revoked).toBeGreaterThanOrEqual(1);
    const refused = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: adele.refresh_token!,
    });
    expect(refused.status).toBe(400);
    expect(await entraError(refused)).toMatchObject({ error: "invalid_grant", error_codes: [50173] });
    expect(
      (await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: megan.refresh_token! })).status,
    ).toBe(200);

    await control(emulator.url, "revoke-refresh-tokens", { userId: MEGAN.id, reason: "expired" });
    const expired = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: megan.refresh_token!,
    });
    expect(await entraError(expired)).toMatchObject({ error: "invalid_grant", error_codes: [700082] });
  });
});

describe("consent policy", () => {
  /** Signs Adele in for `scope` up to Entra's answer: the redirect back to the app, or the page shown instead. */
  async function attempt(scope: string): Promise<{ redirect?: URL; page?: string; status: number }> {
    const url = authorizeUrl(emulator.url, { code_challenge: pkce().challenge, scope });
    const form = parseSignInForm(await (await fetch(url)).text(), url.toString());
    const response = await submitSignIn(form, "adele@contoso.example");
    const location = response.headers.get("Location");
    return location
      ? { redirect: new URL(location), status: response.status }
      : { page: await response.text(), status: response.status };
  }

  const setConsent = (settings: Record<string, unknown>) => control(emulator.url, "consent", settings);
  afterEach(() => control(emulator.url, "reset", {}));

  it("lets anyone sign in while the demo tenant's administrator has consented (the default)", async () => {
    expect(await control(emulator.url, "consent")).toEqual({ adminConsent: true, userConsent: "all" });
    const { redirect } = await attempt("openid offline_access User.Read User.Read.All ChannelMessage.Read.All");
    expect(redirect!.searchParams.get("code")).toBeTruthy();
  });

  it("shows 'Need admin approval' (AADSTS90094) for an admin-only permission; going back gives access_denied", async () => {
    await setConsent({ adminConsent: false });
    const outcome = await attempt("openid offline_access User.Read Mail.Read User.Read.All");
    expect(outcome.status).toBe(200);
    expect(outcome.page).toContain("<title>Need admin approval</title>");
    expect(outcome.page).toContain(
      "AADSTS90094: M365 MCP Server (local development) needs permission to access resources in your organization that only an admin can grant.",
    );
    expect(outcome.page).toContain("<code>User.Read.All</code>");
    expect(outcome.page).not.toContain("<code>Mail.Read</code>");
    const back = parseSignInForm(outcome.page!, `${emulator.url}/common/oauth2/v2.0/authorize`);
    const body = new URLSearchParams(back.hidden);
    body.set("consent_action", "cancel");
    const response = await fetch(back.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    const redirect = new URL(response.headers.get("Location")!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get("code")).toBeNull();
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("error_subcode")).toBe("cancel");
    expect(redirect.searchParams.get("error_description")).toMatch(
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /,
    );
    expect(redirect.searchParams.get("state")).toBe("state-123");
  });

  it("still lets a user consent to permissions that need no administrator", async () => {
    await setConsent({ adminConsent: false });
    const { redirect } = await attempt("openid offline_access User.Read Mail.Read Calendars.Read.Shared");
    expect(redirect!.searchParams.get("code")).toBeTruthy();
  });

  it("restricts user consent further by tenant policy (AADSTS90093), remembering what was granted before", async () => {
    await setConsent({ adminConsent: false });
    expect((await attempt("openid User.Read Mail.Read")).redirect?.searchParams.get("code")).toBeTruthy();
    await setConsent({ userConsent: "lowImpact" });
    expect((await attempt("openid profile User.Read")).redirect?.searchParams.get("code")).toBeTruthy();
    // Mail.Read was granted before the policy changed; Files.Read was not.
    expect((await attempt("openid User.Read Mail.Read")).redirect?.searchParams.get("code")).toBeTruthy();
    const blocked = await attempt("openid User.Read Files.Read");
    expect(blocked.page).toContain(
      "AADSTS90093: An administrator of Contoso (demo) has set a policy that prevents you from granting M365 MCP Server (local development) the permissions it&#39;s requesting.",
    );
    expect(blocked.page).toContain("<code>Files.Read</code>");
    await setConsent({ userConsent: "none" });
    // Even the sign-in scopes, where none was granted before.
    expect((await attempt("openid email")).page).toContain("AADSTS90093");
    await setConsent({ adminConsent: true });
    expect(
      (await attempt("openid User.Read Files.Read User.Read.All")).redirect?.searchParams.get("code"),
    ).toBeTruthy();
  });

  it("refuses settings it does not know", async () => {
    for (const body of [{ adminConsent: "yes" }, { userConsent: "some" }, { admin: true }]) {
      const response = await fetch(`${emulator.url}/_emulator/consent`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });
});
