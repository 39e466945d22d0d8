import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface Message {
  id: string;
  from: string;
  sentAt: string;
  subject?: string;
  text: string;
  replies?: number;
}

interface Messages {
  messages: Message[];
  nextCursor?: string;
}

interface Chats {
  chats: { id: string; type: string; title: string; members: string[]; membersCut?: boolean; updatedAt: string }[];
  nextCursor?: string;
}

const ADELE = "adele@contoso.example";
const MEGAN = "megan@contoso.example";
const ALEX = "alex@contoso.example";

const call = callTool;

const text = resultText;

async function structured<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${text(result)}`);
  return result.structuredContent as T;
}

async function as(user: string): Promise<Client> {
  return connectClient((await signIn(user)).access_token);
}

async function teamId(client: Client, name: string): Promise<string> {
  const { teams } = await structured<{ teams: { id: string; name: string }[] }>(client, "listTeams");
  const team = teams.find((candidate) => candidate.name === name);
  if (!team) throw new Error(`not in ${name}`);
  return team.id;
}

async function channelId(client: Client, team: string, name: string): Promise<string> {
  const { channels } = await structured<{ channels: { id: string; name: string }[] }>(client, "listChannels", {
    teamId: team,
  });
  const channel = channels.find((candidate) => candidate.name === name);
  if (!channel) throw new Error(`no channel ${name}`);
  return channel.id;
}

/** Ids of a team and one of its channels, as `user` finds them through the tools. */
async function place(client: Client, teamName: string, channelName: string) {
  const team = await teamId(client, teamName);
  return { teamId: team, channelId: await channelId(client, team, channelName) };
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("teams and channels", () => {
  it("listTeams lists the user's teams; listChannels the channels they can see", async () => {
    const adele = await as(ADELE);
    const teams = await call(adele, "listTeams");
    expect(teams.isError).toBeFalsy();
    const listed = (teams.structuredContent as { teams: { id: string; name: string; description: string }[] }).teams;
    expect(listed.map((team) => team.name).sort()).toEqual(["All Company", "Contoso Marketing", "Mark 8 Launch"]);
    expect(text(teams)).toMatch(/^3 teams:/);
    expect(text(teams)).toContain(`Contoso Marketing: Campaigns, budgets and brand work of the marketing team. (id: `);
    expect(text(teams)).not.toContain("@odata");

    const marketing = listed.find((team) => team.name === "Contoso Marketing")!.id;
    const channels = await call(adele, "listChannels", { teamId: marketing });
    expect(channels.structuredContent).toEqual({
      channels: [
        expect.objectContaining({ name: "General", membershipType: "standard" }),
        expect.objectContaining({ name: "Campaigns", membershipType: "standard" }),
      ],
    });
    expect(text(channels)).toContain("- Campaigns: Planning and results of every campaign. (id: 19:");

    const megan = await as(MEGAN);
    const megans = await call(megan, "listChannels", { teamId: marketing });
    expect(text(megans)).toMatch(/- Leadership \[private\]: Headcount and budget decisions\. \(id: 19:/);
  });

  it("microsoft://teams lists the teams with their channels as JSON", async () => {
    const alex = await as(ALEX);
    const resource = await alex.readResource({ uri: "microsoft://teams" });
    const content = resource.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe("application/json");
    const { teams } = JSON.parse(content.text) as { teams: { name: string; channels: { name: string }[] }[] };
    expect(teams.map((team) => team.name).sort()).toEqual(["All Company", "Design Studio", "Mark 8 Launch"]);
    expect(teams.find((team) => team.name === "Mark 8 Launch")!.channels.map((channel) => channel.name)).toEqual([
      "General",
      "Design",
    ]);
  });

  it("a user outside a team or private channel gets a clear forbidden error", async () => {
    const adele = await as(ADELE);
    const marketing = await place(adele, "Contoso Marketing", "General");
    const alex = await as(ALEX);
    for (const [tool, args] of [
      ["listChannels", { teamId: marketing.teamId }],
      ["getChannelMessages", marketing],
      ["sendTeamsMessage", { ...marketing, message: "Hello?" }],
    ] as const) {
      const result = await call(alex, tool, args);
      expect(result.isError, tool).toBe(true);
      expect(text(result)).toMatch(/^Error \[forbidden\]: .*not a member of this team/);
    }
    expect((await requestLog()).filter((entry) => entry.method === "POST" && entry.path.includes("/teams/"))).toEqual([
      expect.objectContaining({ status: 403 }),
    ]);
  });

  it("refuses malformed ids and counts, naming the field, and reports unknown teams as not_found", async () => {
    const adele = await as(ADELE);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["listChannels", { teamId: "../../me/messages" }, /invalid_input.*teamId/],
      [
        "getChannelMessages",
        { teamId: "4f9a3e1c-0000-4000-a000-000000000000", channelId: "general?x" },
        /invalid_input.*channelId/,
      ],
      [
        "getChannelMessages",
        { teamId: "4f9a3e1c-0000-4000-a000-000000000000", channelId: "19:a@thread.tacv2", messageId: "../1" },
        /invalid_input.*messageId/,
      ],
      [
        "getChannelMessages",
        { teamId: "4f9a3e1c-0000-4000-a000-000000000000", channelId: "19:a@thread.tacv2", count: 51 },
        /count/,
      ],
      ["getChatMessages", { chatId: "19:a@thread.v2", cursor: "https://attacker.example/v1.0/chats" }, /invalid_input/],
      ["sendChatMessage", { chatId: "19:a@thread.v2", message: "   " }, /message/],
    ];
    for (const [tool, args, expected] of cases) {
      const result = await call(adele, tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(text(result)).toMatch(expected);
    }
    const unknown = await call(adele, "listChannels", { teamId: "4f9a3e1c-0000-4000-a000-000000000000" });
    expect(text(unknown)).toMatch(/^Error \[not_found\]/);
    expect((await requestLog()).filter((entry) => entry.path.includes("attacker"))).toEqual([]);
  });
});

describe("channel messages", () => {
  it("pages through a long channel, newest first", async () => {
    const alex = await as(ALEX);
    const general = await place(alex, "All Company", "General");
    const first = await call(alex, "getChannelMessages", { ...general, count: 50 });
    const page1 = first.structuredContent as unknown as Messages;
    expect(page1.messages).toHaveLength(50);
    expect(page1.nextCursor).toMatch(/^[\w-]{12}$/);
    expect(text(first)).toMatch(/^Channel posts: 50 messages, newest first\./);
    expect(text(first)).toContain(`More: call again with cursor "${page1.nextCursor}".`);
    const page2 = (await structured<Messages>(alex, "getChannelMessages", { ...general, cursor: page1.nextCursor }))
      .messages;
    expect(page2.length).toBeGreaterThanOrEqual(10);
    const all = [...page1.messages, ...page2];
    expect(new Set(all.map((message) => message.id)).size).toBe(all.length);
    expect(all.map((message) => message.sentAt)).toEqual([...all.map((message) => message.sentAt)].sort().reverse());
    expect(all.at(-1)!.text).toBe("Welcome to All Company: company news and announcements live here.");
  });

  it("shows reply counts with the latest reply, renders mentions as @Name, and lists a thread's replies", async () => {
    const adele = await as(ADELE);
    const general = await place(adele, "Contoso Marketing", "General");
    const result = await call(adele, "getChannelMessages", general);
    const { messages } = result.structuredContent as unknown as Messages;
    const budget = messages.find((message) => message.subject === "Q3 budget review")!;
    expect(budget).toMatchObject({
      replies: 3,
      text: expect.stringMatching(/^@(Megan Bowen|Adele Vance) the Q3 budget/),
    });
    expect(text(result)).toContain("3 replies; latest ");
    expect(text(result)).toContain(": Forecast uploaded to the Budget folder.");
    expect(text(result)).not.toMatch(/<at|<p>|&#/);

    const thread = await call(adele, "getChannelMessages", { ...general, messageId: budget.id });
    const replies = (thread.structuredContent as unknown as Messages).messages;
    expect(replies.map((reply) => reply.text)).toEqual([
      "Forecast uploaded to the Budget folder.",
      "Finance wants the revised forecast before Thursday's review.",
      "Yes, I can shift about 15k of paid social.",
    ]);
    expect(text(thread)).toMatch(new RegExp(`^Replies to ${budget.id}: 3 messages, newest first\\.`));

    const missing = await call(adele, "getChannelMessages", { ...general, messageId: "1" });
    expect(text(missing)).toMatch(/^Error \[not_found\]/);
  });

  it("a message Adele posts with a mention is read by Megan, and Megan's reply appears under its thread", async () => {
    const adele = await as(ADELE);
    const general = await place(adele, "Contoso Marketing", "General");
    const sent = await call(adele, "sendTeamsMessage", {
      ...general,
      subject: "Recap",
      message: "Thanks @Megan Bowen for the recap!\nSlides are in the Marketing files.",
      mentions: [MEGAN],
      importance: "high",
    });
    expect(sent.isError).toBeFalsy();
    const postId = /^Posted message (\d+), mentioning Megan Bowen\. Link: https:\/\/teams\.microsoft\.com\//.exec(
      text(sent),
    )?.[1];
    expect(postId).toBeDefined();

    const megan = await as(MEGAN);
    const seen = await structured<Messages>(megan, "getChannelMessages", { ...general, count: 5 });
    expect(seen.messages[0]).toMatchObject({
      id: postId,
      from: "Adele Vance",
      subject: "Recap",
      text: "Thanks @Megan Bowen for the recap! Slides are in the Marketing files.",
      replies: 0,
    });

    const replied = await call(megan, "replyToChannelMessage", {
      ...general,
      messageId: postId,
      message: "My pleasure, @adele@contoso.example",
      mentions: [ADELE],
    });
    expect(text(replied)).toMatch(new RegExp(`^Replied to ${postId} with message \\d+, mentioning Adele Vance\\.`));
    const thread = await structured<Messages>(adele, "getChannelMessages", { ...general, messageId: postId });
    expect(thread.messages).toEqual([
      expect.objectContaining({ from: "Megan Bowen", text: "My pleasure, @Adele Vance" }),
    ]);
    const listing = await call(megan, "getChannelMessages", { ...general, count: 1, fresh: true });
    expect(text(listing)).toContain("1 reply; latest ");
    expect(text(listing)).toContain("Megan Bowen: My pleasure, @Adele Vance");

    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path.startsWith("/v1.0/"));
    expect(posts.map((entry) => entry.status)).toEqual([201, 201]);
    expect(posts[1]!.path).toBe(
      `/v1.0/teams/${general.teamId}/channels/${encodeURIComponent(general.channelId)}/messages/${postId}/replies`,
    );
  });

  it("mentions people the message does not name at its start, sends HTML as is, and refuses unknown people", async () => {
    const adele = await as(ADELE);
    const launch = await place(adele, "Mark 8 Launch", "Design");
    const sent = await call(adele, "sendTeamsMessage", { ...launch, message: "Please review", mentions: [ALEX] });
    expect(sent.isError).toBeFalsy();
    const html = await call(adele, "sendTeamsMessage", {
      ...launch,
      message: "<p>Final <b>files</b> are in.</p>",
      contentType: "html",
    });
    expect(html.isError).toBeFalsy();
    const alex = await as(ALEX);
    const { messages } = await structured<Messages>(alex, "getChannelMessages", { ...launch, count: 2 });
    expect(messages.map((message) => message.text)).toEqual(["Final files are in.", "@Alex Wilber Please review"]);

    const unknown = await call(adele, "sendTeamsMessage", {
      ...launch,
      message: "Hi",
      mentions: ["nobody@contoso.example"],
    });
    expect(text(unknown)).toMatch(/^Error \[invalid_input\]: mentions: no user "nobody@contoso.example"/);
    const malformed = await call(adele, "replyToChannelMessage", {
      ...launch,
      messageId: "1",
      message: "Hi",
      mentions: ["Alex"],
    });
    expect(text(malformed)).toMatch(/invalid_input.*mentions/);
  });

  it("finds a mentioned person by mail address through the directory, where the mail differs from the UPN", async () => {
    const adele = await as(ADELE);
    const launch = await place(adele, "Mark 8 Launch", "Design");
    const sent = await call(adele, "sendTeamsMessage", {
      ...launch,
      message: "Banner sizes, @hannah@contoso.example?",
      mentions: ["hannah@contoso.example"],
    });
    expect(text(sent)).toMatch(/^Posted message \d+, mentioning Hannah Weber\./);
    const { messages } = await structured<Messages>(adele, "getChannelMessages", { ...launch, count: 1 });
    expect(messages[0]!.text).toBe("Banner sizes, @Hannah Weber?");
    const lookups = (await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/users"));
    // Graph's /users/{id | userPrincipalName} does not take her mail address; the directory's $filter does.
    expect(lookups.map((entry) => entry.path)).toEqual(["/v1.0/users"]);
    expect(new URLSearchParams(lookups[0]!.query).get("$filter")).toContain("mail eq 'hannah@contoso.example'");
  });
});

describe("chats", () => {
  it("listChats lists 1:1, group and meeting chats with names, and pages", async () => {
    const adele = await as(ADELE);
    const result = await call(adele, "listChats");
    const { chats } = result.structuredContent as unknown as Chats;
    expect(chats.map((chat) => chat.type).sort()).toEqual(["1:1", "1:1", "group", "group", "meeting", "meeting"]);
    expect(
      chats
        .filter((chat) => chat.type === "1:1")
        .map((chat) => chat.title)
        .sort(),
    ).toEqual(["Alex Wilber", "Megan Bowen"]);
    expect(text(result)).toMatch(/\[group\] Launch crew \(Adele Vance, Megan Bowen, Alex Wilber\) \| updated /);
    expect(text(result)).toMatch(/\[meeting\] Weekly marketing sync/);

    const first = await structured<Chats>(adele, "listChats", { count: 2 });
    expect(first.chats).toHaveLength(2);
    expect(first.nextCursor).toBeDefined();
    // The cursor keeps the page size it was made with, as Graph's nextLink does.
    const pages = [first];
    while (pages.at(-1)!.nextCursor && pages.length < 10) {
      pages.push(await structured<Chats>(adele, "listChats", { cursor: pages.at(-1)!.nextCursor }));
    }
    expect(pages.map((page) => page.chats.length)).toEqual([2, 2, 2]);
    const ids = pages.flatMap((page) => page.chats.map((chat) => chat.id));
    expect(ids.sort()).toEqual(chats.map((chat) => chat.id).sort());
  });

  it("listChats says when Graph may have cut a chat's member list (25 at most with $expand=members)", async () => {
    const adele = await as(ADELE);
    const result = await call(adele, "listChats");
    const { chats } = result.structuredContent as unknown as Chats;
    const offsite = chats.find((chat) => chat.title === "Company offsite 2027")!;
    expect(offsite.members).toHaveLength(25);
    expect(offsite.membersCut).toBe(true);
    expect(text(result)).toMatch(
      /\[group\] Company offsite 2027 \(Megan Bowen, Adele Vance, Alex Wilber, [^,]+, [^,]+ and others: 25 or more members; Graph lists no more than 25 here\)/,
    );
    const crew = chats.find((chat) => chat.title === "Launch crew")!;
    expect(crew.membersCut).toBeUndefined();
  });

  it("getChatMessages pages newest first; sendChatMessage reaches the other member; outsiders are refused", async () => {
    const adele = await as(ADELE);
    const { chats } = await structured<Chats>(adele, "listChats");
    const withMegan = chats.find((chat) => chat.title === "Megan Bowen")!;
    const first = await structured<Messages>(adele, "getChatMessages", { chatId: withMegan.id, count: 10 });
    expect(first.messages).toHaveLength(10);
    expect(first.messages[0]).toMatchObject({ from: "Adele Vance", text: "Have a good weekend!" });
    const second = await structured<Messages>(adele, "getChatMessages", {
      chatId: withMegan.id,
      cursor: first.nextCursor,
    });
    expect(second.messages).toHaveLength(10);
    expect(second.messages[0]!.sentAt <= first.messages[9]!.sentAt).toBe(true);

    const sent = await call(adele, "sendChatMessage", { chatId: withMegan.id, message: "Lunch at 12?" });
    expect(text(sent)).toMatch(/^Sent message \d+ in chat 19:/);
    const megan = await as(MEGAN);
    const megans = await call(megan, "getChatMessages", { chatId: withMegan.id, count: 1 });
    expect((megans.structuredContent as unknown as Messages).messages[0]).toMatchObject({
      from: "Adele Vance",
      text: "Lunch at 12?",
    });
    expect(text(megans)).toMatch(/^Chat: 1 message, newest first\./);

    const alex = await as(ALEX);
    const outsider = await call(alex, "getChatMessages", { chatId: withMegan.id });
    expect(text(outsider)).toMatch(/^Error \[forbidden\]: .*not a member of this chat/);
    const unknown = await call(adele, "getChatMessages", { chatId: "19:missing@thread.v2" });
    expect(text(unknown)).toMatch(/^Error \[not_found\]/);
  });

  it("sendChatMessage with an idempotency key posts once", async () => {
    const adele = await as(ADELE);
    const { chats } = await structured<Chats>(adele, "listChats");
    const crew = chats.find((chat) => chat.title === "Launch crew")!;
    const args = {
      chatId: crew.id,
      message: "<i>Booth is up</i>",
      contentType: "html",
      idempotencyKey: "booth-up-0001",
    };
    const once = await call(adele, "sendChatMessage", args);
    const again = await call(adele, "sendChatMessage", args);
    expect(text(again)).toBe(text(once));
    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path.endsWith("/messages"));
    expect(posts).toHaveLength(1);
    const { messages } = await structured<Messages>(adele, "getChatMessages", {
      chatId: crew.id,
      count: 1,
      fresh: true,
    });
    expect(messages[0]!.text).toBe("Booth is up");
  });
});

describe("createTeamsMeeting", () => {
  it("creates an online meeting, returns its join link, and opens a meeting chat for attendees", async () => {
    const adele = await as(ADELE);
    const result = await call(adele, "createTeamsMeeting", {
      subject: "Pricing sync",
      start: "2030-05-04T15:00:00+02:00",
      end: "2030-05-04T15:30:00+02:00",
      attendees: [MEGAN],
    });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('Created Teams meeting "Pricing sync", 2030-05-04T13:00Z to 2030-05-04T13:30Z');
    expect(text(result)).toMatch(/Join link: https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3Ameeting_/);
    expect(text(result)).toContain(`Attendees listed: ${MEGAN}. No invitation was sent`);
    expect((await requestLog()).filter((entry) => entry.path === "/v1.0/me/onlineMeetings")).toEqual([
      expect.objectContaining({ method: "POST", status: 201 }),
    ]);
    const megan = await as(MEGAN);
    const { chats } = await structured<Chats>(megan, "listChats");
    expect(chats).toContainEqual(expect.objectContaining({ type: "meeting", title: "Pricing sync" }));
  });

  it("refuses an end before the start and a bad date without calling Graph", async () => {
    const adele = await as(ADELE);
    const backwards = await call(adele, "createTeamsMeeting", {
      subject: "Oops",
      start: "2030-05-04T15:00:00Z",
      end: "2030-05-04T14:00:00Z",
    });
    expect(text(backwards)).toMatch(/^Error \[invalid_input\]: end: must be after start/);
    const noOffset = await call(adele, "createTeamsMeeting", {
      subject: "Oops",
      start: "tomorrow 3pm",
      end: "2030-05-04T14:00:00Z",
    });
    expect(noOffset.isError).toBe(true);
    expect(text(noOffset)).toMatch(/start/);
    expect((await requestLog()).filter((entry) => entry.path.includes("onlineMeetings"))).toEqual([]);
  });
});
