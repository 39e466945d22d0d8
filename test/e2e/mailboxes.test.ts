/**
 * Beyond one's own mailbox through wrangler dev and the emulator, with the
 * MCP SDK client over Streamable HTTP: a shared mailbox read and sent from by
 * a user with rights and refused to one without, a delegate's calendar view,
 * and a reply in a Microsoft 365 group conversation.
 */
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, inject, it } from "vitest";
import { connectWithSignIn } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

async function as(user: string): Promise<Client> {
  const { client } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
    user,
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

describe("shared mailboxes, delegates and groups through wrangler dev", () => {
  it("reads and sends from support@ with rights, and refuses a user without them", async () => {
    const adele = await as("adele@contoso.example");
    const inbox = await call(adele, "getEmails", { mailbox: "support@contoso.example", fresh: true });
    expect(inbox.isError, text(inbox)).toBeFalsy();
    expect(text(inbox)).toContain("Ticket 4411: cannot sign in to the partner portal");
    const subject = `Re: Ticket 4412 (${Date.now()})`;
    const sent = await call(adele, "sendEmail", {
      to: ["megan@contoso.example"],
      subject,
      body: "A corrected invoice is on its way.",
      mailbox: "support@contoso.example",
    });
    expect(text(sent)).toBe(`Sent "${subject}" from support@contoso.example to megan@contoso.example.`);
    await adele.close();

    const alex = await as("alex@contoso.example");
    const refused = await call(alex, "getEmails", { mailbox: "support@contoso.example" });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^Error \[forbidden\]: You have no access to the mailbox support@contoso\.example/);
    expect(text(refused)).not.toContain("Ticket");
    await alex.close();
  }, 60_000);

  it("shows Megan her manager's calendar as delegate, and replies in a group conversation", async () => {
    const megan = await as("megan@contoso.example");
    const view = await call(megan, "getCalendarEvents", { mailbox: "adele@contoso.example", fresh: true });
    expect(view.isError, text(view)).toBeFalsy();
    expect(text(view)).toMatch(/^Calendar of adele@contoso\.example .*: \d+ events?/);

    const groups = (await call(megan, "listGroups", {})).structuredContent as {
      groups: { id: string; name: string }[];
    };
    const marketing = groups.groups.find((group) => group.name === "Marketing")!;
    const threads = (await call(megan, "getGroupConversations", { groupId: marketing.id })).structuredContent as {
      entries: { id: string; text: string }[];
    };
    const thread = threads.entries.find((entry) => entry.text.startsWith("Mark 8 launch checklist"))!;
    const comment = `Press kit approved (${Date.now()}).`;
    const replied = await call(megan, "replyToGroupThread", { groupId: marketing.id, threadId: thread.id, comment });
    expect(replied.isError, text(replied)).toBeFalsy();
    const posts = await call(megan, "getGroupConversations", {
      groupId: marketing.id,
      threadId: thread.id,
      fresh: true,
    });
    expect(text(posts)).toContain(comment);
    await megan.close();
  }, 60_000);
});
