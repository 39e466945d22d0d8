/**
 * Connecting a client as a person does it, in Chromium: a real OAuth
 * authorization request to `wrangler dev`, this server's consent page, the
 * emulator's Microsoft sign-in page, and back to the client with a code that
 * the token endpoint accepts. On a desktop and a 390 px phone, with and
 * without JavaScript.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authorizationUrl, exchangeCode, pkcePair, type RegisteredClient } from "../support/oauth-client.ts";
import {
  DESKTOP,
  expectInViewport,
  expectNoSidewaysScrolling,
  launchChromium,
  openPage,
  PHONE,
  SCREENSHOTS,
} from "./chromium.ts";
import type { PageGlobals } from "./page-globals.ts";

const workerUrl = inject("workerUrl");
const emulatorUrl = inject("emulatorUrl");
const CLIENT_NAME = "Example MCP Client";

let browser: Browser;
/** The MCP client's end of the redirect: a loopback listener, as mcp-remote runs one. */
let callbackServer: Server;
let client: RegisteredClient;

beforeAll(async () => {
  browser = await launchChromium();
  callbackServer = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>Connected</title><p>You can close this window.</p>");
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
  const redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
  const registration = await fetch(`${workerUrl}/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: CLIENT_NAME,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  expect(registration.status).toBe(201);
  client = (await registration.json()) as RegisteredClient;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => callbackServer?.close(resolve));
});

const VARIANTS = [
  { name: "desktop", viewport: DESKTOP, javaScript: true, screenshot: "desktop" },
  { name: "desktop without JavaScript", viewport: DESKTOP, javaScript: false },
  { name: "390 px phone", viewport: PHONE, javaScript: true, screenshot: "390" },
  { name: "390 px phone without JavaScript", viewport: PHONE, javaScript: false },
];

/** Opens /authorize as the client would send the person there; resolves on the consent page. */
async function startAuthorization(page: Page, state: string): Promise<{ verifier: string; csp: string }> {
  const { verifier, challenge } = await pkcePair();
  const response = await page.goto(authorizationUrl(workerUrl, client, challenge, state));
  expect(response?.status()).toBe(200);
  return { verifier, csp: response?.headers()["content-security-policy"] ?? "" };
}

describe.each(VARIANTS)("consent and Microsoft sign-in, $name", ({ viewport, javaScript, screenshot }) => {
  it("shows who asks, where access goes and what it allows, with the decision on screen, and signs in", async () => {
    const { context, page, problems } = await openPage(browser, viewport, javaScript);
    try {
      const state = `state-${viewport.width}-${javaScript}`;
      const { verifier } = await startAuthorization(page, state);

      // Who asks and where the access goes.
      await expect.poll(() => page.locator("h1").innerText()).toContain(CLIENT_NAME);
      const text = await page.locator("body").innerText();
      expect(text).toContain("Access will be sent to 127.0.0.1");
      expect(text).toContain("an app on your computer");

      // What it allows, in words: one line per area at a glance...
      const areas = await page.locator("dl.can dt").allInnerTexts();
      expect(areas).toEqual(expect.arrayContaining(["Mail", "Calendar", "Contacts", "Teams", "Files", "To Do"]));
      expect(await page.locator("dl.can").innerText()).toContain("send as you");
      // ...and every Graph permission named, each with a sentence a person understands.
      const permissions = await page.locator("details li").allTextContents();
      expect(permissions.length).toBeGreaterThan(10);
      for (const permission of permissions) {
        const [, words, scope] = /^(.*?)\s*\(([\w.-]+)\)$/.exec(permission) ?? [];
        expect(scope, permission).toBeTruthy();
        expect(words, `${scope} is explained in words`).toMatch(/^[A-Z][a-z]+[ ,]/);
        expect(words, `${scope} is explained without permission names`).not.toMatch(/\w\.\w/);
      }

      // The decision, visible as the page opens: no scrolling past the list.
      const allow = page.getByRole("button", { name: "Allow and sign in" });
      const cancel = page.getByRole("button", { name: "Cancel" });
      await expectInViewport(page, allow);
      await expectInViewport(page, cancel);
      await expectNoSidewaysScrolling(page);
      if (screenshot) await page.screenshot({ path: join(SCREENSHOTS, `consent-${screenshot}.png`) });

      await allow.click();
      await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/`));

      // Microsoft's page (the emulator's): account choice and Sign in on screen at once.
      await expect.poll(() => page.locator("h1").innerText()).toBe("Sign in to Contoso (demo)");
      const signIn = page.getByRole("button", { name: "Sign in" });
      await expectInViewport(page, signIn);
      await expectInViewport(page, page.getByText("Alex Wilber"));
      await expectNoSidewaysScrolling(page);
      if (screenshot === "390") await page.screenshot({ path: join(SCREENSHOTS, "sign-in-390.png") });

      await page.getByText("Megan Bowen").click();
      await signIn.click();
      await page.waitForURL((url) => url.href.startsWith(client.redirect_uris[0]!));

      const back = new URL(page.url());
      expect(back.searchParams.get("state")).toBe(state);
      const code = back.searchParams.get("code");
      expect(code, page.url()).toBeTruthy();
      const tokens = await exchangeCode((request) => fetch(request), workerUrl, client, code!, verifier);
      expect(tokens.status).toBe(200);
      expect(((await tokens.json()) as { access_token?: string }).access_token).toBeTruthy();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the consent form's destinations (CSP form-action)", () => {
  it("names exactly this server, Microsoft's sign-in and the client's redirect origin", async () => {
    const { context, page } = await openPage(browser, DESKTOP, true);
    try {
      const { csp } = await startAuthorization(page, "csp");
      const formAction = /form-action ([^;]*)/.exec(csp)?.[1]?.split(" ");
      const redirectOrigin = new URL(client.redirect_uris[0]!).origin;
      expect(formAction).toEqual(["'self'", new URL(emulatorUrl).origin, redirectOrigin]);
    } finally {
      await context.close();
    }
  });

  it("stops a form that would post elsewhere (a page injected into the consent page cannot send it away)", async () => {
    const { context, page } = await openPage(browser, DESKTOP, true);
    try {
      await startAuthorization(page, "elsewhere");
      const violation = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const { document } = globalThis as unknown as PageGlobals;
            document.addEventListener("securitypolicyviolation", (event) =>
              resolve(`${event.effectiveDirective} ${event.blockedURI}`),
            );
            const form = document.createElement("form");
            form.method = "post";
            form.action = "https://elsewhere.example/collect";
            document.body.append(form);
            form.submit();
            setTimeout(() => resolve("no violation"), 3000);
          }),
      );
      expect(violation).toBe("form-action https://elsewhere.example/collect");
    } finally {
      await context.close();
    }
  });

  it("lets Cancel take the person back to the client, which learns access was denied", async () => {
    const { context, page, problems } = await openPage(browser, PHONE, false);
    try {
      await startAuthorization(page, "cancelled");
      const cancel = page.getByRole("button", { name: "Cancel" });
      await expectInViewport(page, cancel);
      await cancel.click();
      await page.waitForURL((url) => url.href.startsWith(client.redirect_uris[0]!));
      const back = new URL(page.url());
      expect(back.searchParams.get("error")).toBe("access_denied");
      expect(back.searchParams.get("state")).toBe("cancelled");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("lets Cancel reach a client on the IPv6 loopback, which CSP cannot name", async () => {
    const redirectUri = "http://[::1]:53682/oauth/callback";
    const registration = await fetch(`${workerUrl}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_name: "IPv6 client",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
      }),
    });
    expect(registration.status).toBe(201);
    const ipv6Client = (await registration.json()) as RegisteredClient;
    const { context, page } = await openPage(browser, DESKTOP, false);
    try {
      // The client's listener, stood in for by the browser: the machine may have no IPv6 loopback.
      await page.route("http://[::1]:53682/**", (route) => route.fulfill({ body: "connected" }));
      const { challenge } = await pkcePair();
      await page.goto(authorizationUrl(workerUrl, ipv6Client, challenge, "ipv6"));
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.waitForURL((url) => url.href.startsWith(redirectUri));
      expect(new URL(page.url()).searchParams.get("error")).toBe("access_denied");
    } finally {
      await context.close();
    }
  });
});
