/**
 * Consent on demand, as Entra does it: a later sign-in (with login_hint) asks
 * the user only for the permissions they have not granted yet, consent adds
 * up, and a refresh token from any earlier sign-in is redeemed for whatever
 * the user holds consent for now, since refresh tokens are bound to user and
 * client, not to scopes.
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

/** The sign-in page Entra shows for an authorize request with these parameters. */
async function signInPage(params: Record<string, string>): Promise<string> {
  const response = await fetch(authorizeUrl(emulator.url, { code_challenge: pkce().challenge, ...params }));
  expect(response.status).toBe(200);
  return response.text();
}

/** The folded permission list of a sign-in page: its summary line and the permissions listed. */
function permissionsOf(page: string): { summary: string; listed: string[]; text: string } {
  const details = /<details>([\s\S]*?)<\/details>/.exec(page)?.[1] ?? "";
  return {
    summary: /<summary>([\s\S]*?)<\/summary>/.exec(details)?.[1] ?? "",
    listed: [...details.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((match) => match[1]!),
    text: details.replace(/<[^>]+>/g, " "),
  };
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
    expect(permissionsOf(page).listed).toEqual(["User.Read.All"]);
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

describe("the sign-in page of a later authorization", () => {
  it("lists only the new permissions for the user named by login_hint, and counts the others", async () => {
    await signIn(emulator.url, ADELE, BASE);
    const page = await signInPage({ scope: MORE, login_hint: ADELE });
    expect(page).not.toContain("<script");
    const { summary, listed, text } = permissionsOf(page);
    expect(summary).toBe(`${DEMO_APP_NAME} asks for 1 new permission`);
    expect(listed).toEqual(["Mail.Send"]);
    expect(text).toContain("6 permissions you granted before");
    // Account choice and Sign in still come before the list.
    expect(page.indexOf('value="adele@contoso.example" checked')).toBeGreaterThan(0);
    expect(page.indexOf(">Sign in</button>")).toBeLessThan(page.indexOf("<details>"));

    const two = permissionsOf(await signInPage({ scope: `${MORE} Calendars.Read`, login_hint: ADELE }));
    expect(two.summary).toBe(`${DEMO_APP_NAME} asks for 2 new permissions`);
    expect(two.listed).toEqual(["Mail.Send", "Calendars.Read"]);

    const nothingNew = permissionsOf(await signInPage({ scope: BASE, login_hint: ADELE }));
    expect(nothingNew.summary).toBe(`${DEMO_APP_NAME} asks for no new permissions`);
    expect(nothingNew.listed).toEqual([]);
    expect(nothingNew.text).toContain("6 permissions you granted before");
  });

  it("lists everything for a user who granted nothing, or when no user is named", async () => {
    await signIn(emulator.url, ADELE, BASE);
    const expected = ["openid", "profile", "email", "offline_access", "User.Read", "Mail.Read", "Mail.Send"];
    const requests: Record<string, string>[] = [{ login_hint: "megan@contoso.example" }, {}];
    for (const params of requests) {
      const { summary, listed, text } = permissionsOf(await signInPage({ scope: MORE, ...params }));
      expect(summary, JSON.stringify(params)).toBe(`${DEMO_APP_NAME} asks for 7 permissions`);
      expect(listed).toEqual(expected);
      expect(text).not.toContain("granted before");
    }
  });

  it("says the organization already approved them under the administrator's consent", async () => {
    await control(emulator.url, "consent", { adminConsent: true });
    const { summary, listed, text } = permissionsOf(await signInPage({ scope: MORE, login_hint: ADELE }));
    expect(summary).toBe(`${DEMO_APP_NAME} asks for 7 permissions, already approved by your organization`);
    expect(text).toContain("An administrator of Contoso (demo) granted them for everyone.");
    expect(listed).toHaveLength(7);
  });
});
