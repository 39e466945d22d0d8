import type {
  Channel,
  Chat,
  ChatMessage,
  ChatMessageMention,
  ConversationMember,
  OnlineMeeting,
  Team,
  User,
} from "@microsoft/microsoft-graph-types";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { GraphError, ToolError } from "../graph/errors.ts";
import { defineTool, type ToolContext } from "./spec.ts";
import { clip, shortDateTime } from "./format.ts";

// ---------------------------------------------------------------------------
// Shared inputs and outputs

const countInput = z.number().int().min(1).max(50).default(20).describe("Page size");
const cursorInput = z.string().optional().describe("nextCursor of the previous call");
const nextCursorOutput = z.string().optional().describe("Pass as `cursor` to get the next page");
const teamIdInput = z.string().min(1).max(100).describe("Team id from listTeams");
const channelIdInput = z.string().min(1).max(200).describe("Channel id from listChannels");
const chatIdInput = z.string().min(1).max(200).describe("Chat id from listChats");
const messageInput = z.string().trim().min(1).max(28_000).describe("Message text");
const contentTypeInput = z.enum(["text", "html"]).default("text").describe("Format of message");
const mentionsInput = z
  .array(z.string().min(1).max(320))
  .max(20)
  .optional()
  .describe("Emails or user ids to @mention; put @Name where each goes");

const messageOutput = z.object({
  id: z.string(),
  from: z.string(),
  sentAt: z.string(),
  subject: z.string().optional(),
  text: z.string(),
  replies: z.number().optional(),
});
type MessageSummary = z.infer<typeof messageOutput>;

const messageListOutput = { messages: z.array(messageOutput), nextCursor: nextCursorOutput };

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Teams thread ids: "19:...@thread.tacv2", "19:meeting_...@thread.v2", "19:{id}_{id}@unq.gbl.spaces". */
const THREAD_ID = /^19:[\w.@=-]+$/;
/** Channel and chat message ids are numbers (creation times in ms). */
const MESSAGE_ID = /^\d{1,20}$/;

/** `value` as a path segment, after checking it looks like what `field` takes: nothing else reaches the path. */
function segment(value: string, field: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) {
    throw new ToolError("invalid_input", `${field}: "${clip(value, 60)}" is not ${expected}.`);
  }
  return encodeURIComponent(value);
}

const teamSegment = (id: string) => segment(id, "teamId", GUID, "a team id (a GUID from listTeams)");
const channelSegment = (id: string) =>
  segment(id, "channelId", THREAD_ID, 'a channel id ("19:...", from listChannels)');
const chatSegment = (id: string) => segment(id, "chatId", THREAD_ID, 'a chat id ("19:...", from listChats)');
const messageSegment = (id: string) => segment(id, "messageId", MESSAGE_ID, "a message id (digits, from a listing)");

/**
 * Teams answers 403 both for a missing permission and for a team, channel or
 * chat the user is not a member of; the second is the likely one when the
 * sign-in has the permission, and deserves its own explanation.
 */
