import type { Channel, Chat, ChatMessage, OnlineMeeting, Team } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { ADELE, ALEX, MEGAN } from "../../emulator/tenant.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

interface ChatWithMembers extends Chat {
  members: { displayName: string; userId: string; email: string }[];
}

const TEAMS_SCOPE =
  "openid profile email offline_access User.Read User.ReadBasic.All Team.ReadBasic.All Channel.ReadBasic.All " +
  "ChannelMessage.Read.All ChannelMessage.Send Chat.ReadBasic Chat.Read ChatMessage.Send OnlineMeetings.ReadWrite";

let emulator: RunningEmulator;
const tokens: Record<string, string> = {};

async function tokenOf(user: string): Promise<string> {
  tokens[user] ??= (await signIn(emulator.url, user, TEAMS_SCOPE)).access_token;
  return tokens[user];
}

async function get<T>(user: string, path: string): Promise<T> {
  return graphJson<T>(emulator.url, await tokenOf(user), path);
}

async function post(user: string, path: string, body: unknown): Promise<Response> {
  return postJson(emulator.url, await tokenOf(user), path, body);
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

async function failing(user: string, path: string): Promise<{ status: number; code: string; message: string }> {
  return errorOf(await graph(emulator.url, await tokenOf(user), path));
}

async function teamNamed(user: string, name: string): Promise<Team> {
  const teams = await get<Page<Team>>(user, "/me/joinedTeams");
  const team = teams.value.find((candidate) => candidate.displayName === name);
  if (!team) throw new Error(`${user} is not in ${name}`);
  return team;
}

async function channelNamed(user: string, teamId: string, name: string): Promise<Channel> {
  const channels = await get<Page<Channel>>(user, `/teams/${teamId}/channels`);
  const channel = channels.value.find((candidate) => candidate.displayName === name);
  if (!channel) throw new Error(`no channel ${name}`);
  return channel;
}

const messagesPath = (teamId: string, channelId: string) =>
  `/teams/${teamId}/channels/${encodeURIComponent(channelId)}/messages`;

function isNewestFirst(messages: ChatMessage[]): boolean {
  return messages.every(
    (message, index) =>
      index === 0 || Date.parse(messages[index - 1]!.createdDateTime!) >= Date.parse(message.createdDateTime!),
  );
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  // Reset drops tokens too: every test signs in afresh.
  await control(emulator.url, "reset", {});
  for (const key of Object.keys(tokens)) delete tokens[key];
});

