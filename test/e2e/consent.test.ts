/**
 * Consent on demand through wrangler dev (its default settings) and the
 * emulator, with the MCP SDK client: sign-in asks for the base set, a tool
 * needing more answers with a link, the link goes through our page and
 * Microsoft's consent, and the same call then works in the same session. The
 * link works once, for its own account only; a permission only an
 * administrator can grant gets the administrator's message while mail keeps
 * working; a client that declares URL elicitation gets the elicitation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import {
  ElicitationCompleteNotificationSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { localSecrets, startStack, type RunningStack } from "../../scripts/dev-stack.ts";
import { followConsentLink, HeadlessBrowser } from "../support/headless-browser.ts";
import type { InMemoryOAuthProvider } from "./mcp-clients.ts";
import { connectWithSignIn } from "./mcp-clients.ts";

let stack: RunningStack;
let state: string;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "m365-consent-"));
  // No CONSENT_MODE or BASE_SCOPES: the defaults an operator gets.
  stack = await startStack({ persistTo: state, vars: localSecrets() });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(state, { recursive: true, force: true });
});

async function control(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.emulator!.url}/_emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

beforeEach(async () => {
  await control("reset", {});
  // A tenant whose users consent for themselves; nothing granted for the whole organization.
  await control("consent", { adminConsent: false, userConsent: "all" });
});

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

async function streamable(user: string, client?: Client): Promise<{ client: Client; provider: InMemoryOAuthProvider }> {
  return connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${stack.workerUrl}/mcp`), { authProvider }),
    user,
    undefined,
    client,
  );
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

interface Who {
  scopes: string[];
  missing: string[];
  needsAdmin: string[];
}

async function who(client: Client): Promise<Who> {
  return (await call(client, "authenticate")).structuredContent as unknown as Who;
}

function consentUrlOf(result: CallToolResult): string {
  const url = (result._meta as { consentUrl?: string } | undefined)?.consentUrl;
  if (!url) throw new Error(`no consent link in ${text(result)}`);
  return url;
}

const mail = (subject: string) => ({ to: ["megan@contoso.example"], subject, body: "Consent on demand." });

describe("consent on demand through wrangler dev", () => {
  it("signs in with the base set, and a tool needing more works in the same session once its link is followed", async () => {
    const { client } = await streamable("adele@contoso.example");
    const before = await who(client);
    expect(before.scopes.sort()).toEqual(["Calendars.Read", "Mail.Read", "MailboxSettings.Read", "User.Read"]);
    expect(before.missing).toContain("Mail.Send");
    // The whole catalog is still listed.
    expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(60);
    expect((await call(client, "getEmails", { count: 3 })).isError).toBeFalsy();

    const refused = await call(client, "sendEmail", mail(`Step-up ${Date.now()}`));
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(
      /^Error \[consent_required\]: sendEmail needs permission to send mail as you \(Mail\.Send\)/,
    );
    const link = consentUrlOf(refused);
    expect(text(refused)).toContain(link);
    expect(new URL(link).origin).toBe(stack.workerUrl);
    expect(refused._meta).toMatchObject({ errorCode: "consent_required", missingPermissions: ["Mail.Send"] });

    const browser = new HeadlessBrowser();
    const page = await (await browser.request(link)).text();
    // Our page lists only what is added, in plain words.
    expect(page).toContain("Send mail as you");
    expect(page).not.toContain("Read your mail");
    const outcome = await followConsentLink(browser, link, { user: "adele@contoso.example" });
    expect(outcome.status, outcome.html).toBe(200);
    expect(outcome.html).toContain("Access added");
    expect(outcome.visited.some((path) => path.includes("/oauth2/v2.0/authorize"))).toBe(true);

    // The same session, the same call: no reconnecting.
    const subject = `Step-up ${Date.now()}`;
    const sent = await call(client, "sendEmail", mail(subject));
    expect(sent.isError, text(sent)).toBeFalsy();
    expect(text(sent)).toContain(`Sent "${subject}"`);
    const after = await who(client);
    expect(after.scopes).toEqual(expect.arrayContaining([...before.scopes, "Mail.Send"]));

    // Refresh asks for everything granted: after Microsoft's tokens expire, both kinds of call still work.
    await control("expire-tokens", {});
    const again = await call(client, "sendEmail", mail(`After refresh ${Date.now()}`));
    expect(again.isError, text(again)).toBeFalsy();
    expect((await call(client, "getEmails", { count: 1, fresh: true })).isError).toBeFalsy();
    expect((await who(client)).scopes).toContain("Mail.Send");

    // The link worked once.
    const replay = await followConsentLink(new HeadlessBrowser(), link, { user: "adele@contoso.example" });
    expect(replay.status).toBe(410);
    await client.close();
  }, 90_000);

  it("keeps added permissions when the user signs in again from another client", async () => {
    const { client } = await streamable("megan@contoso.example");
    const link = consentUrlOf(await call(client, "createTask", { title: "Consent" }));
    expect((await followConsentLink(new HeadlessBrowser(), link, { user: "megan@contoso.example" })).status).toBe(200);
    const second = await streamable("megan@contoso.example");
    expect((await who(second.client)).scopes).toContain("Tasks.ReadWrite");
    const created = await call(second.client, "createTask", { title: `Second client ${Date.now()}` });
    expect(created.isError, text(created)).toBeFalsy();
    await client.close();
    await second.client.close();
  }, 90_000);

  it("refuses a link followed with another Microsoft account, and leaves both accounts as they were", async () => {
    const adele = (await streamable("adele@contoso.example")).client;
    const megan = (await streamable("megan@contoso.example")).client;
    const link = consentUrlOf(await call(adele, "createContact", { givenName: "Lee" }));
    // Megan has the link (a shared screen, a forwarded chat) and follows it as herself.
    const outcome = await followConsentLink(new HeadlessBrowser(), link, { user: "megan@contoso.example" });
    expect(outcome.status).toBe(403);
    expect(outcome.html).toContain("This link is for another account");
    expect((await who(adele)).scopes).not.toContain("Contacts.ReadWrite");
    expect((await who(megan)).scopes).not.toContain("Contacts.ReadWrite");
    const still = await call(adele, "createContact", { givenName: "Lee" });
    expect(text(still)).toMatch(/^Error \[consent_required\]/);
    // That attempt used the link up: not even Adele can use it now.
    expect((await followConsentLink(new HeadlessBrowser(), link, { user: "adele@contoso.example" })).status).toBe(410);
    // Megan's own session cannot use Adele's link's ticket either: tickets name their account, not a session.
    const forged = new URL(link);
    forged.searchParams.set("ticket", "A".repeat(43));
    expect((await new HeadlessBrowser().request(forged.toString())).status).toBe(410);
    await adele.close();
    await megan.close();
  }, 90_000);

  it("gives the administrator's message for an admin-only permission while mail keeps working", async () => {
    const { client } = await streamable("alex@contoso.example");
    const first = await call(client, "listGroups");
    expect(text(first)).toMatch(
      /^Error \[consent_required\]: listGroups needs permission to see the Microsoft 365 groups/,
    );
    expect(text(first)).toContain("Only an administrator can grant GroupMember.Read.All");
    const outcome = await followConsentLink(new HeadlessBrowser(), consentUrlOf(first), {
      user: "alex@contoso.example",
    });
    expect(outcome.status).toBe(403);
    expect(outcome.html).toContain("An administrator needs to approve this");

    const second = await call(client, "listGroups");
    expect(text(second)).toMatch(/^Error \[admin_consent_required\]: listGroups needs permission/);
    expect(text(second)).toContain("Ask an administrator to grant admin consent");
    expect(second._meta).toMatchObject({ adminOnlyPermissions: ["GroupMember.Read.All"] });
    expect((await who(client)).needsAdmin).toContain("GroupMember.Read.All");
    expect((await call(client, "getEmails", { count: 2 })).isError).toBeFalsy();

    // The administrator grants it for everyone; the link in the message picks it up.
    await control("consent", { adminConsent: true });
    const picked = await followConsentLink(new HeadlessBrowser(), consentUrlOf(second), {
      user: "alex@contoso.example",
    });
    expect(picked.status, picked.html).toBe(200);
    const groups = await call(client, "listGroups");
    expect(groups.isError, text(groups)).toBeFalsy();
    const now = await who(client);
    expect(now.scopes).toContain("GroupMember.Read.All");
    expect(now.needsAdmin).not.toContain("GroupMember.Read.All");
    await client.close();
  }, 90_000);

  it("answers a client that declares URL elicitation with the elicitation, and tells it when consent completed", async () => {
    const elicitingClient = new Client(
      { name: "e2e-elicitation", version: "1.0.0" },
      { capabilities: { elicitation: { url: {} } } },
    );
    const completed: string[] = [];
    elicitingClient.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
      completed.push(notification.params.elicitationId);
    });
    const { client } = await streamable("adele@contoso.example", elicitingClient);
    let elicitation: { url: string; elicitationId: string; message: string; mode: string } | undefined;
    try {
      await call(client, "createCalendarEvent", {
        subject: "Consent",
        start: "2030-01-02T10:00",
        end: "2030-01-02T11:00",
      });
      throw new Error("the call did not ask for consent");
    } catch (error) {
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ErrorCode.UrlElicitationRequired);
      elicitation = ((error as McpError).data as { elicitations: (typeof elicitation)[] }).elicitations[0];
    }
    expect(elicitation).toMatchObject({ mode: "url" });
    expect(elicitation!.message).toContain("Calendars.ReadWrite");
    const outcome = await followConsentLink(new HeadlessBrowser(), elicitation!.url, { user: "adele@contoso.example" });
    expect(outcome.status, outcome.html).toBe(200);
    const created = await call(client, "createCalendarEvent", {
      subject: `Consent ${Date.now()}`,
      start: "2030-01-02T10:00",
      end: "2030-01-02T11:00",
    });
    expect(created.isError, text(created)).toBeFalsy();
    for (let i = 0; i < 40 && completed.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(completed).toEqual([elicitation!.elicitationId]);
    await client.close();
  }, 90_000);

  it("answers consent_required with the link over WebSocket and plain JSON-RPC too", async () => {
    const { client, provider } = await streamable("megan@contoso.example");
    const token = provider.tokens()!.access_token;
    await client.close();

    const rpc = await fetch(`${stack.workerUrl}/sse`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "sendEmail", arguments: mail("JSON-RPC") },
      }),
    });
    const answer = (await rpc.json()) as { result: CallToolResult };
    expect(text(answer.result)).toMatch(/^Error \[consent_required\]: sendEmail needs permission/);
    expect(new URL(consentUrlOf(answer.result)).pathname).toBe("/consent/more");

    const socketUrl = new URL(`${stack.workerUrl.replace("http", "ws")}/sse`);
    socketUrl.searchParams.set("access_token", token);
    const socket = new Client({ name: "e2e-ws", version: "1.0.0" });
    await socket.connect(new WebSocketClientTransport(socketUrl));
    const overSocket = await call(socket, "sendEmail", mail("WebSocket"));
    expect(text(overSocket)).toMatch(/^Error \[consent_required\]/);
    await socket.close();
  }, 90_000);
});