async function asMember<T>(what: "team" | "chat", call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (
      error instanceof GraphError &&
      error.status === 403 &&
      !["ErrorAccessDenied", "Authorization_RequestDenied"].includes(error.graphCode) &&
      !/missing role|permission grant|scope/i.test(error.message)
    ) {
      throw new ToolError(
        "forbidden",
        what === "team"
          ? "Microsoft Teams denied access: the signed-in user is not a member of this team or private channel. listTeams and listChannels show the ones you can use."
          : "Microsoft Teams denied access: the signed-in user is not a member of this chat. listChats shows your chats.",
      );
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Message bodies

const ENTITIES: Record<string, string> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (!name.startsWith("#")) return ENTITIES[name.toLowerCase()] ?? entity;
    const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A Teams message body as plain text: HTML stripped, mentions as @Name, images and cards as placeholders. */
export function messageText(message: ChatMessage): string {
  if (message.deletedDateTime) return "[deleted]";
  if (message.messageType && message.messageType !== "message") return "[system event]";
  const content = message.body?.content ?? "";
  const attachments = (message.attachments ?? []).map(
    (file) => `[attachment: ${file.name ?? file.contentType ?? "file"}]`,
  );
  const text =
    message.body?.contentType === "html"
      ? decodeEntities(
          content
            .replace(/<at\b[^>]*>([\s\S]*?)<\/at>/gi, (_whole, name: string) => `@${name.replace(/<[^>]+>/g, "")}`)
            .replace(/<attachment\b[^>]*>\s*<\/attachment>/gi, "")
            .replace(/<img\b[^>]*>/gi, "[image]")
            .replace(/<br\s*\/?>/gi, "\n")
            .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, "\n")
            .replace(/<[^>]+>/g, ""),
        )
      : content;
  return [text.trim(), ...attachments].filter(Boolean).join(" ");
}

function senderOf(message: ChatMessage): string {
  const from = message.from;
  return from?.user?.displayName ?? from?.application?.displayName ?? from?.device?.displayName ?? "unknown sender";
}

function summarize(message: ChatMessage, maxChars: number): MessageSummary {
  return {
    id: message.id ?? "",
    from: senderOf(message),
    sentAt: shortDateTime(message.createdDateTime),
    ...(message.subject ? { subject: message.subject } : {}),
    text: clip(messageText(message), maxChars),
  };
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

function renderMessages(
  heading: string,
  messages: MessageSummary[],
  extra: Map<string, string>,
  next?: string,
): string {
  if (messages.length === 0) return `${heading}: no messages.`;
  const lines = [`${heading}: ${plural(messages.length, "message")}, newest first.`];
  messages.forEach((message, index) => {
    lines.push(
      `${index + 1}. ${message.sentAt} | ${message.from}${message.subject ? ` | ${message.subject}` : ""}`,
      `   ${message.text}`,
    );
    const more = extra.get(message.id);
    if (more) lines.push(`   ${more}`);
    lines.push(`   id: ${message.id}`);
  });
  if (next) lines.push(`More: call again with cursor "${next}".`);
  return lines.join("\n");
}

interface ResolvedMention {
  id: string;
  displayName: string;
  written: string;
}

/** Looks each person up in the directory (their id and the name Teams shows). */
async function resolveMentions(people: readonly string[], context: ToolContext): Promise<ResolvedMention[]> {
  return Promise.all(
    people.map(async (person) => {
      const written = person.trim();
      if (!GUID.test(written) && !z.email().safeParse(written).success) {
        throw new ToolError(
          "invalid_input",
          `mentions: "${clip(written, 60)}" is neither an email address nor a user id.`,
        );
      }
      try {
        const user = await context.graph.get<User>(`/users/${encodeURIComponent(written)}`, {
          query: { $select: "id,displayName" },
        });
        return { id: user.id ?? written, displayName: user.displayName ?? written, written };
      } catch (error) {
        if (error instanceof GraphError && error.status === 404) {
          throw new ToolError("invalid_input", `mentions: no user "${written}" in the directory.`);
        }
        throw error;
      }
    }),
  );
}

/**
 * The chatMessage to post. Mentions need an HTML body with an `<at id="N">`
 * marker per person: `@Name` or `@email` in the message becomes the marker,
 * and people the message does not name are mentioned at its start.
 */
function outgoingMessage(
  message: string,
  contentType: "text" | "html",
  mentions: readonly ResolvedMention[],
): Pick<ChatMessage, "body" | "mentions"> {
  if (mentions.length === 0) return { body: { contentType, content: message }, mentions: [] };
  let content = contentType === "html" ? message : escapeHtml(message).replace(/\r?\n/g, "<br>");
  const leading: string[] = [];
  const entries: ChatMessageMention[] = mentions.map((person, index) => {
    const marker = `<at id="${index}">${escapeHtml(person.displayName)}</at>`;
    const names = [person.written, person.displayName].map((name) => `@${escapeHtml(name)}`);
    const at = names
      .map((name) => content.toLowerCase().indexOf(name.toLowerCase()))
      .map((position, which) => ({ position, length: names[which]!.length }))
      .find((candidate) => candidate.position >= 0);
    if (at) content = content.slice(0, at.position) + marker + content.slice(at.position + at.length);
    else leading.push(marker);
    return {
      id: index,
      mentionText: person.displayName,
      mentioned: { user: { id: person.id, displayName: person.displayName, userIdentityType: "aadUser" } },
    } as ChatMessageMention;
  });
  if (leading.length > 0) content = `${leading.join(" ")} ${content}`;
  return { body: { contentType: "html", content }, mentions: entries };
}

function mentionNote(mentions: readonly ResolvedMention[]): string {
  return mentions.length ? `, mentioning ${mentions.map((person) => person.displayName).join(", ")}` : "";
}

// ---------------------------------------------------------------------------
// Teams and channels

export const listTeams = defineTool({
  name: "listTeams",
  title: "List my teams",
  description: "List the Microsoft Teams teams the user is a member of, with ids for listChannels.",
  input: {},
  output: { teams: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })) },
  scopes: ["Team.ReadBasic.All"],
  access: "read",
  cacheKind: "teams",
  async run(_args, { graph }) {
    // joinedTeams takes no query options, and pages rarely: follow every page.
    const teams: Team[] = [];
    let next: string | undefined = "/me/joinedTeams";
    while (next) {
      const page: Page<Team> = await graph.get<Page<Team>>(next);
      teams.push(...page.value);
      next = page["@odata.nextLink"];
    }
    const summaries = teams.map((team) => ({
      id: team.id ?? "",
      name: team.displayName ?? "(unnamed team)",
      description: clip(team.description, 160),
    }));
    const lines = summaries.length
      ? [
          `${plural(summaries.length, "team")}:`,
          ...summaries.map((team) => `- ${team.name}: ${team.description} (id: ${team.id})`),
        ]
      : ["You are not a member of any team."];
    return { text: lines.join("\n"), structured: { teams: summaries } };
  },
});

