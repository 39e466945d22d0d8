/** Posting in Teams as the user: channel posts and replies (with @mentions), chat messages, meeting links. */
import type { ChatMessage, ChatMessageMention, OnlineMeeting } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { clip, shortDateTime } from "../shared/format.ts";
import { findDirectoryUser } from "../shared/directory-user.ts";
import { escapeHtml, readableBody } from "../shared/html.ts";
import { isId } from "../shared/ids.ts";
import { createdSince, readForCheck } from "../shared/once-marker.ts";
import { defineTool, scopesWith, type OnceMarker, type ToolContext } from "../spec.ts";
import {
  asMember,
  channelIdInput,
  channelSegment,
  chatIdInput,
  chatSegment,
  contentTypeInput,
  mentionsInput,
  messageInput,
  messageSegment,
  teamIdInput,
  teamSegment,
} from "./inputs.ts";

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
      if (!isId("guid", written) && !z.email().safeParse(written).success) {
        throw new ToolError(
          "invalid_input",
          `mentions: "${clip(written, 60)}" is neither an email address nor a user id.`,
        );
      }
      // By address through the directory: /users/{x} takes an id or UPN, which a mail address may not be.
      const user = await findDirectoryUser(context.graph, written, "id,displayName", { aliases: false });
      if (!user) throw new ToolError("invalid_input", `mentions: no user "${written}" in the directory.`);
      return { id: user.id ?? written, displayName: user.displayName ?? written, written };
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

/**
 * An earlier attempt's message among `messages` (the newest of a channel,
 * thread or chat): posted by the signed-in user since the key was claimed,
 * with the same text. Teams messages carry no marker, so this is how one is
 * recognized.
 */
async function postedEarlier(
  context: ToolContext & { once: OnceMarker },
  list: () => Promise<{ value: ChatMessage[] }>,
  sent: Pick<ChatMessage, "body">,
  readScope: string,
): Promise<ChatMessage | undefined> {
  const me = (await context.account()).objectId;
  const page = await readForCheck(list, readScope);
  const text = readableBody(sent.body);
  return page.value.find(
    (message) =>
      message.from?.user?.id === me &&
      createdSince(message.createdDateTime, context.once) &&
      readableBody(message.body) === text,
  );
}

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
    importance: z.enum(["normal", "high", "urgent"]).default("normal"),
  },
  ...scopesWith(["ChannelMessage.Send"], { mentions: ["User.ReadBasic.All"] }),
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
    return { text: postedText(created, people) };
  },
  async reconcile({ teamId, channelId, message, contentType, mentions }, context) {
    const path = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages`;
    const people = await resolveMentions(mentions ?? [], context);
    const found = await postedEarlier(
      context,
      () => context.graph.get(path, { query: { $top: 20 } }),
      outgoingMessage(message, contentType, people),
      "ChannelMessage.Read.All",
    );
    return found && { text: postedText(found, people) };
  },
});

function postedText(created: ChatMessage, people: readonly ResolvedMention[]): string {
  return `Posted message ${created.id}${mentionNote(people)}. Link: ${created.webUrl ?? "(none)"}`;
}

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
  ...scopesWith(["ChannelMessage.Send"], { mentions: ["User.ReadBasic.All"] }),
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ teamId, channelId, messageId, message, contentType, mentions }, context) {
    const path = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages/${messageSegment(messageId)}/replies`;
    const people = await resolveMentions(mentions ?? [], context);
    const created = await asMember("team", () =>
      context.graph.post<ChatMessage>(path, outgoingMessage(message, contentType, people)),
    );
    return { text: repliedText(messageId, created, people) };
  },
  async reconcile({ teamId, channelId, messageId, message, contentType, mentions }, context) {
    const path = `/teams/${teamSegment(teamId)}/channels/${channelSegment(channelId)}/messages/${messageSegment(messageId)}/replies`;
    const people = await resolveMentions(mentions ?? [], context);
    const found = await postedEarlier(
      context,
      () => context.graph.get(path, { query: { $top: 50 } }),
      outgoingMessage(message, contentType, people),
      "ChannelMessage.Read.All",
    );
    return found && { text: repliedText(messageId, found, people) };
  },
});

function repliedText(messageId: string, created: ChatMessage, people: readonly ResolvedMention[]): string {
  return `Replied to ${messageId} with message ${created.id}${mentionNote(people)}. Link: ${created.webUrl ?? "(none)"}`;
}

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
  async reconcile({ chatId, message, contentType }, context) {
    const path = `/chats/${chatSegment(chatId)}/messages`;
    const found = await postedEarlier(
      context,
      () => context.graph.get(path, { query: { $top: 20, $orderby: "createdDateTime desc" } }),
      { body: { contentType, content: message } },
      "Chat.Read",
    );
    return found && { text: `Sent message ${found.id} in chat ${chatId}.` };
  },
});

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
  async run({ subject, start, end, attendees }, { graph, once }) {
    if (Date.parse(end) <= Date.parse(start)) {
      throw new ToolError("invalid_input", "end: must be after start.");
    }
    // With a key, createOrGet: Graph returns the meeting that already has this externalId instead of a second one.
    const meeting = await graph.post<OnlineMeeting>(once ? "/me/onlineMeetings/createOrGet" : "/me/onlineMeetings", {
      ...(once ? { externalId: once.value } : {}),
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
  // Nothing to look up: createOrGet with the same externalId answers with the meeting if it exists.
  async reconcile() {
    return undefined;
  },
});