describe("teams and channels", () => {
  it("lists the teams each user belongs to, with the basic properties joinedTeams fills in", async () => {
    const names = async (user: string) =>
      (await get<Page<Team>>(user, "/me/joinedTeams")).value.map((team) => team.displayName).sort();
    expect(await names(ADELE.mail)).toEqual(["All Company", "Contoso Marketing", "Mark 8 Launch"]);
    expect(await names(MEGAN.mail)).toEqual(["All Company", "Contoso Marketing", "Design Studio"]);
    expect(await names(ALEX.mail)).toEqual(["All Company", "Design Studio", "Mark 8 Launch"]);
    const team = await teamNamed(ADELE.mail, "Contoso Marketing");
    expect(team).toMatchObject({ isArchived: false, webUrl: null, visibility: null });
    expect(team.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const full = await get<Team>(ADELE.mail, `/teams/${team.id}`);
    expect(full).toMatchObject({ displayName: "Contoso Marketing", visibility: "private" });
    expect(full.webUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/team\//);
  });

  it("shows private channels to their members only, and supports $select and $filter", async () => {
    const marketing = await teamNamed(MEGAN.mail, "Contoso Marketing");
    const megans = await get<Page<Channel>>(MEGAN.mail, `/teams/${marketing.id}/channels`);
    const adeles = await get<Page<Channel>>(ADELE.mail, `/teams/${marketing.id}/channels`);
    expect(megans.value.map((channel) => channel.displayName)).toEqual(["General", "Campaigns", "Leadership"]);
    expect(adeles.value.map((channel) => channel.displayName)).toEqual(["General", "Campaigns"]);
    expect(megans.value.find((channel) => channel.displayName === "Leadership")?.membershipType).toBe("private");
    expect(megans.value[0]!.id).toMatch(/^19:[0-9a-f]{32}@thread\.tacv2$/);

    const selected = await get<Page<Channel>>(
      MEGAN.mail,
      `/teams/${marketing.id}/channels?$select=displayName,membershipType&$filter=membershipType eq 'private'`,
    );
    expect(selected.value).toEqual([{ id: expect.any(String), displayName: "Leadership", membershipType: "private" }]);

    const leadership = megans.value.find((channel) => channel.displayName === "Leadership")!;
    const denied = await failing(ADELE.mail, messagesPath(marketing.id!, leadership.id!));
    expect(denied).toMatchObject({ status: 403, code: "Forbidden" });
    expect(denied.message).toMatch(/not a member of this private channel/);
  });

  it("refuses a team the user is not in (403) and an unknown team (404)", async () => {
    const marketing = await teamNamed(ADELE.mail, "Contoso Marketing");
    const general = await channelNamed(ADELE.mail, marketing.id!, "General");
    for (const path of [
      `/teams/${marketing.id}`,
      `/teams/${marketing.id}/channels`,
      messagesPath(marketing.id!, general.id!),
    ]) {
      const error = await failing(ALEX.mail, path);
      expect(error).toMatchObject({ status: 403, code: "Forbidden" });
      expect(error.message).toMatch(/not a member of this team/);
    }
    const postAsStranger = await post(ALEX.mail, messagesPath(marketing.id!, general.id!), { body: { content: "hi" } });
    expect(postAsStranger.status).toBe(403);
    expect(await failing(ALEX.mail, "/teams/00000000-0000-4000-a000-000000000000/channels")).toMatchObject({
      status: 404,
      code: "NotFound",
    });
    expect(await failing(ADELE.mail, `/teams/${marketing.id}/channels/19:nope@thread.tacv2`)).toMatchObject({
      status: 404,
    });
  });
});

describe("channel messages", () => {
  it("pages a long channel newest first: 20 by default, 50 at most, nextLink to the end", async () => {
    const company = await teamNamed(ALEX.mail, "All Company");
    const general = await channelNamed(ALEX.mail, company.id!, "General");
    const path = messagesPath(company.id!, general.id!);
    const first = await get<Page<ChatMessage>>(ALEX.mail, path);
    expect(first.value).toHaveLength(20);
    expect(first["@odata.nextLink"]).toContain("$skiptoken=");

    const all: ChatMessage[] = [];
    let next: string | undefined = `${path}?$top=50`;
    let pages = 0;
    while (next) {
      const page: Page<ChatMessage> = await get<Page<ChatMessage>>(ALEX.mail, next);
      all.push(...page.value);
      next = page["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(2);
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map((message) => message.id)).size).toBe(all.length);
    expect(isNewestFirst(all)).toBe(true);
    expect(
      all.every((message) => message.replyToId === null && message.channelIdentity?.channelId === general.id),
    ).toBe(true);

    const tooMany = await failing(ALEX.mail, `${path}?$top=51`);
    expect(tooMany).toMatchObject({ status: 400, code: "BadRequest" });
    expect(tooMany.message).toBe(
      "The limit of '50' for Top query has been exceeded. The value from the incoming request is '51'.",
    );
    expect((await failing(ALEX.mail, `${path}?$filter=subject eq 'x'`)).status).toBe(400);
  });

  it("has threads with replies ($expand=replies and /replies, newest first) and HTML mentions", async () => {
    const marketing = await teamNamed(ADELE.mail, "Contoso Marketing");
    const general = await channelNamed(ADELE.mail, marketing.id!, "General");
    const path = messagesPath(marketing.id!, general.id!);
    const expanded = await get<Page<ChatMessage>>(ADELE.mail, `${path}?$expand=replies`);
    const budget = expanded.value.find((message) => message.subject === "Q3 budget review")!;
    expect(budget.replies).toHaveLength(3);
    expect(budget.replies!.every((reply) => reply.replyToId === budget.id)).toBe(true);
    expect(budget.body).toMatchObject({ contentType: "html" });
    expect(budget.body!.content).toMatch(/<at id="0">(Megan Bowen|Adele Vance)<\/at>/);
    expect(budget.mentions).toHaveLength(1);
    expect(budget.mentions![0]).toMatchObject({ id: 0, mentioned: { user: { userIdentityType: "aadUser" } } });

    const replies = await get<Page<ChatMessage>>(ADELE.mail, `${path}/${budget.id}/replies`);
    expect(replies["@odata.count"]).toBe(3);
    expect(isNewestFirst(replies.value)).toBe(true);
    expect(replies.value.map((reply) => reply.id)).toEqual(budget.replies!.map((reply) => reply.id));
    expect((await failing(ADELE.mail, `${path}/1/replies`)).status).toBe(404);
  });

  it("posts a message with a mention (201) that another member reads, then a reply under it", async () => {
    const marketing = await teamNamed(ADELE.mail, "Contoso Marketing");
    const general = await channelNamed(ADELE.mail, marketing.id!, "General");
    const path = messagesPath(marketing.id!, general.id!);
    const response = await post(ADELE.mail, path, {
      subject: "Launch recap",
      importance: "high",
      body: { contentType: "html", content: '<p>Thanks <at id="0">Megan Bowen</at> for the recap!</p>' },
      mentions: [
        { id: 0, mentionText: "Megan Bowen", mentioned: { user: { id: MEGAN.id, userIdentityType: "aadUser" } } },
      ],
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as ChatMessage;
    expect(created).toMatchObject({
      subject: "Launch recap",
      importance: "high",
      replyToId: null,
      from: { user: { id: ADELE.id, displayName: "Adele Vance" } },
      mentions: [
        { id: 0, mentionText: "Megan Bowen", mentioned: { user: { id: MEGAN.id, displayName: "Megan Bowen" } } },
      ],
    });
    expect(created.id).toMatch(/^\d{13}$/);
    expect(created.webUrl).toContain(`/${created.id}?groupId=${marketing.id}`);

    const megansView = await get<Page<ChatMessage>>(MEGAN.mail, path);
    expect(megansView.value[0]).toMatchObject({ id: created.id, body: created.body });

    const reply = await post(MEGAN.mail, `${path}/${created.id}/replies`, { body: { content: "You're welcome" } });
    expect(reply.status).toBe(201);
    const replied = (await reply.json()) as ChatMessage;
    expect(replied).toMatchObject({ replyToId: created.id, body: { contentType: "text", content: "You're welcome" } });
    const thread = await get<ChatMessage>(ADELE.mail, `${path}/${created.id}?$expand=replies`);
    expect(thread.replies!.map((message) => message.id)).toEqual([replied.id]);
  });

  it("validates new messages like Graph: body content, mention markers, mentions in text", async () => {
    const marketing = await teamNamed(ADELE.mail, "Contoso Marketing");
    const general = await channelNamed(ADELE.mail, marketing.id!, "General");
    const path = messagesPath(marketing.id!, general.id!);
    expect(await errorOf(await post(ADELE.mail, path, { body: { contentType: "text", content: "  " } }))).toMatchObject(
      {
        status: 400,
        message: "Missing body content",
      },
    );
    const noMarker = await errorOf(
      await post(ADELE.mail, path, {
        body: { contentType: "html", content: "Hello Megan" },
        mentions: [{ id: 0, mentionText: "Megan Bowen", mentioned: { user: { id: MEGAN.id } } }],
      }),
    );
    expect(noMarker.status).toBe(400);
    expect(noMarker.message).toContain("contains marker for mention with Id '0'");
    const inText = await post(ADELE.mail, path, {
      body: { contentType: "text", content: '<at id="0">Megan Bowen</at>' },
      mentions: [{ id: 0, mentionText: "Megan Bowen", mentioned: { user: { id: MEGAN.id } } }],
    });
    expect(inText.status).toBe(400);
    expect((await post(ADELE.mail, path, { body: { content: "x" }, importance: "extreme" })).status).toBe(400);

    const stray = await post(ADELE.mail, path, {
      body: { contentType: "html", content: 'Hi <at id="3">Nobody</at>!' },
    });
    expect(stray.status).toBe(201);
    expect(((await stray.json()) as ChatMessage).body!.content).toBe("Hi Nobody!");
  });

  it("needs ChannelMessage.Read.All to read and ChannelMessage.Send to post", async () => {
    const basic = (await signIn(emulator.url, ADELE.mail, "openid User.Read Team.ReadBasic.All Channel.ReadBasic.All"))
      .access_token;
    const teams = await graphJson<Page<Team>>(emulator.url, basic, "/me/joinedTeams");
    const team = teams.value[0]!;
    const channels = await graphJson<Page<Channel>>(emulator.url, basic, `/teams/${team.id}/channels`);
    const path = messagesPath(team.id!, channels.value[0]!.id!);
    expect((await graph(emulator.url, basic, path)).status).toBe(403);
    expect((await postJson(emulator.url, basic, path, { body: { content: "x" } })).status).toBe(403);
  });
});

describe("chats", () => {
  it("lists the user's chats with members, newest activity first", async () => {
    const chats = await get<Page<ChatWithMembers>>(ADELE.mail, "/me/chats?$expand=members");
    expect(chats.value.map((chat) => chat.chatType).sort()).toEqual([
      "group",
      "group",
      "meeting",
      "meeting",
      "oneOnOne",
      "oneOnOne",
    ]);
    expect(chats.value.every((chat) => chat.members.some((member) => member.userId === ADELE.id))).toBe(true);
    const crew = chats.value.find((chat) => chat.topic === "Launch crew")!;
    expect(crew.members.map((member) => member.displayName).sort()).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Megan Bowen",
    ]);
    const oneOnOne = chats.value.find((chat) => chat.chatType === "oneOnOne")!;
    expect(oneOnOne.id).toMatch(/^19:.+@unq\.gbl\.spaces$/);
    expect(oneOnOne.topic).toBeNull();

    const withMegan = chats.value.find(
      (chat) => chat.chatType === "oneOnOne" && chat.members.some((member) => member.userId === MEGAN.id),
    )!;
    const alexs = await get<Page<Chat>>(ALEX.mail, "/me/chats");
    expect(alexs.value).toHaveLength(5);
    expect(alexs.value.map((chat) => chat.id)).not.toContain(withMegan.id);
    const paged = await get<Page<Chat>>(ADELE.mail, "/me/chats?$top=2");
    expect(paged.value).toHaveLength(2);
    expect(paged["@odata.nextLink"]).toBeDefined();
    const filtered = await get<Page<Chat>>(ADELE.mail, "/me/chats?$filter=chatType eq 'oneOnOne'");
    expect(filtered.value.map((chat) => chat.chatType)).toEqual(["oneOnOne", "oneOnOne"]);
  });

  it("expands at most 25 members of a chat, as Graph does; the members endpoint lists all", async () => {
    const chats = await get<Page<ChatWithMembers>>(ADELE.mail, "/me/chats?$expand=members");
    const offsite = chats.value.find((chat) => chat.topic === "Company offsite 2027")!;
    expect(offsite.members).toHaveLength(25);
    const all = await get<Page<ChatWithMembers["members"][number]>>(
      ADELE.mail,
      `/chats/${encodeURIComponent(offsite.id!)}/members`,
    );
    expect(all.value).toHaveLength(29);
    expect(all.value.find((member) => member.displayName === "Hannah Weber")).toMatchObject({
      email: "hannah@contoso.example",
    });
  });

  it("lists chat messages newest first with paging, refuses ascending order and non-members", async () => {
    const chats = await get<Page<ChatWithMembers>>(ADELE.mail, "/me/chats?$expand=members");
    const withMegan = chats.value.find(
      (chat) => chat.chatType === "oneOnOne" && chat.members.some((member) => member.userId === MEGAN.id),
    )!;
    const path = `/chats/${encodeURIComponent(withMegan.id!)}/messages`;
    const first = await get<Page<ChatMessage>>(ADELE.mail, `${path}?$top=10&$orderby=createdDateTime desc`);
    expect(first.value).toHaveLength(10);
    expect(isNewestFirst(first.value)).toBe(true);
    expect(first.value.every((message) => message.chatId === withMegan.id)).toBe(true);
    const second = await get<Page<ChatMessage>>(ADELE.mail, first["@odata.nextLink"]!);
    expect(second.value).toHaveLength(10);
    expect(Date.parse(second.value[0]!.createdDateTime!)).toBeLessThanOrEqual(
      Date.parse(first.value[9]!.createdDateTime!),
    );
    expect((await failing(ADELE.mail, `${path}?$orderby=createdDateTime asc`)).status).toBe(400);
    expect((await failing(ADELE.mail, `${path}?$top=60`)).status).toBe(400);
    expect(await failing(ALEX.mail, path)).toMatchObject({ status: 403, code: "Forbidden" });
    expect((await failing(ADELE.mail, "/chats/19:missing@thread.v2/messages")).status).toBe(404);
  });

  it("posts a chat message (201) that the other member reads", async () => {
    const chats = await get<Page<ChatWithMembers>>(ADELE.mail, "/me/chats?$expand=members");
    const withAlex = chats.value.find(
      (chat) => chat.chatType === "oneOnOne" && chat.members.some((member) => member.userId === ALEX.id),
    )!;
    const path = `/chats/${encodeURIComponent(withAlex.id!)}/messages`;
    const response = await post(ADELE.mail, path, { body: { contentType: "html", content: "<b>Ship it</b>" } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as ChatMessage;
    expect(created).toMatchObject({ chatId: withAlex.id, from: { user: { id: ADELE.id } } });
    const alexs = await get<Page<ChatMessage>>(ALEX.mail, path);
    expect(alexs.value[0]).toMatchObject({ id: created.id, body: { content: "<b>Ship it</b>" } });
    const listed = await get<Page<Chat & { lastMessagePreview: { id: string } }>>(
      ALEX.mail,
      "/me/chats?$expand=lastMessagePreview",
    );
    expect(listed.value[0]).toMatchObject({ id: withAlex.id, lastMessagePreview: { id: created.id } });
    expect((await post(MEGAN.mail, path, { body: { content: "intruding" } })).status).toBe(403);
  });
});

describe("online meetings", () => {
  it("creates a meeting with a join link and a meeting chat for its attendees", async () => {
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const end = new Date(Date.now() + 86_400_000 + 1_800_000).toISOString();
    const response = await post(ADELE.mail, "/me/onlineMeetings", {
      subject: "Pricing sync",
      startDateTime: start,
      endDateTime: end,
      participants: { attendees: [{ upn: MEGAN.mail }, { upn: "nestor.wilke@fabrikam.example" }] },
    });
    expect(response.status).toBe(201);
    const meeting = (await response.json()) as OnlineMeeting;
    expect(meeting.joinWebUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3Ameeting_/);
    expect(meeting).toMatchObject({ subject: "Pricing sync", startDateTime: start, endDateTime: end });
    expect(meeting.participants?.attendees?.map((attendee) => attendee.upn)).toEqual([
      MEGAN.mail,
      "nestor.wilke@fabrikam.example",
    ]);
    expect(await get<OnlineMeeting>(ADELE.mail, `/me/onlineMeetings/${meeting.id}`)).toMatchObject({
      joinWebUrl: meeting.joinWebUrl,
    });
    expect((await failing(MEGAN.mail, `/me/onlineMeetings/${meeting.id}`)).status).toBe(404);
    const megansChats = await get<Page<Chat>>(MEGAN.mail, "/me/chats");
    expect(megansChats.value.find((chat) => chat.id === meeting.chatInfo?.threadId)).toMatchObject({
      chatType: "meeting",
      topic: "Pricing sync",
    });
  });

  it("refuses an end before the start, and callers without OnlineMeetings.ReadWrite", async () => {
    const backwards = await post(ADELE.mail, "/me/onlineMeetings", {
      startDateTime: "2030-01-01T10:00:00Z",
      endDateTime: "2030-01-01T09:00:00Z",
    });
    expect(await errorOf(backwards)).toMatchObject({ status: 400, code: "BadRequest" });
    const token = (await signIn(emulator.url, ADELE.mail, "openid User.Read")).access_token;
    expect((await postJson(emulator.url, token, "/me/onlineMeetings", { subject: "x" })).status).toBe(403);
  });

  it("forgets written messages and meetings on reset", async () => {
    const chats = await get<Page<Chat>>(ADELE.mail, "/me/chats");
    const before = chats.value.length;
    await post(ADELE.mail, "/me/onlineMeetings", { subject: "Temporary" });
    expect((await get<Page<Chat>>(ADELE.mail, "/me/chats")).value).toHaveLength(before + 1);
    await control(emulator.url, "reset", {});
    delete tokens[ADELE.mail];
    expect((await get<Page<Chat>>(ADELE.mail, "/me/chats")).value).toHaveLength(before);
  });
});
