import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ORIGIN,
  callTool,
  clearLog,
  connectClient,
  emulator,
  requestLog,
  resultText,
  signIn,
  worker,
} from "./helpers.ts";

const call = callTool;

const text = resultText;

interface Listing {
  messages: { id: string; subject: string; from: string; isRead: boolean }[];
  nextCursor?: string;
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("mail tools against the emulator", () => {
  it("getEmails lists the inbox compactly with ids and a cursor", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, "getEmails", { count: 5 });
    expect(result.isError).toBeFalsy();
    const listing = result.structuredContent as unknown as Listing;
    expect(listing.messages).toHaveLength(5);
    expect(listing.nextCursor).toMatch(/^[\w-]{12}$/);
    const rendered = text(result);
    expect(rendered).toContain(listing.messages[0]!.id);
    expect(rendered).not.toContain("@odata");

    const next = await call(client, "getEmails", { count: 5, cursor: listing.nextCursor });
    const page2 = next.structuredContent as unknown as Listing;
    expect(page2.messages).toHaveLength(5);
    expect(page2.messages.map((m) => m.id)).not.toContain(listing.messages[0]!.id);
  });

  it("getEmails reads other folders and only unread mail when asked", async () => {
    const client = await connectClient((await signIn()).access_token);
    const unread = (await call(client, "getEmails", { count: 20, unreadOnly: true }))
      .structuredContent as unknown as Listing;
    expect(unread.messages.length).toBeGreaterThan(0);
    expect(unread.messages.every((message) => !message.isRead)).toBe(true);
    const sent = await call(client, "getEmails", { folder: "sent", count: 3 });
    expect(sent.isError).toBeFalsy();
    expect(text(sent)).toMatch(/^Sent/);
  });

  it("refuses invalid arguments with a message naming the field", async () => {
    const client = await connectClient((await signIn()).access_token);
    const tooMany = await call(client, "getEmails", { count: 500 });
    expect(tooMany.isError).toBe(true);
    expect(text(tooMany)).toMatch(/count/);
    expect(text(tooMany)).toMatch(/50/);
    const badFolder = await call(client, "getEmails", { folder: "../../users/megan" });
    expect(text(badFolder)).toMatch(/invalid_input.*folder/);
    const badRecipient = await call(client, "sendEmail", { to: ["not-an-address"], subject: "x", body: "y" });
    expect(badRecipient.isError).toBe(true);
    expect(text(badRecipient)).toMatch(/to/);
  });

  it("refuses a cursor that does not point at Graph, so no token leaves for another host", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, "getEmails", { cursor: "https://attacker.example/v1.0/me/messages" });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("invalid_input");
  });

  it("searchEmails finds a message by a word of its subject", async () => {
    const client = await connectClient((await signIn()).access_token);
    const first = ((await call(client, "getEmails", { count: 1 })).structuredContent as unknown as Listing)
      .messages[0]!;
    const word =
      first.subject
        .replace(/^(RE|FW):\s*/i, "")
        .split(/\s+/)
        .find((w) => w.length > 4) ?? first.subject;
    const found = (await call(client, "searchEmails", { query: word, count: 50 }))
      .structuredContent as unknown as Listing;
    expect(found.messages.map((m) => m.id)).toContain(first.id);
  });

  it("sendEmail delivers to another user of the tenant, who can read it with their own token", async () => {
    const adele = await connectClient((await signIn("adele@contoso.example")).access_token);
    const subject = `Quarterly numbers ${crypto.randomUUID().slice(0, 8)}`;
    const sent = await call(adele, "sendEmail", {
      to: ["megan@contoso.example"],
      subject,
      body: "<p>See attached.</p>",
      bodyType: "html",
      importance: "high",
      attachments: [{ name: "numbers.csv", contentBase64: btoa("q,revenue\n1,100\n"), contentType: "text/csv" }],
    });
    expect(sent.isError).toBeFalsy();
    expect(text(sent)).toContain("megan@contoso.example");
    const megan = await connectClient((await signIn("megan@contoso.example")).access_token);
    const inbox = (await call(megan, "searchEmails", { query: subject })).structuredContent as unknown as Listing;
    expect(inbox.messages.map((m) => m.subject)).toContain(subject);
    expect((await requestLog()).filter((r) => r.path === "/v1.0/me/sendMail")).toHaveLength(1);
  });

  it("refuses attachments over the inline limit before anything is sent", async () => {
    const client = await connectClient((await signIn()).access_token);
    const big = btoa("a".repeat(2.6 * 1024 * 1024));
    const result = await call(client, "sendEmail", {
      to: ["megan@contoso.example"],
      subject: "big",
      body: "x",
      attachments: [{ name: "big.bin", contentBase64: big }],
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("payload_too_large");
    expect((await requestLog()).some((r) => r.path === "/v1.0/me/sendMail")).toBe(false);
  });

  it("authenticate reports identity, tenant and permissions", async () => {
    const client = await connectClient((await signIn("megan@contoso.example")).access_token);
    const result = await call(client, "authenticate");
    expect(result.structuredContent).toMatchObject({
      username: "megan@contoso.example",
      scopes: expect.arrayContaining(["Mail.Read", "Mail.Send", "User.Read"]),
    });
  });

  it("reads the profile resource once from Graph, then from the user's encrypted cache", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const resource = await client.readResource({ uri: "microsoft://profile" });
    const profile = JSON.parse((resource.contents[0] as { text: string }).text) as Record<string, unknown>;
    expect(profile.userPrincipalName).toBe("adele@contoso.example");
    expect(Object.keys(profile).some((key) => key.startsWith("@odata"))).toBe(false);
    const again = await client.readResource({ uri: "microsoft://profile" });
    expect(again.contents[0]).toEqual(resource.contents[0]);
    expect((await requestLog()).filter((r) => r.path === "/v1.0/me")).toHaveLength(1);
    const cached = await env.CACHE_KV.list({ prefix: "cache:" });
    expect(cached.keys.length).toBeGreaterThan(0);
    for (const key of cached.keys) expect(await env.CACHE_KV.get(key.name)).not.toContain("adele@contoso.example");
  });

  it("never serves one user's cached profile to another", async () => {
    const adele = await connectClient((await signIn("adele@contoso.example")).access_token);
    await adele.readResource({ uri: "microsoft://profile" });
    const alex = await connectClient((await signIn("alex@contoso.example")).access_token);
    const resource = await alex.readResource({ uri: "microsoft://profile" });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({
      userPrincipalName: "alex@contoso.example",
    });
  });
});