export const listChannels = defineTool({
  name: "listChannels",
  title: "List channels of a team",
  description: "List the channels of a team the user can see, with ids for getChannelMessages.",
  input: { teamId: teamIdInput },
  output: {
    channels: z.array(
      z.object({ id: z.string(), name: z.string(), description: z.string(), membershipType: z.string() }),
    ),
  },
  scopes: ["Channel.ReadBasic.All"],
  access: "read",
  cacheKind: "teams",
  async run({ teamId }, { graph }) {
    const page = await asMember("team", () =>
      graph.get<Page<Channel>>(`/teams/${teamSegment(teamId)}/channels`, {
        query: { $select: "id,displayName,description,membershipType" },
      }),
    );
    const channels = page.value.map((channel) => ({
      id: channel.id ?? "",
      name: channel.displayName ?? "",
      description: clip(channel.description, 160),
      membershipType: channel.membershipType ?? "standard",
    }));
    const lines = [
      `${plural(channels.length, "channel")}:`,
      ...channels.map(
        (channel) =>
          `- ${channel.name}${channel.membershipType === "standard" ? "" : ` [${channel.membershipType}]`}${channel.description ? `: ${channel.description}` : ""} (id: ${channel.id})`,
      ),
    ];
    return { text: lines.join("\n"), structured: { channels } };
  },
});

export const getChannelMessages = defineTool({
  name: "getChannelMessages",
  title: "Read channel messages",
  description:
    "Read a Teams channel's latest posts with reply counts and latest reply, or with messageId one thread's replies.",
  input: {
    teamId: teamIdInput,
    channelId: channelIdInput,
    messageId: z.string().optional().describe("A post id: list its replies instead"),
    count: countInput,
    cursor: cursorInput,
  },
  output: messageListOutput,
  scopes: ["ChannelMessage.Read.All"],
  access: "read",
  cacheKind: "teams",
  async run({ teamId, channelId, messageId, count, cursor }, { graph }) {
    const base = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages`;
    if (messageId !== undefined) {
      const path = `${base}/${messageSegment(messageId)}/replies`;
      const page = await asMember("team", () =>
        graph.get<Page<ChatMessage>>(cursor ?? path, { query: cursor ? undefined : { $top: count } }),
      );
      const messages = page.value.map((reply) => summarize(reply, 600));
      const next = page["@odata.nextLink"];
      return {
        text: renderMessages(`Replies to ${messageId}`, messages, new Map(), next),
        structured: { messages, ...(next ? { nextCursor: next } : {}) },
      };
    }
    const page = await asMember("team", () =>
      graph.get<Page<ChatMessage>>(cursor ?? base, { query: cursor ? undefined : { $top: count, $expand: "replies" } }),
    );
    const latestReplies = new Map<string, string>();
    const messages = page.value.map((post) => {
      const replies = post.replies ?? [];
      const latest = [...replies].sort(
        (a, b) => Date.parse(b.createdDateTime ?? "") - Date.parse(a.createdDateTime ?? ""),
      )[0];
      if (latest) {
        latestReplies.set(
          post.id ?? "",
          `${plural(replies.length, "reply", "replies")}; latest ${shortDateTime(latest.createdDateTime)} ${senderOf(latest)}: ${clip(messageText(latest), 160)}`,
        );
      }
      return { ...summarize(post, 400), replies: replies.length };
    });
    const next = page["@odata.nextLink"];
    return {
      text: renderMessages("Channel posts", messages, latestReplies, next),
      structured: { messages, ...(next ? { nextCursor: next } : {}) },
    };
  },
});

export const sendTeamsMessage = defineTool({
  name: "sendTeamsMessage",
  title: "Post in a Teams channel",
  description:
    "Post a new message in a Teams channel as the user. To answer a post, use replyToChannelMessage. Confirm first.",
  input: {
    teamId: teamIdInput,
    channelId: channelIdInput,
    message: messageInput,
    contentType: contentTypeInput,
    subject: z.string().max(255).optional().describe("Post subject"),
    mentions: mentionsInput,
    importance: z.enum(["normal", "high", "urgent"]).default("normal").describe("Importance"),
  },
  scopes: ["ChannelMessage.Send", "User.ReadBasic.All"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ teamId, channelId, message, contentType, subject, mentions, importance }, context) {
    const path = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages`;
    const people = await resolveMentions(mentions ?? [], context);
    const created = await asMember("team", () =>
      context.graph.post<ChatMessage>(path, {
        ...outgoingMessage(message, contentType, people),
        ...(subject ? { subject } : {}),
        importance,
      }),
    );
    return { text: `Posted message ${created.id}${mentionNote(people)}. Link: ${created.webUrl ?? "(none)"}` };
  },
});

