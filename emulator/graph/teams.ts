/**
 * Microsoft Teams endpoints: joined teams, channels, channel messages and
 * replies (list, read, post), with Teams' membership rules: a user sees only
 * the teams they belong to and the private channels they are members of.
 * Also the chatMessage machinery chats.ts shares: paging with an opaque
 * $skiptoken, and reading a new message with its mentions as Graph validates it.
 */
import type { ChatMessageMention, ItemBody } from "@microsoft/microsoft-graph-types";
import {
  buildMessage,
  mentionOf,
  nextMessageId,
  type StoredChannel,
  type StoredChatMessage,
  type StoredTeam,
  type StoredThread,
  type TeamsData,
} from "../data/teams.ts";
import { htmlToText } from "../html-text.ts";
import { jsonBody } from "../http.ts";
import { findUser, TENANT_ID } from "../tenant.ts";
import { queryCollection, type CollectionSpec } from "./odata/collection.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ_TEAMS = ["Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All", "User.Read.All"];
const READ_CHANNELS = ["Channel.ReadBasic.All", "ChannelSettings.Read.All", "ChannelSettings.ReadWrite.All"];
const READ_CHANNEL_MESSAGES = ["ChannelMessage.Read.All", "Group.Read.All", "Group.ReadWrite.All"];
const SEND_CHANNEL_MESSAGES = ["ChannelMessage.Send", "Group.ReadWrite.All"];

/** Teams' page sizes: 20 channel messages by default, 50 at most. */
const CHANNEL_MESSAGES_PAGE = { defaultTop: 20, maxTop: 50 };

export function teamsDataOf(context: GraphContext): TeamsData {
  return context.state.teams;
}

// ---------------------------------------------------------------------------
// Paging and query options shared with chats.ts

/** Refuses the query options an endpoint does not support, as Teams' APIs do. */
export function allowOnly(context: GraphContext, allowed: readonly string[]): void {
  for (const name of context.query.keys()) {
    if (name.startsWith("$") && !allowed.includes(name.toLowerCase())) {
      throw new GraphFailure(
        400,
        "BadRequest",
        `Query option '${name}' is not supported on this resource. Supported: ${allowed.join(", ") || "none"}.`,
      );
    }
  }
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`teams-page:${offset}`).toString("base64url");
}

function decodeSkipToken(token: string): number {
  const match = /^teams-page:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match)
    throw new GraphFailure(400, "BadRequest", "The $skiptoken is not valid; follow @odata.nextLink as returned.");
  return Number(match[1]);
}

/** `$top` within Graph's limit, with Graph's message when it is exceeded. */
export function topOf(context: GraphContext, defaultTop: number, maxTop: number): number {
  const raw = context.query.get("$top");
  if (raw === null) return defaultTop;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new GraphFailure(400, "BadRequest", `Invalid value '${raw}' for $top: expected a positive integer.`);
  }
  if (Number(raw) > maxTop) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `The limit of '${maxTop}' for Top query has been exceeded. The value from the incoming request is '${raw}'.`,
    );
  }
  return Number(raw);
}

/** One page of `items` and the @odata.nextLink to the next (an opaque $skiptoken, as Teams pages). */
export function pageOf<T>(
  context: GraphContext,
  items: readonly T[],
  limits: { defaultTop: number; maxTop: number },
): { items: T[]; nextLink?: string } {
  const top = topOf(context, limits.defaultTop, limits.maxTop);
  const token = context.query.get("$skiptoken");
  const offset = token === null ? 0 : decodeSkipToken(token);
  const page = items.slice(offset, offset + top);
  if (offset + top >= items.length) return { items: page };
  const next = [...context.query].filter(([name]) => name !== "$skiptoken");
  next.push(["$top", String(top)], ["$skiptoken", encodeSkipToken(offset + top)]);
  const unique = new Map(next);
  const query = [...unique]
    .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
    .join("&");
  return { items: page, nextLink: `${context.request.url.origin}${context.request.url.pathname}?${query}` };
}

// ---------------------------------------------------------------------------
// New messages

