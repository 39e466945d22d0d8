/** Microsoft 365 groups: the user's groups, and a group's conversation threads and posts. */
import type { ConversationThread, Group, Post } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { formatAddress, shortDateTime } from "../shared/format.ts";
import { readableBody } from "../shared/html.ts";
import { countInput, cursorInput, moreLine, nextCursorOutput, type GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { groupIdInput, groupPath, inGroup, threadIdInput, threadSegment } from "./inputs.ts";

const groupOutput = z.object({ id: z.string(), name: z.string(), mail: z.string(), description: z.string() });

export const listGroups = defineTool({
  name: "listGroups",
  title: "List my groups",
  description:
    "Your Microsoft 365 groups. A group id is the groupId of the group tools and getCalendarEvents, and the driveId of its files.",
  input: {},
  output: { groups: z.array(groupOutput) },
  scopes: ["GroupMember.Read.All"],
  access: "read",
  cacheKind: "teams",
  async run(_args, { graph }) {
    const page = await graph.get<GraphPage<Group & { "@odata.type"?: string }>>("/me/memberOf", {
      query: { $top: 100 },
    });
    // memberOf holds directory roles and security groups too; Microsoft 365 groups are the "Unified" ones.
    const groups = page.value
      .filter((item) => item["@odata.type"] === "#microsoft.graph.group" && item.groupTypes?.includes("Unified"))
      .map((group) => ({
        id: group.id ?? "",
        name: group.displayName ?? "",
        mail: group.mail ?? "",
        description: group.description ?? "",
      }));
    if (groups.length === 0) return { text: "You belong to no Microsoft 365 groups.", structured: { groups } };
    return {
      text: [
        `${groups.length} Microsoft 365 group${groups.length === 1 ? "" : "s"}:`,
        ...groups.map(
          (group) =>
            `- ${group.name} <${group.mail}>${group.description ? `: ${group.description}` : ""} | id: ${group.id}`,
        ),
      ].join("\n"),
      structured: { groups },
    };
  },
});

const entryOutput = z.object({ id: z.string(), from: z.string(), at: z.string(), text: z.string() });

export const getGroupConversations = defineTool({
  name: "getGroupConversations",
  title: "Read group conversations",
  description: "A group's conversation threads, newest first; with threadId, its posts.",
  input: {
    groupId: groupIdInput,
    threadId: threadIdInput.optional(),
    count: countInput(10, 50, "1-50"),
    cursor: cursorInput("nextCursor of the previous call"),
  },
  output: { entries: z.array(entryOutput), nextCursor: nextCursorOutput() },
  scopes: ["Group-Conversation.Read.All"],
  access: "read",
  cacheKind: "teams",
  async run({ groupId, threadId, count, cursor }, { graph }) {
    const root = groupPath(groupId);
    if (threadId) {
      const page = await inGroup(groupId, () =>
        graph.get<GraphPage<Post>>(cursor ?? `${root}/threads/${threadSegment(threadId)}/posts`, {
          query: cursor ? undefined : { $top: count },
        }),
      );
      const entries = page.value.map((post) => ({
        id: post.id ?? "",
        from: formatAddress(post.from?.emailAddress),
        at: shortDateTime(post.receivedDateTime),
        text: readableBody(post.body),
      }));
      const nextCursor = page["@odata.nextLink"];
      return {
        text: [
          `Thread ${threadId}: ${entries.length} post${entries.length === 1 ? "" : "s"}.`,
          ...entries.map((entry) => `- ${entry.at} ${entry.from}: ${entry.text}`),
          ...moreLine(nextCursor),
        ].join("\n"),
        structured: { entries, ...(nextCursor ? { nextCursor } : {}) },
      };
    }
    const page = await inGroup(groupId, () =>
      graph.get<GraphPage<ConversationThread>>(cursor ?? `${root}/threads`, {
        query: cursor ? undefined : { $top: count },
      }),
    );
    const entries = page.value.map((thread) => ({
      id: thread.id ?? "",
      from: (thread.uniqueSenders ?? []).join(", "),
      at: shortDateTime(thread.lastDeliveredDateTime),
      text: `${thread.topic ?? "(no topic)"}: ${thread.preview ?? ""}`,
    }));
    const nextCursor = page["@odata.nextLink"];
    return {
      text: [
        entries.length
          ? `${entries.length} thread${entries.length === 1 ? "" : "s"}, newest first:`
          : "No conversations.",
        ...entries.map((entry) => `- ${entry.at} ${entry.text} (${entry.from}) | threadId: ${entry.id}`),
        ...moreLine(nextCursor),
      ].join("\n"),
      structured: { entries, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});
