/** The ids the group tools take, checked before they go into a Graph path. */
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { idSegment, notAGraphId } from "../shared/ids.ts";

export const groupIdInput = z.string().describe("From listGroups");
export const threadIdInput = z.string().describe("From getGroupConversations");

/** "/groups/{id}" for a checked group id. */
export function groupPath(groupId: string, field = "groupId"): string {
  return `/groups/${idSegment(groupId, "guid", notAGraphId(field, groupId))}`;
}

export function threadSegment(threadId: string): string {
  return idSegment(threadId, "exchange", notAGraphId("threadId", threadId));
}

/** Runs `work` on a group, saying so plainly when the user is no member of it or it does not exist. */
export async function inGroup<T>(groupId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GraphError && error.status === 403 && error.graphCode === "ErrorAccessDenied") {
      throw new ToolError(
        "forbidden",
        `You are not a member of the group ${groupId}, which is private; its members can add you.`,
      );
    }
    if (error instanceof GraphError && error.status === 404 && error.graphCode === "Request_ResourceNotFound") {
      throw new ToolError("not_found", `There is no group ${groupId}; listGroups lists yours.`);
    }
    throw error;
  }
}
