/** Pieces the mail tools share: folder names, id checks, recipients, attachment sizes. */
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { base64ByteLength } from "../shared/base64.ts";
import { escapeHtml } from "../shared/html.ts";
import { idSegment as checkedSegment, isId, notAGraphId } from "../shared/ids.ts";

/**
 * Attachments travel base64 inside one MCP request (4 MB at most) and one Graph
 * sendMail request (4 MB at most): 2.5 MiB of files leaves room for both.
 */
export const MAX_INLINE_ATTACHMENT_BYTES = 2.5 * 1024 * 1024;

/** Folder names a model may use, and the well-known names Graph accepts for them wherever a folder id goes. */
export const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: "inbox",
  sent: "sentitems",
  sentitems: "sentitems",
  drafts: "drafts",
  archive: "archive",
  deleted: "deleteditems",
  deleteditems: "deleteditems",
  junk: "junkemail",
  junkemail: "junkemail",
};

/** `value` as a path segment, after checking it looks like an Exchange id; the error names `field`. */
export function idSegment(value: string, field: string): string {
  return checkedSegment(value, "exchange", notAGraphId(field, value));
}

/** A folder as a Graph path segment or destinationId: a well-known name, or a checked folder id. */
export function folderSegment(folder: string, field = "folder"): { segment: string; label: string } {
  const wellKnown = WELL_KNOWN_FOLDERS[folder.toLowerCase()];
  if (wellKnown) return { segment: wellKnown, label: folder.toLowerCase() };
  if (!isId("exchange", folder)) {
    throw new ToolError(
      "invalid_input",
      `${field}: "${folder.slice(0, 80)}" is neither a folder name (inbox, sent, drafts, archive, deleted, junk) nor a folder id.`,
    );
  }
  return { segment: encodeURIComponent(folder), label: "folder" };
}

export const DEFAULT_BODY_CHARS = 20_000;
export const MAX_BODY_CHARS = 100_000;

/** How much of a body or attachment text a read returns: 500 characters up to MAX_BODY_CHARS. */
export function maxCharsInput(description: string) {
  return z.number().int().min(500).max(MAX_BODY_CHARS).default(DEFAULT_BODY_CHARS).describe(description);
}

export const messageIdInput = z.string().describe("Message id from getEmails or searchEmails");
export const folderInput = z.string().min(1).describe("inbox, sent, drafts, archive, deleted, junk, or a folder id");
/** Graph enforces its own recipient limit (500) and says so; no bound is advertised here. */
export const recipientList = z.array(z.email());
export const commentTypeInput = z.enum(["text", "html"]).default("text").describe("Format of comment");

/** A comment for reply and forward: Exchange reads it as HTML, so plain text is escaped and its lines kept. */
export function commentHtml(comment: string, type: "text" | "html"): string {
  if (type === "html") return comment;
  return escapeHtml(comment).replace(/\r?\n/g, "<br>");
}

export function recipients(addresses: readonly string[] | undefined): { emailAddress: { address: string } }[] {
  return (addresses ?? []).map((address) => ({ emailAddress: { address } }));
}

/** "812 B", "120 KB", "1.6 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** The compose inputs sendEmail and createDraft share. */
export const bodyTypeInput = z.enum(["text", "html"]).default("text");
export const importanceInput = z.enum(["low", "normal", "high"]).default("normal");

/** The attachments input of sendEmail and createDraft. */
export const attachmentsInput = z
  .array(
    z.object({
      name: z.string().describe("File name with extension"),
      contentBase64: z.base64().describe("Base64 content"),
      contentType: z.string().optional().describe("MIME type, e.g. application/pdf"),
    }),
  )
  .optional()
  .describe("Files to attach, 2.5 MB in total at most");

type AttachmentArgs = z.infer<typeof attachmentsInput>;

/** Graph's fileAttachment list for `attachments`, refused over the inline limit before anything is sent. */
export function fileAttachments(attachments: AttachmentArgs): Record<string, string>[] {
  const total = (attachments ?? []).reduce((sum, file) => sum + base64ByteLength(file.contentBase64), 0);
  if (total > MAX_INLINE_ATTACHMENT_BYTES) {
    throw new ToolError(
      "payload_too_large",
      `attachments: ${(total / 1048576).toFixed(1)} MB in total; an email sent in one request can carry at most 2.5 MB of attachments. Share larger files as links (OneDrive) instead.`,
    );
  }
  return (attachments ?? []).map((file) => ({
    "@odata.type": "#microsoft.graph.fileAttachment",
    name: file.name,
    contentType: file.contentType ?? "application/octet-stream",
    contentBytes: file.contentBase64,
  }));
}

/** The fields of a new message, shared by sendEmail (recipients required) and createDraft. */
export function composeInput(recipientsRequired: boolean) {
  return {
    to: (recipientsRequired ? recipientList.min(1) : recipientList.optional()).describe("Recipient email addresses"),
    cc: recipientList.optional().describe("Cc email addresses"),
    bcc: recipientList.optional().describe("Bcc email addresses"),
    subject: z.string().max(255).describe("Subject line"),
    body: z.string().max(1_000_000).describe("Message body"),
    bodyType: bodyTypeInput,
    importance: importanceInput,
    attachments: attachmentsInput,
  };
}

export interface ComposeArgs {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  bodyType: "text" | "html";
  importance: "low" | "normal" | "high";
  attachments?: AttachmentArgs;
}

/** Graph's message resource for composed arguments; attachments checked against the inline cap. */
export function composeMessage(args: ComposeArgs): { message: Record<string, unknown>; attachmentCount: number } {
  const files = fileAttachments(args.attachments);
  return {
    message: {
      subject: args.subject,
      body: { contentType: args.bodyType === "html" ? "HTML" : "Text", content: args.body },
      toRecipients: recipients(args.to),
      ccRecipients: recipients(args.cc),
      bccRecipients: recipients(args.bcc),
      importance: args.importance,
      ...(files.length ? { attachments: files } : {}),
    },
    attachmentCount: files.length,
  };
}
