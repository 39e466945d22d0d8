/** Replying in a group conversation: posts at once, as the user, to every member. */
import { z } from "zod";
import { escapeHtml } from "../shared/html.ts";
import { defineTool } from "../spec.ts";
import { groupIdInput, groupPath, inGroup, threadIdInput, threadSegment } from "./inputs.ts";

export const replyToGroupThread = defineTool({
  name: "replyToGroupThread",
  title: "Reply in group conversation",
  description: "Reply in a group conversation thread; all members get it at once. Confirm first.",
  input: {
    groupId: groupIdInput,
    threadId: threadIdInput,
    comment: z.string().min(1).max(100_000).describe("Plain text"),
  },
  scopes: ["Group-Conversation.ReadWrite.All"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["teams"],
  async run({ groupId, threadId, comment }, { graph }) {
    const path = `${groupPath(groupId)}/threads/${threadSegment(threadId)}/reply`;
    await inGroup(groupId, () =>
      graph.post(path, {
        post: { body: { contentType: "html", content: escapeHtml(comment).replace(/\r?\n/g, "<br>") } },
      }),
    );
    return { text: `Replied in thread ${threadId} of group ${groupId}.` };
  },
});
