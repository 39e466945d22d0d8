/**
 * Consent on demand as a person meets it, in Chromium: an MCP client signed
 * in with the base set calls a tool that needs more, the person opens the
 * link it answers with, reads what is being added on this server's page,
 * goes on to the emulator's Microsoft sign-in, and lands on "Access added";
 * the same client's same call then works. On a desktop and a 390 px phone,
 * with and without JavaScript; also an administrator-only permission, and
 * Cancel.
 *
 * The project's shared stack asks for everything at sign-in
 * (CONSENT_MODE=upfront), so this file starts its own with the defaults an
 * operator gets, where consent is asked for on demand.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { localSecrets, startStack, type RunningStack } from "../../scripts/dev-stack.ts";
import { connectWithSignIn } from "../e2e/mcp-clients.ts";
import {
  DESKTOP,
  expectInViewport,
  expectNoSidewaysScrolling,
  launchChromium,
  openPage,
  PHONE,
  SCREENSHOTS,
} from "./chromium.ts";

let stack: RunningStack;
let state: string;
let browser: Browser;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "m365-consent-more-"));
  // No CONSENT_MODE or BASE_SCOPES: sign-in asks for the base set only.
  stack = await startStack({ persistTo: state, vars: localSecrets() });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(state, { recursive: true, force: true });
});

async function control(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${stack.emulator!.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

beforeEach(async () => {
  await control("reset", {});
  // Users consent for themselves; nothing granted for the whole organization.
  await control("consent", { adminConsent: false, userConsent: "all" });
});

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

/** A demo user signed in headless over Streamable HTTP, as an MCP host connects. */
async function signIn(user: string): Promise<Client> {
  const { client } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${stack.workerUrl}/mcp`), { authProvider }),
    user,
  );
  return client;
}

interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

async function call(client: Client, tool: ToolCall): Promise<CallToolResult> {
  return (await client.callTool(tool)) as CallToolResult;
}

/** The call is refused for want of `missing`; the link it carries. */
async function consentLinkFor(client: Client, tool: ToolCall, missing: string[]): Promise<string> {
  const refused = await call(client, tool);
  expect(text(refused)).toMatch(/^Error \[consent_required\]/);
  expect(refused._meta).toMatchObject({ missingPermissions: missing });
  const link = (refused._meta as { consentUrl?: string }).consentUrl;
  expect(link, text(refused)).toBeTruthy();
  expect(new URL(link!).origin).toBe(stack.workerUrl);
  expect(new URL(link!).pathname).toBe("/consent/more");
  return link!;
}

/** Opens the link: status 200 and the step-up page's CSP form-action sources. */
async function openLink(page: Page, link: string): Promise<string[]> {
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  await expect.poll(() => page.locator("h1").innerText()).toBe("Allow more access to your Microsoft 365 account?");
  const csp = response?.headers()["content-security-policy"] ?? "";
  return /form-action ([^;]*)/.exec(csp)?.[1]?.split(" ") ?? [];
}

/** What the page lists: each area's heading and its permissions' lines. */
async function listed(page: Page): Promise<{ areas: string[]; permissions: string[] }> {
  return {
    areas: await page.locator("main h3").allInnerTexts(),
    permissions: (await page.locator("main li").allInnerTexts()).map((line) => line.trim()),
  };
}

/** The base set in the words our page would use: none of it is being added. */
const BASE_WORDS = [
  "Read your mail",
  "Read your calendar",
  "Read your mailbox settings",
  "Sign you in and read your profile",
];

const mail = (subject: string) => ({ to: ["megan@contoso.example"], subject, body: "Consent on demand." });

/**
 * Each variant's user and permission differ: what a link adds stays added to
 * the account (the emulator's reset does not touch the server's record), so
 * no variant can lean on another's grant.
 */
const VARIANTS = [
  {
    name: "desktop",
    viewport: DESKTOP,
    javaScript: true,
    screenshot: "desktop",
    user: "adele@contoso.example",
    tool: { name: "sendEmail", arguments: mail("Step-up on a desktop") },
    area: "Mail",
    adds: "Send mail as you (Mail.Send)",
    scope: "Mail.Send",
  },
  {
    name: "desktop without JavaScript",
    viewport: DESKTOP,
    javaScript: false,
    user: "megan@contoso.example",
    tool: { name: "createTask", arguments: { title: "Step-up without JavaScript" } },
    area: "To Do",
    adds: "Create, change and delete your To Do tasks (Tasks.ReadWrite)",
    scope: "Tasks.ReadWrite",
  },
  {
    name: "390 px phone",
    viewport: PHONE,
    javaScript: true,
    screenshot: "390",
    user: "alex@contoso.example",
    tool: { name: "sendEmail", arguments: mail("Step-up on a phone") },
    area: "Mail",
    adds: "Send mail as you (Mail.Send)",
    scope: "Mail.Send",
  },
  {
    name: "390 px phone without JavaScript",
    viewport: PHONE,
    javaScript: false,
    user: "megan@contoso.example",
    tool: {
      name: "createCalendarEvent",
      arguments: { subject: "Step-up on a phone", start: "2030-01-02T10:00", end: "2030-01-02T11:00" },
    },
    area: "Calendar",
    adds: "Create, change and delete your events (Calendars.ReadWrite)",
    scope: "Calendars.ReadWrite",
  },
];

describe.each(VARIANTS)(
  "a consent link, $name",
  ({ viewport, javaScript, screenshot, user, tool, area, adds, scope }) => {
    it("lists only what is added, with the decision on screen, and the same call works after Microsoft's sign-in", async () => {
      const client = await signIn(user);
      const link = await consentLinkFor(client, tool, [scope]);
      const { context, page, problems } = await openPage(browser, viewport, javaScript);
      try {
        const formAction = await openLink(page, link);
        // The form goes to this server, whose answer redirects to Microsoft: nowhere else.
        expect(formAction).toEqual(["'self'", new URL(stack.emulator!.url).origin]);

        // Only the permission being added, in words, with its Graph name.
        expect(await listed(page)).toEqual({ areas: [area], permissions: [adds] });
        const body = await page.locator("main").innerText();
        for (const words of BASE_WORDS) expect(body).not.toContain(words);
        expect(body).toContain(tool.name);
        expect(body).toContain(user);
        expect(body).not.toContain("administrator of your organization");

        const proceed = page.getByRole("button", { name: "Continue to Microsoft" });
        const cancel = page.getByRole("button", { name: "Cancel" });
        await expectInViewport(page, proceed);
        await expectInViewport(page, cancel);
        await expectNoSidewaysScrolling(page);
        if (screenshot) await page.screenshot({ path: join(SCREENSHOTS, `consent-more-${screenshot}.png`) });

        await proceed.click();
        await page.waitForURL((url) => url.href.startsWith(`${stack.emulator!.url}/`));
        // Microsoft's sign-in, with the link's account already chosen (login_hint).
        await expect.poll(() => page.locator("h1").innerText()).toBe("Sign in to Contoso (demo)");
        expect(await page.locator('input[name="username"]:checked').inputValue()).toBe(user);
        const signInButton = page.getByRole("button", { name: "Sign in" });
        await expectInViewport(page, signInButton);

        const [answer] = await Promise.all([
          page.waitForResponse((response) => response.url().startsWith(`${stack.workerUrl}/callback?`)),
          signInButton.click(),
        ]);
        expect(answer.status()).toBe(200);
        await expect.poll(() => page.locator("h1").innerText()).toBe("Access added");
        expect(await page.locator("main").innerText()).toContain(`${tool.name} can now`);
        await expectNoSidewaysScrolling(page);
        if (screenshot === "390") await page.screenshot({ path: join(SCREENSHOTS, "consent-more-done-390.png") });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }

      // The same client, the same call: it works now, with nothing reconnected.
      const again = await call(client, tool);
      expect(again.isError, text(again)).toBeFalsy();
      await client.close();
    }, 90_000);
  },
);

describe("a consent link for a permission only an administrator can grant", () => {
  it("says so on the page, and after Microsoft's refusal says an administrator needs to approve", async () => {
    const user = "alex@contoso.example";
    const client = await signIn(user);
    const link = await consentLinkFor(client, { name: "listGroups", arguments: {} }, ["GroupMember.Read.All"]);
    const { context, page, problems } = await openPage(browser, PHONE, true);
    try {
      await openLink(page, link);
      expect(await listed(page)).toEqual({
        areas: ["Groups"],
        permissions: ["See the Microsoft 365 groups you belong to Needs an administrator. (GroupMember.Read.All)"],
      });
      expect(await page.locator("main .warn").innerText()).toContain(
        "Only an administrator of your organization can grant GroupMember.Read.All.",
      );
      const proceed = page.getByRole("button", { name: "Continue to Microsoft" });
      await expectInViewport(page, proceed);
      await expectInViewport(page, page.getByRole("button", { name: "Cancel" }));
      await expectNoSidewaysScrolling(page);

      await proceed.click();
      await page.waitForURL((url) => url.href.startsWith(`${stack.emulator!.url}/`));
      expect(await page.locator('input[name="username"]:checked').inputValue()).toBe(user);
      await page.getByRole("button", { name: "Sign in" }).click();
      // Microsoft's "Need admin approval": the only way on is back without consent.
      await expect.poll(() => page.locator("h1").innerText()).toBe("Need admin approval");
      const [answer] = await Promise.all([
        page.waitForResponse((response) => response.url().startsWith(`${stack.workerUrl}/callback?`)),
        page.getByRole("button", { name: "Return to the application without granting consent" }).click(),
      ]);
      expect(answer.status()).toBe(403);
      await expect.poll(() => page.locator("h1").innerText()).toBe("An administrator needs to approve this");
      expect(await page.locator("main").innerText()).toContain("GroupMember.Read.All");
      await expectNoSidewaysScrolling(page);
      // The 403 is the answer itself (Chromium logs it to the console too); nothing else failed.
      expect(problems.filter((problem) => !problem.includes(answer.url()))).toEqual([]);
    } finally {
      await context.close();
    }
    const after = await call(client, { name: "listGroups", arguments: {} });
    expect(text(after)).toMatch(/^Error \[admin_consent_required\]/);
    await client.close();
  }, 90_000);
});

describe("Cancel on a consent link (390 px phone without JavaScript)", () => {
  it("changes nothing: the page says so and the call still asks for consent", async () => {
    const user = "adele@contoso.example";
    const tool = { name: "createContact", arguments: { givenName: "Lee" } };
    const client = await signIn(user);
    const link = await consentLinkFor(client, tool, ["Contacts.ReadWrite"]);
    const { context, page, problems } = await openPage(browser, PHONE, false);
    try {
      await openLink(page, link);
      const cancel = page.getByRole("button", { name: "Cancel" });
      await expectInViewport(page, cancel);
      await cancel.click();
      await expect.poll(() => page.locator("h1").innerText()).toBe("Nothing was changed");
      // Microsoft was never asked.
      expect(page.url()).toBe(`${stack.workerUrl}/consent/more`);
      await expectNoSidewaysScrolling(page);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const still = await call(client, tool);
    expect(text(still)).toMatch(/^Error \[consent_required\]: createContact needs permission/);
    await client.close();
  }, 90_000);
});
