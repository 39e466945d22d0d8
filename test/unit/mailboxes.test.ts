/**
 * Shared and delegated mailboxes through the mail and calendar tools'
 * `mailbox` input, in the Workers runtime against the emulator: support@
 * (Adele: Full Access + Send As; Megan: Full Access; Alex: nothing) and
 * Adele's calendar, of which Megan is the delegate. Each refusal names the
 * mailbox and carries none of its data.
 */
import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { graphScopes } from "../../src/tools/catalog.ts";
import { callTool, clearLog, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

const SUPPORT = "support@contoso.example";

interface Listing {
  messages: { id: string; subject: string; from: string }[];
}

function structured<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${resultText(result)}`);
  return result.structuredContent as T;
}

async function as(user: string): Promise<Client> {
  return connectClient((await signIn(user)).access_token);
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("a shared mailbox", () => {
  it("lists, searches and reads support@ for a user with Full Access, through /users/{upn}", async () => {
    const adele = await as("adele@contoso.example");
    await clearLog();
    const inbox = structured<Listing>(await callTool(adele, "getEmails", { mailbox: SUPPORT }));
    expect(inbox.messages.map((message) => message.subject)).toContain(
      "Ticket 4411: cannot sign in to the partner portal",
    );
    expect((await requestLog()).map((entry) => entry.path)).toEqual([
      `/v1.0/users/${SUPPORT}/mailFolders/inbox/messages`,
    ]);
    const found = structured<Listing>(await callTool(adele, "searchEmails", { query: "VAT", mailbox: SUPPORT }));
    expect(found.messages.map((message) => message.subject)).toEqual([
      "Ticket 4412: invoice INV-2291 shows the wrong VAT number",
    ]);
    const read = await callTool(adele, "getEmail", { id: found.messages[0]!.id, mailbox: SUPPORT });
    expect(resultText(read)).toContain("missing a digit");
    // The same message id is no message of Adele's own mailbox.
    const own = await callTool(adele, "getEmail", { id: found.messages[0]!.id });
    expect(own.isError).toBe(true);
    expect(own._meta?.errorCode).toBe("not_found");
  });

  it("refuses a user without rights with a sentence naming the mailbox, and none of its data", async () => {
    const alex = await as("alex@contoso.example");
    for (const [tool, args] of [
      ["getEmails", {}],
      ["searchEmails", { query: "Ticket" }],
    ] as const) {
      const result = await callTool(alex, tool, { ...args, mailbox: SUPPORT });
      expect(result.isError).toBe(true);
      expect(result._meta?.errorCode).toBe("forbidden");
      expect(resultText(result)).toMatch(
        /^Error \[forbidden\]: You have no access to the mailbox support@contoso\.example/,
      );
      expect(resultText(result)).not.toContain("Ticket");
      expect(result.structuredContent).toBeUndefined();
    }
    // Alex's own inbox is still his, and holds no ticket.
    const own = structured<Listing>(await callTool(alex, "getEmails", { count: 50 }));
    expect(own.messages.some((message) => message.subject.startsWith("Ticket 44"))).toBe(false);
  });

  it("a user's cached read of support@ never answers another user's call", async () => {
    const adele = await as("adele@contoso.example");
    const alex = await as("alex@contoso.example");
    structured<Listing>(await callTool(adele, "getEmails", { mailbox: SUPPORT }));
    const result = await callTool(alex, "getEmails", { mailbox: SUPPORT });
    expect(result._meta?.errorCode).toBe("forbidden");
  });

  it("sends as support@ with Send As, and refuses Megan, who may read it but not send from it", async () => {
    const adele = await as("adele@contoso.example");
    const sent = await callTool(adele, "sendEmail", {
      to: ["megan@contoso.example"],
      subject: "Re: Ticket 4411",
      body: "Unlocked.",
      mailbox: SUPPORT,
    });
    expect(resultText(sent)).toBe('Sent "Re: Ticket 4411" from support@contoso.example to megan@contoso.example.');
    const megan = await as("megan@contoso.example");
    const inbox = structured<Listing>(await callTool(megan, "getEmails", { count: 5, fresh: true }));
    expect(inbox.messages.find((message) => message.subject === "Re: Ticket 4411")?.from).toContain(SUPPORT);

    const refused = await callTool(megan, "sendEmail", {
      to: ["adele@contoso.example"],
      subject: "From support",
      body: "Hi",
      mailbox: SUPPORT,
    });
    expect(resultText(refused)).toMatch(
      /^Error \[forbidden\]: You may not send as or on behalf of support@contoso\.example/,
    );
  });

  it("says when there is no such mailbox, and refuses a mailbox that is not an address", async () => {
    const adele = await as("adele@contoso.example");
    const missing = await callTool(adele, "getEmails", { mailbox: "nobody@contoso.example" });
    expect(resultText(missing)).toMatch(/^Error \[not_found\]: There is no mailbox nobody@contoso\.example/);
    const bad = await callTool(adele, "getEmails", { mailbox: "../me" });
    expect(bad._meta?.errorCode).toBe("invalid_input");
  });

  it("asks for the .Shared permissions at sign-in", () => {
    expect(graphScopes()).toEqual(
      expect.arrayContaining([
        "Mail.Read.Shared",
        "Mail.Send.Shared",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite.Shared",
      ]),
    );
  });
});

describe("a delegate's calendar", () => {
  it("shows Megan Adele's calendar and books into it as Adele, but keeps Adele's mail from her", async () => {
    const megan = await as("megan@contoso.example");
    const adele = await as("adele@contoso.example");
    const view = structured<{ events: { id: string }[] }>(
      await callTool(megan, "getCalendarEvents", { mailbox: "adele@contoso.example", timeZone: "UTC" }),
    );
    const own = structured<{ events: { id: string }[] }>(
      await callTool(adele, "getCalendarEvents", { timeZone: "UTC" }),
    );
    expect(view.events.map((event) => event.id)).toEqual(own.events.map((event) => event.id));
    expect(view.events.length).toBeGreaterThan(0);

    const created = await callTool(megan, "createCalendarEvent", {
      subject: "Booked by Megan",
      start: "2030-01-07T10:00",
      timeZone: "UTC",
      mailbox: "adele@contoso.example",
    });
    expect(resultText(created)).toContain("in the calendar of adele@contoso.example");
    const id = /id: (\S+)$/.exec(resultText(created))?.[1];
    const event = await callTool(adele, "getCalendarEvent", { id, fresh: true });
    expect(resultText(event)).toContain("Organizer: Adele Vance <adele@contoso.example> (me)");

    const mail = await callTool(megan, "getEmails", { mailbox: "adele@contoso.example" });
    expect(resultText(mail)).toMatch(/^Error \[forbidden\]: You have no access to the mailbox adele@contoso\.example/);
  });

  it("refuses Alex, who is nobody's delegate", async () => {
    const alex = await as("alex@contoso.example");
    const result = await callTool(alex, "getCalendarEvents", { mailbox: "adele@contoso.example" });
    expect(result._meta?.errorCode).toBe("forbidden");
    expect(resultText(result)).toContain("adele@contoso.example");
  });
});