export const replyToChannelMessage = defineTool({
  name: "replyToChannelMessage",
  title: "Reply in a channel thread",
  description: "Reply in the thread of a Teams channel post as the user. Confirm first.",
  input: {
    teamId: teamIdInput,
    channelId: channelIdInput,
    messageId: z.string().min(1).describe("Id of the post to reply to"),
    message: messageInput,
    contentType: contentTypeInput,
    mentions: mentionsInput,
  },
  scopes: ["ChannelMessage.Send", "User.ReadBasic.All"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ teamId, channelId, messageId, message, contentType, mentions }, context) {
    const path = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages/${messageSegment(messageId)}/replies`;
    const people = await resolveMentions(mentions ?? [], context);
    const created = await asMember("team", () =>
      context.graph.post<ChatMessage>(path, outgoingMessage(message, contentType, people)),
    );
    return {
      text: `Replied to ${messageId} with message ${created.id}${mentionNote(people)}. Link: ${created.webUrl ?? "(none)"}`,
    };
  },
});

// ---------------------------------------------------------------------------
// Chats

const CHAT_TYPES: Record<string, string> = { oneOnOne: "1:1", group: "group", meeting: "meeting" };

export const listChats = defineTool({
  name: "listChats",
  title: "List my chats",
  description: "List the user's Teams chats (1:1, group, meeting) with topic or members, most recent first.",
  input: { count: countInput, cursor: cursorInput },
  output: {
    chats: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        title: z.string(),
        members: z.array(z.string()),
        updatedAt: z.string(),
      }),
    ),
    nextCursor: nextCursorOutput,
  },
  scopes: ["Chat.ReadBasic"],
  access: "read",
  cacheKind: "teams",
  async run({ count, cursor }, { graph, account }) {
    const [page, me] = await Promise.all([
      graph.get<Page<Chat>>(cursor ?? "/me/chats", {
        query: cursor
          ? undefined
          : { $expand: "members", $top: count, $orderby: "lastMessagePreview/createdDateTime desc" },
      }),
      account(),
    ]);
    const chats = page.value.map((chat) => {
      const members = (chat.members ?? []) as (ConversationMember & { userId?: string; email?: string })[];
      const others = members
        .filter((member) => member.userId !== me.objectId)
        .map((member) => member.displayName ?? "");
      const names = members.map((member) => member.displayName ?? "").filter(Boolean);
      return {
        id: chat.id ?? "",
        type: CHAT_TYPES[chat.chatType ?? ""] ?? chat.chatType ?? "chat",
        title: chat.topic || others.filter(Boolean).join(", ") || "(no topic)",
        members: names,
        updatedAt: shortDateTime(chat.lastUpdatedDateTime),
      };
    });
    const next = page["@odata.nextLink"];
    const lines = chats.length ? [`${plural(chats.length, "chat")}, most recent first:`] : ["No chats."];
    chats.forEach((chat, index) => {
      const who = chat.type === "1:1" || !chat.members.length ? "" : ` (${chat.members.join(", ")})`;
      lines.push(`${index + 1}. [${chat.type}] ${chat.title}${who} | updated ${chat.updatedAt}`, `   id: ${chat.id}`);
    });
    if (next) lines.push(`More: call again with cursor "${next}".`);
    return { text: lines.join("\n"), structured: { chats, ...(next ? { nextCursor: next } : {}) } };
  },
});

export const getChatMessages = defineTool({
  name: "getChatMessages",
  title: "Read chat messages",
  description: "Read the latest messages of a Teams chat, newest first.",
  input: { chatId: chatIdInput, count: countInput, cursor: cursorInput },
  output: messageListOutput,
  scopes: ["Chat.Read"],
  access: "read",
  cacheKind: "teams",
  async run({ chatId, count, cursor }, { graph }) {
    const path = `/chats/${chatSegment(chatId)}/messages`;
    const page = await asMember("chat", () =>
      graph.get<Page<ChatMessage>>(cursor ?? path, {
        query: cursor ? undefined : { $top: count, $orderby: "createdDateTime desc" },
      }),
    );
    const messages = page.value.map((message) => summarize(message, 600));
    const next = page["@odata.nextLink"];
    return {
      text: renderMessages("Chat", messages, new Map(), next),
      structured: { messages, ...(next ? { nextCursor: next } : {}) },
    };
  },
});

export const sendChatMessage = defineTool({
  name: "sendChatMessage",
  title: "Send a chat message",
  description: "Send a message in an existing Teams chat (from listChats) as the user. Confirm first.",
  input: { chatId: chatIdInput, message: messageInput, contentType: contentTypeInput },
  scopes: ["ChatMessage.Send"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ chatId, message, contentType }, { graph }) {
    const path = `/chats/${chatSegment(chatId)}/messages`;
    const created = await asMember("chat", () =>
      graph.post<ChatMessage>(path, { body: { contentType, content: message } }),
    );
    return { text: `Sent message ${created.id} in chat ${chatId}.` };
  },
});

// ---------------------------------------------------------------------------
// Meetings

const dateTimeInput = z.iso.datetime({ offset: true });

export const createTeamsMeeting = defineTool({
  name: "createTeamsMeeting",
  title: "Create a Teams meeting link",
  description:
    "Create a Teams meeting and return its join link to share. Sends no invitation: to invite people use createCalendarEvent with isOnlineMeeting.",
  input: {
    subject: z.string().trim().min(1).max(255).describe("Meeting subject"),
    start: dateTimeInput.describe("Start, ISO 8601 with offset"),
    end: dateTimeInput.describe("End, ISO 8601 with offset"),
    attendees: z.array(z.email()).max(50).optional().describe("Attendee emails"),
  },
  scopes: ["OnlineMeetings.ReadWrite"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ subject, start, end, attendees }, { graph }) {
    if (Date.parse(end) <= Date.parse(start)) {
      throw new ToolError("invalid_input", "end: must be after start.");
    }
    const meeting = await graph.post<OnlineMeeting>("/me/onlineMeetings", {
      subject,
      startDateTime: start,
      endDateTime: end,
      ...(attendees?.length
        ? { participants: { attendees: attendees.map((upn) => ({ upn, role: "attendee" })) } }
        : {}),
    });
    return {
      text: [
        `Created Teams meeting "${subject}", ${shortDateTime(meeting.startDateTime)} to ${shortDateTime(meeting.endDateTime)} (id: ${meeting.id}).`,
        `Join link: ${meeting.joinWebUrl}`,
        attendees?.length
          ? `Attendees listed: ${attendees.join(", ")}. No invitation was sent: share the link.`
          : "No invitation was sent: share the link.",
      ].join("\n"),
    };
  },
});

export const teamsTools = [
  listTeams,
  listChannels,
  getChannelMessages,
  sendTeamsMessage,
  replyToChannelMessage,
  listChats,
  getChatMessages,
  sendChatMessage,
  createTeamsMeeting,
];

// ---------------------------------------------------------------------------
// Resource

/** Teams and channels change rarely; five minutes of staleness is harmless. */
const TEAMS_RESOURCE_CACHE_SECONDS = 300;

/** `microsoft://teams`: the user's teams with their channels, as JSON. */
export function registerTeamsResources(server: McpServer, context: () => ToolContext): void {
  server.registerResource(
    "teams",
    "microsoft://teams",
    {
      title: "My Microsoft Teams",
      description:
        "The teams the signed-in user belongs to, each with the channels they can see (ids for the Teams tools)",
      mimeType: "application/json",
    },
    async (uri) => {
      const { graph, cache } = context();
      const teams = await cache.read("teams-resource", TEAMS_RESOURCE_CACHE_SECONDS, async () => {
        const joined = await graph.get<Page<Team>>("/me/joinedTeams");
        return Promise.all(
          joined.value.map(async (team) => {
            const channels = await graph.get<Page<Channel>>(`/teams/${teamSegment(team.id ?? "")}/channels`, {
              query: { $select: "id,displayName,description,membershipType" },
            });
            return {
              id: team.id,
              name: team.displayName,
              description: team.description ?? "",
              channels: channels.value.map((channel) => ({
                id: channel.id,
                name: channel.displayName,
                description: channel.description ?? "",
                membershipType: channel.membershipType,
              })),
            };
          }),
        );
      });
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ teams }) }] };
    },
  );
}