export interface NewMessage {
  body: ItemBody;
  subject: string | null;
  importance: "normal" | "high" | "urgent";
  mentions: ChatMessageMention[];
}

function invalidBody(): GraphFailure {
  return new GraphFailure(400, "BadRequest", "Invalid request body was sent.");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeEntities(text: string): string {
  return htmlToText(text);
}

/**
 * The chatMessage a client posts, validated the way Teams does: a body with
 * content, a known importance, and for every mention an `<at id="N">` marker
 * in an HTML body. Markers without a mention entry lose their tags.
 */
export function readNewMessage(context: GraphContext): NewMessage {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw invalidBody();
  if (parsed.value === undefined) throw new GraphFailure(400, "BadRequest", "Empty Payload. JSON content expected.");
  if (!isObject(parsed.value)) throw invalidBody();
  const { body, subject, importance, mentions } = parsed.value;
  if (!isObject(body) || typeof body.content !== "string" || body.content.trim() === "") {
    throw new GraphFailure(400, "BadRequest", "Missing body content");
  }
  const contentType = body.contentType === undefined || body.contentType === null ? "text" : body.contentType;
  if (typeof contentType !== "string" || !["text", "html"].includes(contentType.toLowerCase())) throw invalidBody();
  const type = contentType.toLowerCase() as "text" | "html";
  if (subject !== undefined && subject !== null && typeof subject !== "string") throw invalidBody();
  const level = importance ?? "normal";
  if (level !== "normal" && level !== "high" && level !== "urgent") throw invalidBody();
  if (mentions !== undefined && mentions !== null && !Array.isArray(mentions)) throw invalidBody();

  let content = body.content;
  const stored: ChatMessageMention[] = [];
  const seen = new Set<number>();
  for (const entry of (mentions ?? []) as unknown[]) {
    if (!isObject(entry) || typeof entry.id !== "number" || !Number.isInteger(entry.id)) throw invalidBody();
    const mentioned = isObject(entry.mentioned) && isObject(entry.mentioned.user) ? entry.mentioned.user : undefined;
    if (typeof entry.mentionText !== "string" || !mentioned || typeof mentioned.id !== "string") throw invalidBody();
    if (seen.has(entry.id)) {
      throw new GraphFailure(400, "BadRequest", `Mention with Id '${entry.id}' is specified more than once.`);
    }
    seen.add(entry.id);
    if (type !== "html") {
      throw new GraphFailure(
        400,
        "BadRequest",
        "Mentions are supported only in messages with an html body; set body.contentType to 'html'.",
      );
    }
    const marker = new RegExp(`<at\\s+id\\s*=\\s*["']?${entry.id}["']?\\s*>([\\s\\S]*?)</at>`, "i").exec(content);
    if (!marker || decodeEntities(marker[1] ?? "").trim() !== entry.mentionText.trim()) {
      throw new GraphFailure(
        400,
        "BadRequest",
        `Neither Body nor adaptive card content contains marker for mention with Id '${entry.id}'. Add '<at id="${entry.id}">${entry.mentionText}</at>' to the body or an adaptive card.`,
      );
    }
    const user = findUser(mentioned.id);
    stored.push(
      mentionOf(entry.id, {
        id: mentioned.id,
        displayName:
          user?.displayName ?? (typeof mentioned.displayName === "string" ? mentioned.displayName : entry.mentionText),
      }),
    );
  }
  if (type === "html") {
    // A marker nobody is mentioned by stays as its text, as Teams shows it.
    content = content.replace(
      /<at\s+id\s*=\s*["']?(\d+)["']?\s*>([\s\S]*?)<\/at>/gi,
      (whole, id: string, text: string) => (seen.has(Number(id)) ? whole : text),
    );
  }
  return {
    body: { contentType: type, content },
    subject: typeof subject === "string" && subject !== "" ? subject : null,
    importance: level,
    mentions: stored,
  };
}

// ---------------------------------------------------------------------------
// Teams and channels

const TEAM_SCHEMA: EntitySchema = {
  type: "microsoft.graph.team",
  properties: [
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "internalId",
    "classification",
    "specialization",
    "visibility",
    "webUrl",
    "isArchived",
    "tenantId",
    "isMembershipLimitedToOwners",
    "memberSettings",
    "guestSettings",
    "messagingSettings",
    "funSettings",
    "discoverySettings",
    "summary",
  ],
  alwaysSelected: ["id"],
};

const CHANNEL_SCHEMA: EntitySchema = {
  type: "microsoft.graph.channel",
  properties: [
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "isFavoriteByDefault",
    "email",
    "tenantId",
    "webUrl",
    "membershipType",
    "isArchived",
  ],
  alwaysSelected: ["id"],
};

const CHANNEL_COLLECTION: CollectionSpec<Record<string, unknown>> = {
  entity: CHANNEL_SCHEMA,
  filter: {
    displayName: { kind: "string" },
    membershipType: {
      kind: "enum",
      type: "microsoft.graph.channelMembershipType",
      members: ["standard", "private", "unknownFutureValue", "shared"],
    },
  },
  sortable: ["displayName", "createdDateTime"],
  defaultOrder: [],
  defaultTop: 1000,
  maxTop: 1000,
};

function teamWebUrl(team: StoredTeam): string {
  const general = team.channels[0]?.id ?? "";
  return `https://teams.microsoft.com/l/team/${encodeURIComponent(general)}/conversations?groupId=${team.id}&tenantId=${TENANT_ID}`;
}

/** A team as /me/joinedTeams returns it: every property, only the basic ones set. */
function joinedTeamResource(team: StoredTeam): Record<string, unknown> {
  return {
    id: team.id,
    createdDateTime: null,
    displayName: team.displayName,
    description: team.description,
    internalId: null,
    classification: null,
    specialization: null,
    visibility: null,
    webUrl: null,
    isArchived: false,
    tenantId: TENANT_ID,
    isMembershipLimitedToOwners: null,
    memberSettings: null,
    guestSettings: null,
    messagingSettings: null,
    funSettings: null,
    discoverySettings: null,
    summary: null,
  };
}

function teamResource(team: StoredTeam): Record<string, unknown> {
  return {
    ...joinedTeamResource(team),
    createdDateTime: team.createdDateTime,
    internalId: `19:${team.id.replace(/-/g, "")}@thread.tacv2`,
    specialization: "none",
    visibility: team.visibility,
    webUrl: teamWebUrl(team),
    isMembershipLimitedToOwners: false,
    memberSettings: {
      allowCreateUpdateChannels: true,
      allowCreatePrivateChannels: true,
      allowDeleteChannels: true,
      allowAddRemoveApps: true,
      allowCreateUpdateRemoveTabs: true,
      allowCreateUpdateRemoveConnectors: true,
    },
    guestSettings: { allowCreateUpdateChannels: false, allowDeleteChannels: false },
    messagingSettings: {
      allowUserEditMessages: true,
      allowUserDeleteMessages: true,
      allowOwnerDeleteMessages: true,
      allowTeamMentions: true,
      allowChannelMentions: true,
    },
    funSettings: {
      allowGiphy: true,
      giphyContentRating: "moderate",
      allowStickersAndMemes: true,
      allowCustomMemes: true,
    },
    discoverySettings: { showInTeamsSearchAndSuggestions: team.visibility === "public" },
    summary: { ownersCount: team.ownerIds.length, membersCount: team.memberIds.length, guestsCount: 0 },
  };
}

function channelResource(team: StoredTeam, channel: StoredChannel): Record<string, unknown> {
  return {
    id: channel.id,
    createdDateTime: channel.createdDateTime,
    displayName: channel.displayName,
    description: channel.description,
    isFavoriteByDefault: null,
    email: channel.email,
    tenantId: TENANT_ID,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(channel.id)}/${encodeURIComponent(channel.displayName)}?groupId=${team.id}&tenantId=${TENANT_ID}`,
    membershipType: channel.membershipType,
    isArchived: false,
  };
}

function canSeeChannel(channel: StoredChannel, userId: string): boolean {
  return channel.membershipType === "standard" || (channel.memberIds ?? []).includes(userId);
}

/** The team of the path, when it exists and the signed-in user is a member. */
export function teamOf(context: GraphContext): StoredTeam {
  const id = context.params.teamId ?? "";
  const team = teamsDataOf(context).teams.find((candidate) => candidate.id === id.toLowerCase());
  if (!team) throw new GraphFailure(404, "NotFound", `No team found with Group Id ${id}`);
  if (!team.memberIds.includes(context.user.id)) {
    throw new GraphFailure(403, "Forbidden", "Forbidden: the signed-in user is not a member of this team.");
  }
  return team;
}

function channelOf(context: GraphContext, team: StoredTeam): StoredChannel {
  const id = context.params.channelId ?? "";
  const channel = team.channels.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!channel) throw new GraphFailure(404, "NotFound", `Channel '${id}' was not found in this team.`);
  if (!canSeeChannel(channel, context.user.id)) {
    throw new GraphFailure(403, "Forbidden", "Forbidden: the signed-in user is not a member of this private channel.");
  }
  return channel;
}

function threadOf(context: GraphContext, channel: StoredChannel): StoredThread {
  const id = context.params.messageId ?? "";
  const thread = channel.threads.find((candidate) => candidate.post.id === id);
  if (!thread) throw new GraphFailure(404, "NotFound", `Message '${id}' was not found in this channel.`);
  return thread;
}

function channelContext(context: GraphContext, team: StoredTeam, channel: StoredChannel, path = "messages"): string {
  return `${context.origin}/v1.0/$metadata#teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/${path}`;
}

function newestFirst(messages: readonly StoredChatMessage[]): StoredChatMessage[] {
  return [...messages].sort((a, b) => Number(b.id) - Number(a.id));
}

/** A copy of a stored message, so a response never shares (or later shows changes to) the store. */
export function presentMessage(message: StoredChatMessage): Record<string, unknown> {
  return structuredClone(message) as unknown as Record<string, unknown>;
}

function expandsReplies(context: GraphContext): boolean {
  const expand = context.query.get("$expand");
  if (expand === null) return false;
  if (expand.trim().toLowerCase() !== "replies") {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Could not find a navigation property named '${expand}' on type 'microsoft.graph.chatMessage'; only 'replies' can be expanded.`,
    );
  }
  return true;
}

function presentThread(
  context: GraphContext,
  team: StoredTeam,
  channel: StoredChannel,
  thread: StoredThread,
  expand: boolean,
): Record<string, unknown> {
  const post = presentMessage(thread.post);
  if (!expand) return post;
  return {
    ...post,
    "replies@odata.context": channelContext(context, team, channel, `messages('${thread.post.id}')/replies`),
    replies: newestFirst(thread.replies).map(presentMessage),
  };
}

/** Posts a message in the channel, or a reply when the path names a message. */
function postToChannel(context: GraphContext): Record<string, unknown> {
  const team = teamOf(context);
  const channel = channelOf(context, team);
  const root = context.params.messageId ? threadOf(context, channel) : undefined;
  const message = readNewMessage(context);
  const id = nextMessageId(teamsDataOf(context), Date.now());
  const stored = buildMessage({
    id,
    from: context.user,
    body: message.body,
    replyToId: root?.post.id ?? null,
    subject: root ? null : message.subject,
    importance: message.importance,
    mentions: message.mentions,
    channel: { teamId: team.id, channelId: channel.id, rootId: root?.post.id ?? id },
  });
  if (root) root.replies.push(stored);
  else channel.threads.push({ post: stored, replies: [] });
  const path = root ? `messages('${root.post.id}')/replies` : "messages";
  return { "@odata.context": `${channelContext(context, team, channel, path)}/$entity`, ...presentMessage(stored) };
}

const MESSAGE_OPTIONS = ["$top", "$skiptoken", "$expand"];

export const teamRoutes: readonly GraphRoute[] = [
  {
    method: "GET",
    path: "/me/joinedTeams",
    scopes: READ_TEAMS,
    handle(context) {
      const teams = teamsDataOf(context).teams.filter((team) => team.memberIds.includes(context.user.id));
      const select = parseSelect(context.query, TEAM_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#teams`,
        "@odata.count": teams.length,
        value: teams.map((team) => applySelect(joinedTeamResource(team), TEAM_SCHEMA, select)),
      });
    },
  },
  {
    method: "GET",
    path: "/teams/{teamId}",
    scopes: READ_TEAMS,
    handle(context) {
      const team = teamOf(context);
      const select = parseSelect(context.query, TEAM_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#teams/$entity`,
        ...applySelect(teamResource(team), TEAM_SCHEMA, select),
      });
    },
  },
  {
    method: "GET",
    path: "/teams/{teamId}/channels",
    scopes: READ_CHANNELS,
    handle(context) {
      const team = teamOf(context);
      const visible = team.channels
        .filter((channel) => canSeeChannel(channel, context.user.id))
        .map((channel) => channelResource(team, channel));
      const select = parseSelect(context.query, CHANNEL_SCHEMA);
      const page = queryCollection(context.request, visible, CHANNEL_COLLECTION);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#teams('${team.id}')/channels${select ? `(${select.join(",")})` : ""}`,
        "@odata.count": page.items.length,
        value: page.items.map((channel) => applySelect(channel, CHANNEL_SCHEMA, select)),
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      });
    },
  },
  {
    method: "GET",
    path: "/teams/{teamId}/channels/{channelId}",
    scopes: READ_CHANNELS,
    handle(context) {
      const team = teamOf(context);
      const channel = channelOf(context, team);
      const select = parseSelect(context.query, CHANNEL_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#teams('${team.id}')/channels/$entity`,
        ...applySelect(channelResource(team, channel), CHANNEL_SCHEMA, select),
      });
    },
  },
  {
    method: "GET",
    path: "/teams/{teamId}/channels/{channelId}/messages",
    scopes: READ_CHANNEL_MESSAGES,
    handle(context) {
      allowOnly(context, MESSAGE_OPTIONS);
      const team = teamOf(context);
      const channel = channelOf(context, team);
      const expand = expandsReplies(context);
      const threads = [...channel.threads].sort((a, b) => Number(b.post.id) - Number(a.post.id));
      const page = pageOf(context, threads, CHANNEL_MESSAGES_PAGE);
      return graphJson(context.request, 200, {
        "@odata.context": channelContext(context, team, channel),
        "@odata.count": page.items.length,
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
        value: page.items.map((thread) => presentThread(context, team, channel, thread, expand)),
      });
    },
  },
  {
    method: "POST",
    path: "/teams/{teamId}/channels/{channelId}/messages",
    scopes: SEND_CHANNEL_MESSAGES,
    handle: (context) => graphJson(context.request, 201, postToChannel(context)),
  },
  {
    method: "GET",
    path: "/teams/{teamId}/channels/{channelId}/messages/{messageId}",
    scopes: READ_CHANNEL_MESSAGES,
    handle(context) {
      allowOnly(context, ["$expand"]);
      const team = teamOf(context);
      const channel = channelOf(context, team);
      const thread = threadOf(context, channel);
      return graphJson(context.request, 200, {
        "@odata.context": `${channelContext(context, team, channel)}/$entity`,
        ...presentThread(context, team, channel, thread, expandsReplies(context)),
      });
    },
  },
  {
    method: "GET",
    path: "/teams/{teamId}/channels/{channelId}/messages/{messageId}/replies",
    scopes: READ_CHANNEL_MESSAGES,
    handle(context) {
      allowOnly(context, ["$top", "$skiptoken"]);
      const team = teamOf(context);
      const channel = channelOf(context, team);
      const thread = threadOf(context, channel);
      const replies = newestFirst(thread.replies);
      const page = pageOf(context, replies, CHANNEL_MESSAGES_PAGE);
      return graphJson(context.request, 200, {
        "@odata.context": channelContext(context, team, channel, `messages('${thread.post.id}')/replies`),
        "@odata.count": replies.length,
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
        value: page.items.map(presentMessage),
      });
    },
  },
  {
    method: "POST",
    path: "/teams/{teamId}/channels/{channelId}/messages/{messageId}/replies",
    scopes: SEND_CHANNEL_MESSAGES,
    handle: (context) => graphJson(context.request, 201, postToChannel(context)),
  },
];
