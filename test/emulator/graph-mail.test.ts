import type { Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedMailboxes } from "../../emulator/seed.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DEMO_USERS } from "../../emulator/tenant.ts";
import { graph, signIn } from "./helpers.ts";

interface Page {
  value: Message[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}

let emulator: RunningEmulator;
let adele: string;

async function page(path: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await graph(emulator.url, adele, path, { headers });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Page;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
  adele = (await signIn(emulator.url)).access_token;
});
afterAll(() => emulator.close());

describe("seed data", () => {
  it("is the same on every start and large enough to page past 50", () => {
    const first = seedMailboxes();
    const second = seedMailboxes();
    const adeleBox = first.get(DEMO_USERS[0]!.id)!;
    expect([...adeleBox.messages.keys()]).toEqual([...second.get(DEMO_USERS[0]!.id)!.messages.keys()]);
    expect(adeleBox.messages.size).toBeGreaterThanOrEqual(300);
    const messages = [...adeleBox.messages.values()];
    expect(new Set(messages.map((m) => m.conversationId)).size).toBeLessThan(messages.length);
    const types = new Set(messages.flatMap((m) => m.attachments.map((a) => a.contentType)));
    expect(types.size).toBeGreaterThanOrEqual(4);
  });
});

describe("messages", () => {
  it("pages with @odata.nextLink through every inbox message exactly once", async () => {
    const seen = new Set<string>();
    let next: string | undefined = "/me/mailFolders/inbox/messages?$top=50&$select=id,receivedDateTime&$count=true";
    let total = 0;
    let pages = 0;
    let previous = Infinity;
    while (next) {
      const current: Page = await page(next.replace(`${emulator.url}/v1.0`, ""));
      total = current["@odata.count"] ?? total;
      for (const message of current.value) {
        expect(seen.has(message.id!)).toBe(false);
        seen.add(message.id!);
        const at = Date.parse(message.receivedDateTime!);
        expect(at).toBeLessThanOrEqual(previous);
        previous = at;
      }
      next = current["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(total);
  });

  it("applies $select, keeping id and @odata.etag", async () => {
    const result = await page("/me/messages?$top=3&$select=subject");
    expect(Object.keys(result.value[0]!).sort()).toEqual(["@odata.etag", "id", "subject"]);
  });

  it("applies $filter and refuses what it does not support", async () => {
    const unread = await page(
      "/me/mailFolders/inbox/messages?$top=100&$filter=isRead eq false and importance eq 'high'",
    );
    expect(unread.value.length).toBeGreaterThan(0);
    expect(unread.value.every((m) => m.isRead === false && m.importance === "high")).toBe(true);
    const bad = await graph(emulator.url, adele, "/me/messages?$filter=startswith(subject,'a')");
    expect(bad.status).toBe(400);
    const unknown = await graph(emulator.url, adele, "/me/messages?$filter=bodyPreview eq 'x'");
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("bodyPreview");
  });

  it("searches with $search and refuses $search with $orderby", async () => {
    const found = await page('/me/messages?$search="budget"&$top=50');
    expect(found.value.length).toBeGreaterThan(0);
    expect(found.value.every((m) => JSON.stringify(m).toLowerCase().includes("budget"))).toBe(true);
    const from = await page('/me/messages?$search="from:megan@contoso.example"&$top=20');
    expect(from.value.every((m) => m.from?.emailAddress?.address === "megan@contoso.example")).toBe(true);
    const both = await graph(emulator.url, adele, '/me/messages?$search="budget"&$orderby=subject');
    expect(both.status).toBe(400);
  });

  it("returns text bodies when asked with Prefer", async () => {
    const response = await graph(emulator.url, adele, "/me/messages?$top=1&$select=body", {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    expect(response.headers.get("Preference-Applied")).toContain("text");
    const body = ((await response.json()) as Page).value[0]!.body!;
    expect(body.contentType).toBe("text");
    expect(body.content).not.toContain("<p>");
  });

  it("lists attachments and answers 404 for unknown ids with Graph's error body", async () => {
    const withFiles = await page("/me/messages?$top=5&$filter=hasAttachments eq true&$select=id");
    const attachments = (await (
      await graph(emulator.url, adele, `/me/messages/${withFiles.value[0]!.id}/attachments`)
    ).json()) as { value: { name: string; contentBytes: string }[] };
    expect(attachments.value[0]!.contentBytes.length).toBeGreaterThan(0);
    const missing = await graph(emulator.url, adele, "/me/messages/AAMkNOPE");
    expect(missing.status).toBe(404);
    const error = (await missing.json()) as { error: { code: string; innerError: { "request-id": string } } };
    expect(error.error.code).toBe("ErrorItemNotFound");
    expect(missing.headers.get("request-id")).toBe(error.error.innerError["request-id"]);
  });
});

describe("sendMail", () => {
  it("answers 202, keeps a copy in Sent Items and delivers to a tenant user's inbox", async () => {
    const response = await graph(emulator.url, adele, "/me/sendMail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        message: {
          subject: "Emulator delivery",
          body: { contentType: "Text", content: "hello" },
          toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
          attachments: [
            {
              "@odata.type": "#microsoft.graph.fileAttachment",
              name: "a.txt",
              contentBytes: Buffer.from("hi").toString("base64"),
            },
          ],
        },
      }),
    });
    expect(response.status).toBe(202);
    const sent = await page("/me/mailFolders/sentitems/messages?$top=1");
    expect(sent.value[0]!.subject).toBe("Emulator delivery");
    const megan = (await signIn(emulator.url, "megan@contoso.example")).access_token;
    const inbox = (await (await graph(emulator.url, megan, "/me/mailFolders/inbox/messages?$top=1")).json()) as Page;
    expect(inbox.value[0]).toMatchObject({ subject: "Emulator delivery", isRead: false, hasAttachments: true });
  });

  it("refuses a message without recipients or with a malformed body", async () => {
    const none = await graph(emulator.url, adele, "/me/sendMail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: { subject: "x", toRecipients: [] } }),
    });
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("ErrorInvalidRecipients");
    const malformed = await graph(emulator.url, adele, "/me/sendMail", { method: "POST", body: "not json" });
    expect(malformed.status).toBe(400);
  });
});

describe("faults and the request log", () => {
  it("injects 429 with Retry-After for a number of requests, then recovers", async () => {
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ match: "GET /v1.0/me", status: 429, retryAfterSeconds: 7, count: 2 }),
    });
    const first = await graph(emulator.url, adele, "/me");
    expect(first.status).toBe(429);
    expect(first.headers.get("Retry-After")).toBe("7");
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
    expect((await graph(emulator.url, adele, "/me")).status).toBe(429);
    expect((await graph(emulator.url, adele, "/me")).status).toBe(200);
    const log = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as {
      path: string;
      status: number;
    }[];
    expect(log.filter((entry) => entry.path === "/v1.0/me").map((entry) => entry.status)).toEqual([429, 429, 200]);
  });

  it("adds latency without failing the request", async () => {
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ match: "GET /v1.0/me", latencyMs: 300 }),
    });
    const started = performance.now();
    expect((await graph(emulator.url, adele, "/me")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });
});
