/**
 * Teams chats: the signed-in user's one-on-one, group and meeting chats
 * (`$expand=members,lastMessagePreview`), their members and messages (list,
 * read, post). Only members see a chat.
 */
import { findDirectoryUser } from "../data/directory.ts";
import { buildMessage, chatUrl, nextMessageId, type StoredChat, type StoredChatMessage } from "../data/teams.ts";
import { TENANT_ID } from "../tenant.ts";
import { parseFilter, type FilterSchema } from "./odata/filter.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { allowOnly, pageOf, presentMessage, readNewMessage, teamsDataOf } from "./teams.ts";

const READ_CHATS = ["Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"];
const READ_CHAT_MESSAGES = ["Chat.Read", "Chat.ReadWrite"];
const SEND_CHAT_MESSAGES = ["ChatMessage.Send", "Chat.ReadWrite"];

const CHATS_PAGE = { defaultTop: 50, maxTop: 50 };
/**
 * Graph's known issue: listing chats with $expand=members returns at most 25
 * members per chat; /chats/{id}/members returns them all.
 */
const EXPANDED_MEMBERS = 25;
const CHAT_MESSAGES_PAGE = { defaultTop: 50, maxTop: 50 };

const CHAT_SCHEMA: EntitySchema = {
  type: "microsoft.graph.chat",
  properties: [
    "id",
    "topic",
    "createdDateTime",
    "lastUpdatedDateTime",
    "chatType",
    "webUrl",
    "tenantId",
    "isHiddenForAllMembers",
    "onlineMeetingInfo",
    "viewpoint",
  ],
  alwaysSelected: ["id"],
};

const CHAT_FILTER: FilterSchema = {
  chatType: { kind: "enum", type: "microsoft.graph.chatType", members: ["oneOnOne", "group", "meeting"] },
  topic: { kind: "string" },
};

function chatOf(context: GraphContext): StoredChat {
  const id = context.params.chatId ?? "";
  const chat = teamsDataOf(context).chats.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!chat) throw new GraphFailure(404, "NotFound", `Chat '${id}' was not found.`);
  if (!chat.memberIds.includes(context.user.id)) {
    throw new GraphFailure(403, "Forbidden", "Forbidden: the signed-in user is not a member of this chat.");
  }
  return chat;
}

function lastMessage(chat: StoredChat): StoredChatMessage | undefined {
  return chat.messages.at(-1);
}

/** When the chat last saw activity: its last message, else its creation. */
function lastActivity(chat: StoredChat): number {
  return Date.parse(lastMessage(chat)?.createdDateTime ?? chat.createdDateTime);
}

function chatResource(context: GraphContext, chat: StoredChat): Record<string, unknown> {
  const last = lastMessage(chat);
  return {
    id: chat.id,
    topic: chat.topic,
    createdDateTime: chat.createdDateTime,
    lastUpdatedDateTime: chat.lastUpdatedDateTime,
    chatType: chat.chatType,
    webUrl: chatUrl(chat.id),
    tenantId: TENANT_ID,
    isHiddenForAllMembers: false,
    onlineMeetingInfo: chat.joinWebUrl
      ? {
          calendarEventId: null,
          joinWebUrl: chat.joinWebUrl,
          organizer: { id: chat.memberIds[0], displayName: null, userIdentityType: "aadUser" },
        }
      : null,
    viewpoint: {
      isHidden: false,
      lastMessageReadDateTime: last && last.from?.user?.id === context.user.id ? last.createdDateTime : null,
    },
  };
}

function membersOf(chat: StoredChat): Record<string, unknown>[] {
  return chat.memberIds.map((userId, index) => {
    const user = findDirectoryUser(userId);
    return {
      "@odata.type": "#microsoft.graph.aadUserConversationMember",
      id: Buffer.from(`${chat.id}##${userId}`).toString("base64"),
      roles: chat.chatType === "oneOnOne" ? ["owner"] : index === 0 ? ["owner"] : [],
      displayName: user?.displayName ?? null,
      visibleHistoryStartDateTime: "0001-01-01T00:00:00Z",
      userId,
      email: user?.mail ?? null,
      tenantId: TENANT_ID,
    };
  });
}

function lastMessagePreview(chat: StoredChat): Record<string, unknown> | null {
  const last = lastMessage(chat);
  if (!last) return null;
  return {
    id: last.id,
    createdDateTime: last.createdDateTime,
    isDeleted: false,
    messageType: "message",
    eventDetail: null,
    body: structuredClone(last.body),
    from: structuredClone(last.from),
  };
}

