/** Reading Teams: teams, channels, channel posts and replies, chats and their messages. */
import type { Channel, Chat, ChatMessage, ConversationMember, Team } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip, plural, shortDateTime } from "../shared/format.ts";
import { moreLine, nextCursorOutput, type GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { messageListOutput, messageText, renderMessages, senderOf, summarize } from "./format.ts";
import {
  asMember,
  channelIdInput,
  channelSegment,
  chatIdInput,
  chatSegment,
  countInput,
  cursorInput,
  messageSegment,
  teamIdInput,
  teamSegment,
} from "./inputs.ts";

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
      const page: GraphPage<Team> = await graph.get<GraphPage<Team>>(next);
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
      graph.get<GraphPage<Channel>>(`/teams/${teamSegment(teamId)}/channels`, {
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
        graph.get<GraphPage<ChatMessage>>(cursor ?? path, { query: cursor ? undefined : { $top: count } }),
      );
      const messages = page.value.map((reply) => summarize(reply, 600));
      const next = page["@odata.nextLink"];
      return {
        text: renderMessages(`Replies to ${messageId}`, messages, new Map(), next),
        structured: { messages, ...(next ? { nextCursor: next } : {}) },
      };
    }
    const page = await asMember("team", () =>
      graph.get<GraphPage<ChatMessage>>(cursor ?? base, {
        query: cursor ? undefined : { $top: count, $expand: "replies" },
      }),
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

const CHAT_TYPES: Record<string, string> = { oneOnOne: "1:1", group: "group", meeting: "meeting" };

/** Graph's known issue: listing chats with $expand=members returns at most 25 members of each. */
const EXPANDED_MEMBERS_LIMIT = 25;
/** Names shown in the text for a chat whose member list Graph cut. */
const NAMES_OF_CUT_LISTS = 5;

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
        membersCut: z.boolean().optional().describe("True when Graph may have left members out (it lists 25 at most)"),
        updatedAt: z.string(),
      }),
    ),
    nextCursor: nextCursorOutput(),
  },
  scopes: ["Chat.ReadBasic"],
  access: "read",
  cacheKind: "teams",
  async run({ count, cursor }, { graph, account }) {
    const [page, me] = await Promise.all([
      graph.get<GraphPage<Chat>>(cursor ?? "/me/chats", {
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
        ...(members.length >= EXPANDED_MEMBERS_LIMIT ? { membersCut: true } : {}),
        updatedAt: shortDateTime(chat.lastUpdatedDateTime),
      };
    });
    const next = page["@odata.nextLink"];
    const lines = chats.length ? [`${plural(chats.length, "chat")}, most recent first:`] : ["No chats."];
    chats.forEach((chat, index) => {
      const who =
        chat.type === "1:1" || !chat.members.length
          ? ""
          : chat.membersCut
            ? ` (${chat.members.slice(0, NAMES_OF_CUT_LISTS).join(", ")} and others: ${EXPANDED_MEMBERS_LIMIT} or more members; Graph lists no more than ${EXPANDED_MEMBERS_LIMIT} here)`
            : ` (${chat.members.join(", ")})`;
      lines.push(`${index + 1}. [${chat.type}] ${chat.title}${who} | updated ${chat.updatedAt}`, `   id: ${chat.id}`);
    });
    lines.push(...moreLine(next));
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
      graph.get<GraphPage<ChatMessage>>(cursor ?? path, {
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