describe("Microsoft token lifecycle", () => {
  it("refreshes an expired Microsoft token once for many concurrent calls from several sessions", async () => {
    const token = (await signIn()).access_token;
    const sessions = await Promise.all([connectClient(token), connectClient(token), connectClient(token)]);
    await emulator(env, "expire-tokens", {});
    await clearLog();
    const results = await Promise.all(
      sessions.flatMap((client) => Array.from({ length: 6 }, () => call(client, "getEmails", { count: 1 }))),
    );
    expect(results.every((result) => !result.isError)).toBe(true);
    const refreshes = (await requestLog()).filter((r) => r.method === "POST" && r.path.endsWith("/oauth2/v2.0/token"));
    expect(refreshes).toHaveLength(1);
  });

  it("answers auth_required when Microsoft refuses to renew the sign-in", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "revoke-refresh-tokens", {});
    await emulator(env, "expire-tokens", {});
    const result = await call(client, "getEmails");
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("auth_required");
    expect(text(result)).toMatch(/Reconnect/);
  });
});

describe("Graph faults", () => {
  it("retries a throttled read after Retry-After", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", {
      match: "GET /v1.0/me/mailFolders/inbox/messages",
      status: 429,
      retryAfterSeconds: 1,
      count: 1,
    });
    const result = await call(client, "getEmails", { count: 2 });
    expect(result.isError).toBeFalsy();
    const reads = (await requestLog()).filter((r) => r.path === "/v1.0/me/mailFolders/inbox/messages");
    expect(reads.map((r) => r.status)).toEqual([429, 200]);
  });

  it("never resends a write after a 503: one attempt, a clear upstream error", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "POST /v1.0/me/sendMail", status: 503, count: 5 });
    const result = await call(client, "sendEmail", {
      to: ["megan@contoso.example"],
      subject: "once",
      body: "only once",
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("upstream_unavailable");
    expect((await requestLog()).filter((r) => r.path === "/v1.0/me/sendMail")).toHaveLength(1);
  });
});

describe("isolation between users", () => {
  it("does not let one user's token reach another user's session", async () => {
    const adeleToken = (await signIn("adele@contoso.example")).access_token;
    const meganToken = (await signIn("megan@contoso.example")).access_token;
    const init = await worker(
      new Request(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${adeleToken}`,
          Accept: "application/json, text/event-stream",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
        }),
      }),
    );
    const sessionId = init.headers.get("mcp-session-id");
    await init.body?.cancel();
    expect(sessionId).toBeTruthy();
    const hijack = await worker(
      new Request(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${meganToken}`,
          "mcp-session-id": sessionId!,
          Accept: "application/json, text/event-stream",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "authenticate", arguments: {} },
        }),
      }),
    );
    expect(hijack.status).toBe(404);
    // Adele's session still belongs to Adele.
    const adele = await connectClient(adeleToken);
    expect((await call(adele, "authenticate")).structuredContent).toMatchObject({ username: "adele@contoso.example" });
  });
});
