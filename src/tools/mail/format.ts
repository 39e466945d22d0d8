/** Messages as a model reads them: listing lines, the full message view, attachment summaries. */
import type { Attachment, Message } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip, formatAddress, shortDateTime } from "../shared/format.ts";
import { moreLine, nextCursorOutput } from "../shared/paging.ts";
import { formatSize, MAX_BODY_CHARS } from "./inputs.ts";

const PREVIEW_CHARS = 140;

const messageSummary = z.object({
  id: z.string(),
  subject: z.string(),
  from: z.string(),
  receivedAt: z.string(),
  isRead: z.boolean(),
  importance: z.string(),
  hasAttachments: z.boolean(),
  flagged: z.boolean(),
  preview: z.string(),
});
export type MessageSummary = z.infer<typeof messageSummary>;

export const listingOutput = {
  messages: z.array(messageSummary),
  nextCursor: nextCursorOutput(),
};

/** A message as a listing shows it. */
export function summarize(message: Message): MessageSummary {
  return {
    id: message.id ?? "",
    subject: message.subject || "(no subject)",
    from: formatAddress(message.from?.emailAddress),
    receivedAt: shortDateTime(message.receivedDateTime),
    isRead: message.isRead ?? false,
    importance: message.importance ?? "normal",
    hasAttachments: message.hasAttachments ?? false,
    flagged: message.flag?.flagStatus === "flagged",
    preview: clip(message.bodyPreview, PREVIEW_CHARS),
  };
}

/** One line of facts and one of preview per message: what a model needs to pick one. */
export function renderListing(heading: string, messages: MessageSummary[], nextCursor: string | undefined): string {
  if (messages.length === 0) return `${heading}: no messages.`;
  const lines = [`${heading}: ${messages.length} message${messages.length === 1 ? "" : "s"}, newest first.`];
  messages.forEach((message, index) => {
    const marks = [
      message.isRead ? "" : "unread",
      message.importance === "high" ? "high" : "",
      message.flagged ? "flagged" : "",
      message.hasAttachments ? "attachments" : "",
    ].filter(Boolean);
    lines.push(
      `${index + 1}. ${message.receivedAt} | ${message.from} | ${message.subject}${marks.length ? ` [${marks.join(", ")}]` : ""}`,
      `   ${message.preview}`,
      `   id: ${message.id}`,
    );
  });
  lines.push(...moreLine(nextCursor, "More messages"));
  return lines.join("\n");
}

export const attachmentSummary = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number(),
  isInline: z.boolean().optional(),
});
type AttachmentSummary = z.infer<typeof attachmentSummary>;

export const messageOutput = {
  id: z.string(),
  subject: z.string(),
  from: z.string(),
  to: z.string(),
  cc: z.string().optional(),
  receivedAt: z.string(),
  importance: z.string(),
  isRead: z.boolean(),
  isDraft: z.boolean().optional(),
  flag: z.string().optional(),
  categories: z.array(z.string()).optional(),
  conversationId: z.string(),
  body: z.string(),
  bodyTruncated: z.boolean().optional(),
  attachments: z.array(attachmentSummary),
};
export type MessageView = z.infer<z.ZodObject<typeof messageOutput>>;

/** An attachment as getEmail lists it. */
export function summarizeAttachment(attachment: Attachment): AttachmentSummary {
  return {
    id: attachment.id ?? "",
    name: attachment.name ?? "(unnamed)",
    contentType: attachment.contentType ?? "application/octet-stream",
    size: attachment.size ?? 0,
    ...(attachment.isInline ? { isInline: true } : {}),
  };
}

/** A message as getEmail shows it, with a note when the body was cut at `maxChars`. */
export function renderMessage(
  { view, bodyLength }: { view: MessageView; bodyLength: number },
  maxChars: number,
): string {
  const marks = [
    view.isDraft ? "draft" : "",
    view.isRead ? "" : "unread",
    view.importance === "normal" ? "" : `${view.importance} importance`,
    view.flag === "complete" ? "flag complete" : view.flag ? "flagged" : "",
    view.categories ? `categories: ${view.categories.join(", ")}` : "",
  ].filter(Boolean);
  const lines = [
    `Subject: ${view.subject}`,
    `From: ${view.from || "(none)"}`,
    `To: ${view.to || "(none)"}`,
    ...(view.cc ? [`Cc: ${view.cc}`] : []),
    `Date: ${view.receivedAt}${marks.length ? ` | ${marks.join(" | ")}` : ""}`,
    `id: ${view.id}`,
    `conversationId: ${view.conversationId}`,
  ];
  if (view.attachments.length) {
    lines.push(`Attachments (${view.attachments.length}; read one with getAttachment):`);
    for (const file of view.attachments) {
      lines.push(
        `- ${file.name} (${file.contentType}, ${formatSize(file.size)}${file.isInline ? ", inline image" : ""}) id: ${file.id}`,
      );
    }
  }
  lines.push("", view.body || "(empty body)");
  if (view.bodyTruncated) {
    lines.push(
      "",
      `[Body cut at ${maxChars} of ${bodyLength} characters${maxChars < MAX_BODY_CHARS ? `; call again with maxChars up to ${MAX_BODY_CHARS} for more` : ""}.]`,
    );
  }
  return lines.join("\n");
}
