/**
 * Microsoft 365 groups: the signed-in user's memberships (/me/memberOf) and
 * a group's conversation threads, their posts and replies. Private groups
 * answer members only. The group calendar is served by the calendar routes
 * (other-mailboxes.ts) and the group drive by the drive routes. Docs:
 * https://learn.microsoft.com/graph/api/user-list-memberof,
 * https://learn.microsoft.com/graph/api/group-list-threads,
 * https://learn.microsoft.com/graph/api/conversationthread-list-posts,
 * https://learn.microsoft.com/graph/api/conversationthread-reply.
 */
import { newPost, type StoredGroup, type StoredGroupThread } from "../data/groups.ts";
import { jsonBody, type EmulatorResponse } from "../http.ts";
import { groupFor } from "./group-access.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

/** Reading a group's full properties from /me/memberOf; with User.Read alone Graph returns ids and types only. */
const GROUP_PROPERTIES = ["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All"];
const READ_THREADS = [
  "Group-Conversation.Read.All",
  "Group-Conversation.ReadWrite.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
];
const WRITE_THREADS = ["Group-Conversation.ReadWrite.All", "Group.ReadWrite.All"];

function presentGroup(group: StoredGroup): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.group",
    id: group.id,
    createdDateTime: group.createdDateTime,
    description: group.description,
    displayName: group.displayName,
    groupTypes: group.groupTypes,
    mail: group.mail,
    mailEnabled: group.mailEnabled,
    mailNickname: group.mailNickname,
    securityEnabled: group.securityEnabled,
    visibility: group.visibility,
  };
}

function memberOf(context: GraphContext): EmulatorResponse {
  const full = GROUP_PROPERTIES.some((scope) => context.grant.scopes.includes(scope));
  const groups = context.state.groups.filter((group) => group.members.includes(context.user.id));
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#directoryObjects`,
    value: groups.map((group) =>
      full ? presentGroup(group) : { "@odata.type": "#microsoft.graph.group", id: group.id },
    ),
  });
}

function findThread(group: StoredGroup, id: string): StoredGroupThread {
  const thread = group.threads.find((candidate) => candidate.id === id);
  if (!thread) throw new GraphFailure(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return thread;
}

function presentThread({ posts: _posts, ...thread }: StoredGroupThread): Record<string, unknown> {
  return thread;
}

/** $top and $skip paging, newest first, with a nextLink repeating the request. */
function page<T>(context: GraphContext, items: readonly T[], fallback: number): { value: T[]; nextLink?: string } {
  const top = Number(context.query.get("$top") ?? fallback);
  const skip = Number(context.query.get("$skip") ?? 0);
  if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0) {
    throw new GraphFailure(400, "BadRequest", "Invalid $top or $skip value.");
  }
  const value = items.slice(skip, skip + top);
  if (skip + top >= items.length) return { value };
  const next = new URLSearchParams(context.query);
  next.set("$top", String(top));
  next.set("$skip", String(skip + top));
  return { value, nextLink: `${context.request.url.origin}${context.request.url.pathname}?${next}` };
}

function listThreads(context: GraphContext): EmulatorResponse {
  const group = groupFor(context.state, context.params.groupId!, context.user);
  const threads = [...group.threads].sort((a, b) => b.lastDeliveredDateTime.localeCompare(a.lastDeliveredDateTime));
  const { value, nextLink } = page(context, threads.map(presentThread), 100);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#groups('${group.id}')/threads`,
    value,
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  });
}

function getThread(context: GraphContext): EmulatorResponse {
  const group = groupFor(context.state, context.params.groupId!, context.user);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#groups('${group.id}')/threads/$entity`,
    ...presentThread(findThread(group, context.params.threadId!)),
  });
}

function listPosts(context: GraphContext): EmulatorResponse {
  const group = groupFor(context.state, context.params.groupId!, context.user);
  const thread = findThread(group, context.params.threadId!);
  const { value, nextLink } = page(context, thread.posts, 100);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#groups('${group.id}')/threads('${thread.id}')/posts`,
    value,
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  });
}

function reply(context: GraphContext): EmulatorResponse {
  const group = groupFor(context.state, context.params.groupId!, context.user, true);
  const thread = findThread(group, context.params.threadId!);
  const parsed = jsonBody(context.request);
  const post =
    parsed.ok && typeof parsed.value === "object" && parsed.value !== null
      ? (parsed.value as { post?: unknown }).post
      : undefined;
  const body =
    typeof post === "object" && post !== null
      ? (post as { body?: { contentType?: unknown; content?: unknown } }).body
      : undefined;
  if (!parsed.ok || typeof body?.content !== "string") {
    throw new GraphFailure(
      400,
      "RequestBodyRead",
      "The request must carry a 'post' with a 'body' { contentType, content }.",
    );
  }
  const type = String(body.contentType ?? "text").toLowerCase();
  if (type !== "text" && type !== "html") {
    throw new GraphFailure(
      400,
      "RequestBodyRead",
      `Requested value '${String(body.contentType)}' was not found in microsoft.graph.bodyType (Text, HTML).`,
    );
  }
  const html =
    type === "html" ? body.content : `<p>${body.content.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;
  const by = { emailAddress: { name: context.user.displayName, address: context.user.mail } };
  const created = newPost(
    group,
    { id: thread.id, conversationId: thread.posts[0]?.conversationId ?? thread.id },
    by,
    html,
    Date.now(),
    ["reply", context.request.requestId],
  );
  thread.posts.push(created);
  thread.lastDeliveredDateTime = created.receivedDateTime;
  thread.preview = body.content.slice(0, 255);
  if (!thread.uniqueSenders.includes(context.user.displayName)) thread.uniqueSenders.push(context.user.displayName);
  return graphEmpty(context.request, 202);
}

export const groupRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me/memberOf", scopes: ["User.Read", ...GROUP_PROPERTIES], handle: memberOf },
  { method: "GET", path: "/groups/{groupId}/threads", scopes: READ_THREADS, handle: listThreads },
  { method: "GET", path: "/groups/{groupId}/threads/{threadId}", scopes: READ_THREADS, handle: getThread },
  { method: "GET", path: "/groups/{groupId}/threads/{threadId}/posts", scopes: READ_THREADS, handle: listPosts },
  { method: "POST", path: "/groups/{groupId}/threads/{threadId}/reply", scopes: WRITE_THREADS, handle: reply },
];