function chatExpansions(context: GraphContext): { members: boolean; preview: boolean } {
  const raw = context.query.get("$expand");
  if (raw === null) return { members: false, preview: false };
  const names = raw.split(",").map((name) => name.trim().toLowerCase());
  const unknown = names.find((name) => name !== "members" && name !== "lastmessagepreview");
  if (unknown !== undefined) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Could not find a navigation property named '${unknown}' on type 'microsoft.graph.chat'; members and lastMessagePreview can be expanded.`,
    );
  }
  return { members: names.includes("members"), preview: names.includes("lastmessagepreview") };
}

function presentChat(context: GraphContext, chat: StoredChat, select: string[] | undefined): Record<string, unknown> {
  const expand = chatExpansions(context);
  return {
    ...applySelect(chatResource(context, chat), CHAT_SCHEMA, select),
    ...(expand.members ? { members: membersOf(chat).slice(0, EXPANDED_MEMBERS) } : {}),
    ...(expand.preview ? { lastMessagePreview: lastMessagePreview(chat) } : {}),
  };
}

function listChats(context: GraphContext) {
  allowOnly(context, ["$top", "$skiptoken", "$expand", "$filter", "$orderby", "$select"]);
  const orderBy = context.query.get("$orderby");
  if (orderBy !== null && !/^\s*lastMessagePreview\/createdDateTime\s+desc\s*$/i.test(orderBy)) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `$orderby '${orderBy}' is not supported; only 'lastMessagePreview/createdDateTime desc' is.`,
    );
  }
  const select = parseSelect(context.query, CHAT_SCHEMA);
  const filterText = context.query.get("$filter");
  const mine = teamsDataOf(context).chats.filter((chat) => chat.memberIds.includes(context.user.id));
  const filter = filterText === null ? undefined : parseFilter(filterText, CHAT_FILTER, CHAT_SCHEMA);
  const matching = mine
    .filter((chat) => !filter || filter.test(chatResource(context, chat)))
    .sort((a, b) => lastActivity(b) - lastActivity(a));
  const page = pageOf(context, matching, CHATS_PAGE);
  const expand = chatExpansions(context);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#chats${expand.members ? "(members())" : ""}`,
    "@odata.count": page.items.length,
    ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
    value: page.items.map((chat) => presentChat(context, chat, select)),
  });
}

function chatContext(context: GraphContext, chat: StoredChat, path: string): string {
  return `${context.origin}/v1.0/$metadata#chats('${encodeURIComponent(chat.id)}')/${path}`;
}

export const chatRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me/chats", scopes: READ_CHATS, handle: listChats },
  { method: "GET", path: "/chats", scopes: READ_CHATS, handle: listChats },
  {
    method: "GET",
    path: "/chats/{chatId}",
    scopes: READ_CHATS,
    handle(context) {
      allowOnly(context, ["$expand", "$select"]);
      const chat = chatOf(context);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#chats/$entity`,
        ...presentChat(context, chat, parseSelect(context.query, CHAT_SCHEMA)),
      });
    },
  },
  {
    method: "GET",
    path: "/chats/{chatId}/members",
    scopes: READ_CHATS,
    handle(context) {
      allowOnly(context, []);
      const chat = chatOf(context);
      const members = membersOf(chat);
      return graphJson(context.request, 200, {
        "@odata.context": chatContext(context, chat, "members"),
        "@odata.count": members.length,
        value: members,
      });
    },
  },
  {
    method: "GET",
    path: "/chats/{chatId}/messages",
    scopes: READ_CHAT_MESSAGES,
    handle(context) {
      allowOnly(context, ["$top", "$skiptoken", "$orderby"]);
      const chat = chatOf(context);
      const orderBy = context.query.get("$orderby");
      const order = orderBy === null ? "lastModifiedDateTime" : /^\s*(\w+)\s+desc\s*$/i.exec(orderBy)?.[1];
      if (order !== "lastModifiedDateTime" && order !== "createdDateTime") {
        throw new GraphFailure(
          400,
          "BadRequest",
          `$orderby '${orderBy}' is not supported; use 'createdDateTime desc' or 'lastModifiedDateTime desc'.`,
        );
      }
      const messages = [...chat.messages].sort(
        (a, b) => Date.parse(b[order]) - Date.parse(a[order]) || Number(b.id) - Number(a.id),
      );
      const page = pageOf(context, messages, CHAT_MESSAGES_PAGE);
      return graphJson(context.request, 200, {
        "@odata.context": chatContext(context, chat, "messages"),
        "@odata.count": page.items.length,
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
        value: page.items.map(presentMessage),
      });
    },
  },
  {
    method: "GET",
    path: "/chats/{chatId}/messages/{messageId}",
    scopes: READ_CHAT_MESSAGES,
    handle(context) {
      const chat = chatOf(context);
      const message = chat.messages.find((candidate) => candidate.id === context.params.messageId);
      if (!message) throw new GraphFailure(404, "NotFound", `Message '${context.params.messageId}' was not found.`);
      return graphJson(context.request, 200, {
        "@odata.context": `${chatContext(context, chat, "messages")}/$entity`,
        ...presentMessage(message),
      });
    },
  },
  {
    method: "POST",
    path: "/chats/{chatId}/messages",
    scopes: SEND_CHAT_MESSAGES,
    handle(context) {
      const chat = chatOf(context);
      const message = readNewMessage(context);
      const stored = buildMessage({
        id: nextMessageId(teamsDataOf(context), Date.now()),
        from: context.user,
        body: message.body,
        subject: message.subject,
        importance: message.importance,
        mentions: message.mentions,
        chatId: chat.id,
      });
      chat.messages.push(stored);
      return graphJson(context.request, 201, {
        "@odata.context": `${chatContext(context, chat, "messages")}/$entity`,
        ...presentMessage(stored),
      });
    },
  },
];
