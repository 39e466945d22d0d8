/** Teams messages as a model reads them. */
import type { ChatMessage } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip, plural, shortDateTime } from "../shared/format.ts";
import { decodeEntities } from "../shared/html.ts";
import { moreLine, nextCursorOutput } from "../shared/paging.ts";

export const messageOutput = z.object({
  id: z.string(),
  from: z.string(),
  sentAt: z.string(),
  subject: z.string().optional(),
  text: z.string(),
  replies: z.number().optional(),
});
export type MessageSummary = z.infer<typeof messageOutput>;

export const messageListOutput = { messages: z.array(messageOutput), nextCursor: nextCursorOutput() };

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

/** The user, app or device that sent a message. */
export function senderOf(message: ChatMessage): string {
  const from = message.from;
  return from?.user?.displayName ?? from?.application?.displayName ?? from?.device?.displayName ?? "unknown sender";
}

/** A message as a listing shows it, its text cut at `maxChars`. */
export function summarize(message: ChatMessage, maxChars: number): MessageSummary {
  return {
    id: message.id ?? "",
    from: senderOf(message),
    sentAt: shortDateTime(message.createdDateTime),
    ...(message.subject ? { subject: message.subject } : {}),
    text: clip(messageText(message), maxChars),
  };
}

/** A heading and one block per message; `extra` adds a line under the message of that id. */
export function renderMessages(
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
  lines.push(...moreLine(next));
  return lines.join("\n");
}
