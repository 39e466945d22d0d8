/**
 * What a user meets in a tenant whose administrator has not consented to the
 * app: the server asks Microsoft for every permission its tools need, two of
 * which (User.Read.All, ChannelMessage.Read.All) only an administrator can
 * grant, so Entra shows "Need admin approval" and the sign-in ends with
 * access_denied; no grant and no token exist.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { parseForm, type HeadlessBrowser } from "../support/headless-browser.ts";
import { authorizationUrl, pkcePair, registerClient } from "../support/oauth-client.ts";
import { emulator, ORIGIN, signIn, testBrowser, worker } from "./helpers.ts";

/** Follows redirects from `url` to the first page that is not one; its URL and HTML. */
async function pageAfter(browser: HeadlessBrowser, url: string): Promise<{ url: string; html: string }> {
  for (let step = 0; step < 8; step++) {
    const response = await browser.request(url);
    const location = response.headers.get("Location");
    if (!location) return { url, html: await response.text() };
    await response.body?.cancel();
    url = new URL(location, url).toString();
  }
  throw new Error("too many redirects");
}

/** Submits a page's form and returns where it sends the browser. */
async function submit(
  browser: HeadlessBrowser,
  page: { url: string; html: string },
  choose: Parameters<HeadlessBrowser["submit"]>[1],
): Promise<string> {
  const response = await browser.submit(parseForm(page.html, page.url), choose);
  const location = response.headers.get("Location");
  if (!location) throw new Error(`${page.url} answered ${response.status} with no redirect:\n${await response.text()}`);
  return new URL(location, page.url).toString();
}

afterEach(() => emulator(env, "reset", {}));

describe("a tenant without admin consent", () => {
  it("stops the sign-in at Entra's 'Need admin approval' (AADSTS90094) and returns access_denied to the client", async () => {
    await emulator(env, "consent", { adminConsent: false, userConsent: "all" });
    const browser = testBrowser();
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    // Our consent page, then Microsoft's sign-in page.
    const ours = await pageAfter(browser, authorizationUrl(ORIGIN, client, challenge));
    const microsoft = await pageAfter(browser, await submit(browser, ours, { button: "approve" }));
    expect(microsoft.url.startsWith(env.MICROSOFT_AUTHORITY_URL)).toBe(true);
    // Entra answers the sign-in with a page instead of a redirect back.
    const signedIn = await browser.submit(parseForm(microsoft.html, microsoft.url), {
      radio: (field) => field.value === "adele@contoso.example",
    });
    expect(signedIn.status).toBe(200);
    const page = { url: microsoft.url, html: await signedIn.text() };
    expect(page.html).toContain("Need admin approval");
    expect(page.html).toContain("AADSTS90094");
    expect(page.html).toContain("<code>User.Read.All</code>");
    expect(page.html).toContain("<code>ChannelMessage.Read.All</code>");

    // The only way on: back to the app without consent. Microsoft reports access_denied to our callback,
    // which hands it to the MCP client's redirect URI.
    const back = await submit(browser, page, { button: "consent_action" });
    const callback = new URL(back);
    expect(callback.pathname).toBe("/callback");
    expect(callback.searchParams.get("error")).toBe("access_denied");
    const final = await browser.request(back);
    const redirect = new URL(final.headers.get("Location")!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(client.redirect_uris[0]);
    expect(redirect.searchParams.get("code")).toBeNull();
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("error_description")).toContain("AADSTS65004");
  });

  it("signs in as usual once the administrator consents", async () => {
    await emulator(env, "consent", { adminConsent: false });
    await emulator(env, "consent", { adminConsent: true });
    const tokens = await signIn("adele@contoso.example");
    expect(tokens.access_token).toBeTruthy();
  });
});
