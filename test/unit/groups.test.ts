/**
 * The Microsoft 365 group tools in the Workers runtime against the emulator:
 * listing one's groups, reading and replying to a conversation, the group
 * calendar through getCalendarEvents and its files through listFiles; and a
 * non-member refused all of it.
 */
import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, resultText, signIn } from "./helpers.ts";

interface Entries {
  entries: { id: string; from: string; text: string }[];
}

function structured<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${resultText(result)}`);
  return result.structuredContent as T;
}

async function as(user: string): Promise<Client> {
  return connectClient((await signIn(user)).access_token);
}

async function marketingId(client: Client): Promise<string> {
  const { groups } = structured<{ groups: { id: string; name: string }[] }>(await callTool(client, "listGroups"));
  return groups.find((group) => group.name === "Marketing")!.id;
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("Microsoft 365 groups", () => {
  it("lists the user's groups and reads a thread's posts", async () => {
    const adele = await as("adele@contoso.example");
    const listed = await callTool(adele, "listGroups");
    expect(resultText(listed)).toContain("Marketing <marketing@contoso.example>");
    expect(resultText(listed)).not.toContain("Sales");
    const groupId = await marketingId(adele);
    const threads = structured<Entries>(await callTool(adele, "getGroupConversations", { groupId }));
    expect(threads.entries.map((entry) => entry.text)).toEqual([
      "Offsite agenda: Draft agenda for the offsite is in Files. Comments by Friday please.",
      "Mark 8 launch checklist: I have the press kit; the landing page copy is with the agency.",
    ]);
    const posts = structured<Entries>(
      await callTool(adele, "getGroupConversations", { groupId, threadId: threads.entries[1]!.id }),
    );
    expect(posts.entries.map((entry) => entry.from)).toEqual([
      "Megan Bowen <megan@contoso.example>",
      "Adele Vance <adele@contoso.example>",
    ]);
  });

  it("replies in a thread, and the reply is read back", async () => {
    const adele = await as("adele@contoso.example");
    const groupId = await marketingId(adele);
    const threads = structured<Entries>(await callTool(adele, "getGroupConversations", { groupId }));
    const threadId = threads.entries[1]!.id;
    const replied = await callTool(adele, "replyToGroupThread", { groupId, threadId, comment: "Copy is <back>." });
    expect(replied.isError).toBeFalsy();
    const megan = await as("megan@contoso.example");
    const posts = structured<Entries>(await callTool(megan, "getGroupConversations", { groupId, threadId }));
    expect(posts.entries.at(-1)).toMatchObject({
      from: "Adele Vance <adele@contoso.example>",
      text: "Copy is <back>.",
    });
  });

  it("shows the group calendar and the group's files", async () => {
    const adele = await as("adele@contoso.example");
    const groupId = await marketingId(adele);
    const calendar = await callTool(adele, "getCalendarEvents", {
      groupId,
      start: new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10),
      end: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(resultText(calendar)).toMatch(/^Calendar of group [0-9a-f-]+ .*: \d+ events?/);
    const files = await callTool(adele, "listFiles", { driveId: groupId });
    expect(resultText(files)).toContain("Campaigns");
  });

  it("refuses a non-member every part of a private group, with none of its data", async () => {
    const adele = await as("adele@contoso.example");
    const groupId = await marketingId(adele);
    const alex = await as("alex@contoso.example");
    for (const [tool, args] of [
      ["getGroupConversations", { groupId }],
      ["replyToGroupThread", { groupId, threadId: "AAQkAGI2abc", comment: "hi" }],
      ["getCalendarEvents", { groupId }],
      ["listFiles", { driveId: groupId }],
    ] as const) {
      const result = await callTool(alex, tool, args);
      expect(result.isError, tool).toBe(true);
      if (tool !== "listFiles")
        expect(resultText(result)).toMatch(/^Error \[forbidden\]: You are not a member of the group /);
      expect(resultText(result)).not.toMatch(/Offsite|Mark 8|Campaigns/);
    }
    expect(resultText(await callTool(alex, "listGroups"))).not.toContain("Marketing");
  });
});
