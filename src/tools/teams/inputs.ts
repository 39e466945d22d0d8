/** Teams arguments as Graph takes them, and the membership check every Teams read and post goes through. */
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { clip } from "../shared/format.ts";
import { isId, type IdKind } from "../shared/ids.ts";
import { countInput as pageCount, cursorInput as pageCursor } from "../shared/paging.ts";

export const countInput = pageCount(20, 50, "Page size");
export const cursorInput = pageCursor("nextCursor of the previous call");
export const teamIdInput = z.string().min(1).max(100).describe("Team id from listTeams");
export const channelIdInput = z.string().min(1).max(200).describe("Channel id from listChannels");
export const chatIdInput = z.string().min(1).max(200).describe("Chat id from listChats");
export const messageInput = z.string().trim().min(1).max(28_000).describe("Message text");
export const contentTypeInput = z.enum(["text", "html"]).default("text").describe("Format of message");
export const mentionsInput = z
  .array(z.string().min(1).max(320))
  .max(20)
  .optional()
  .describe("Emails or user ids to @mention; put @Name where each goes");

/** `value` as a path segment, after checking it is an id of `kind`: nothing else reaches the path. */
function segment(value: string, field: string, kind: IdKind, expected: string): string {
  if (!isId(kind, value)) {
    throw new ToolError("invalid_input", `${field}: "${clip(value, 60)}" is not ${expected}.`);
  }
  return encodeURIComponent(value);
}

export const teamSegment = (id: string) => segment(id, "teamId", "guid", "a team id (a GUID from listTeams)");
export const channelSegment = (id: string) =>
  segment(id, "channelId", "thread", 'a channel id ("19:...", from listChannels)');
export const chatSegment = (id: string) => segment(id, "chatId", "thread", 'a chat id ("19:...", from listChats)');
export const messageSegment = (id: string) =>
  segment(id, "messageId", "teamsMessage", "a message id (digits, from a listing)");

/**
 * Teams answers 403 both for a missing permission and for a team, channel or
 * chat the user is not a member of; the second is the likely one when the
 * sign-in has the permission, and deserves its own explanation.
 */
export async function asMember<T>(what: "team" | "chat", call: () => Promise<T>): Promise<T> {
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
