/**
 * Consent on demand, as Entra does it: consent adds up over sign-ins, and a
 * refresh token from any earlier sign-in is redeemed for whatever the user
 * holds consent for now, since refresh tokens are bound to user and client,
 * not to scopes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DEMO_APP_NAME, DEMO_CLIENT_ID } from "../../emulator/tenant.ts";
import {
  authorizeAs,
  authorizeUrl,
  control,
  graph,
  parseSignInForm,
  pkce,
  postJson,
  REDIRECT_URI,
  signIn,
  submitSignIn,
  tokenRequest,
  type EntraErrorBody,
  type Tokens,
} from "./helpers.ts";

const ADELE = "adele@contoso.example";
/** What the server's sign-in asks for: the identity scopes and a small base set of Graph permissions. */
const BASE = "openid profile email offline_access User.Read Mail.Read";
/** The second authorization: all granted before, and one more. */
const MORE = `${BASE} Mail.Send`;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  await control(emulator.url, "consent", { adminConsent: false, userConsent: "all" });
});

function refresh(refreshToken: string, scope?: string): Promise<Response> {
  return tokenRequest(emulator.url, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    ...(scope === undefined ? {} : { scope }),
  });
}

/** A second authorization for Adele with login_hint, code redeemed. */
async function signInAgain(scope: string): Promise<Tokens> {
  const { verifier, challenge } = pkce();
  const redirect = await authorizeAs(emulator.url, ADELE, { code_challenge: challenge, scope, login_hint: ADELE });
  const response = await tokenRequest(emulator.url, {
    grant_type: "authorization_code",
    code: redirect.searchParams.get("code") ?? "",
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Tokens;
}

function sendMail(accessToken: string): Promise<Response> {
  return postJson(emulator.url, accessToken, "/me/sendMail", {
    message: {
      subject: "Sent after consent on demand",
      body: { contentType: "Text", content: "Hello" },
      toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
    },
  });
}

describe("refreshing for more than the sign-in asked for, without admin consent", () => {
  it("refuses a permission the user never consented to with invalid_grant AADSTS65001", async () => {
    const first = await signIn(emulator.url, ADELE, BASE);
    const response = await refresh(first.refresh_token!, MORE);
    expect(response.status).toBe(400);
    const body = (await response.json()) as EntraErrorBody;
    expect(body).toMatchObject({ error: "invalid_grant", error_codes: [65001] });
    expect(body.error_description).toMatch(
      new RegExp(
        `^AADSTS65001: The user or administrator has not consented to use the application with ID '${DEMO_CLIENT_ID}' named '${DEMO_APP_NAME.replace(/[()]/g, "\\$&")}' for Mail\\.Send\\. Send an interactive authorization request for this user and resource\\.\\r\\nTrace ID: `,
      ),
    );
    // What was consented to still refreshes, with and without naming it.
    expect((await refresh(first.refresh_token!, BASE)).status).toBe(200);
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });

  it("redeems the first sign-in's refresh token for a permission consented to later, and Graph honours it", async () => {
    const first = await signIn(emulator.url, ADELE, BASE);
    expect((await sendMail(first.access_token)).status).toBe(403);

    const second = await signInAgain(MORE);
    // The code's tokens are for exactly what this authorization asked for.
    expect(second.scope).toBe("User.Read Mail.Read Mail.Send profile openid email");
    expect(second.refresh_token).toBeTruthy();

    // The old refresh token, from before Mail.Send was granted: not tied to the scopes it was issued with.
    const response = await refresh(first.refresh_token!, MORE);
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Tokens;
    expect(refreshed.scope).toBe("User.Read Mail.Read Mail.Send profile openid email");
    expect((await sendMail(refreshed.access_token)).status).toBe(202);
    // The first access token keeps the permissions it was issued with.
    expect((await sendMail(first.access_token)).status).toBe(403);
    // Without scope, the old refresh token still answers what it did.
    const plain = (await (await refresh(first.refresh_token!)).json()) as Tokens;
    expect(plain.scope).toBe("User.Read Mail.Read profile openid email");
  });

  it("adds consent up: a second sign-in asking only for the new permission leaves the old ones granted", async () => {
    const first = await signIn(emulator.url, ADELE, BASE);
    const second = await signInAgain("openid offline_access Mail.Send");
    expect(second.scope).toBe("Mail.Send openid");

    const both = await refresh(first.refresh_token!, "User.Read Mail.Read Mail.Send offline_access");
    expect(both.status).toBe(200);
    expect(((await both.json()) as Tokens).scope).toBe("User.Read Mail.Read Mail.Send");
    // The second sign-in's refresh token reaches the first one's permissions too.
    const fromSecond = await refresh(second.refresh_token!, "Mail.Read offline_access");
    expect(fromSecond.status).toBe(200);
    expect(
      (await graph(emulator.url, ((await fromSecond.json()) as Tokens).access_token, "/me/messages?$top=1")).status,
    ).toBe(200);
    // Consent is per user: Megan granted nothing.
    const megan = await signIn(emulator.url, "megan@contoso.example", BASE);
    expect((await refresh(megan.refresh_token!, MORE)).status).toBe(400);
  });

  it("still stops an admin-only permission at 'Need admin approval' (AADSTS90094) and refuses to refresh for it", async () => {
    const first = await signIn(emulator.url, ADELE, BASE);
    const scope = `${BASE} User.Read.All`;
    const url = authorizeUrl(emulator.url, { code_challenge: pkce().challenge, scope, login_hint: ADELE });
    const page = await (await fetch(url)).text();
    const response = await submitSignIn(parseSignInForm(page, url.toString()), ADELE);
    expect(response.status).toBe(200);
    expect(response.headers.get("Location")).toBeNull();
    const approval = await response.text();
    expect(approval).toContain("<title>Need admin approval</title>");
    expect(approval).toContain("AADSTS90094: ");
    expect(approval).toContain("<code>User.Read.All</code>");

    const refused = await refresh(first.refresh_token!, scope);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as EntraErrorBody;
    expect(body).toMatchObject({ error: "invalid_grant", error_codes: [65001] });
    expect(body.error_description).toContain(" for User.Read.All. ");
  });
});

describe("refreshing under the administrator's consent", () => {
  it("redeems a refresh token for any permission of the app, while the administrator's consent lasts", async () => {
    await control(emulator.url, "consent", { adminConsent: true });
    const first = await signIn(emulator.url, ADELE, BASE);
    const wider = "Files.ReadWrite User.Read.All ChannelMessage.Read.All offline_access";
    const response = await refresh(first.refresh_token!, wider);
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Tokens;
    expect(refreshed.scope).toBe("Files.ReadWrite User.Read.All ChannelMessage.Read.All");
    expect((await graph(emulator.url, refreshed.access_token, "/me/drive/root/children")).status).toBe(200);
    expect((await graph(emulator.url, first.access_token, "/me/drive/root/children")).status).toBe(403);

    // Consent is checked at each refresh: without the administrator's, Adele granted none of these herself.
    await control(emulator.url, "consent", { adminConsent: false });
    const refused = await refresh(first.refresh_token!, wider);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant", error_codes: [65001] });
  });
});
