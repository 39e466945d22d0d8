/** Reading mail: listings, search, one message in full, one attachment. */
import type { Attachment, Message } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import type { GraphClient } from "../../graph/client.ts";
import { ToolError } from "../../graph/errors.ts";
import { encodeBase64 } from "../shared/base64.ts";
import { formatAddress, formatRecipients, shortDateTime } from "../shared/format.ts";
import { readableBody } from "../shared/html.ts";
import { inMailbox, mailboxInput } from "../shared/mailbox.ts";
import { countInput, cursorInput, type GraphPage } from "../shared/paging.ts";
import { defineTool, scopesWith, type ToolOutput } from "../spec.ts";
import {
  attachmentSummary,
  listingOutput,
  messageOutput,
  renderListing,
  renderMessage,
  summarize,
  summarizeAttachment,
  type MessageView,
} from "./format.ts";
import { folderSegment, formatSize, idSegment, maxCharsInput, messageIdInput } from "./inputs.ts";

/** Fields a message listing needs; Graph's default response carries ~40 more. */
const LIST_FIELDS = "id,subject,from,receivedDateTime,isRead,importance,hasAttachments,bodyPreview,flag";
const MESSAGE_FIELDS =
  "id,subject,from,toRecipients,ccRecipients,receivedDateTime,importance,isRead,isDraft,flag,categories,conversationId,body";
const ATTACHMENT_FIELDS = "id,name,contentType,size,isInline";

const messageCountInput = countInput(10, 50, "How many messages");
const messageCursorInput = cursorInput("`nextCursor` from a previous call with the same arguments, for the next page");
/** Reading mail in another mailbox needs Mail.Read.Shared besides Mail.Read. */
const READ_MAIL = scopesWith(["Mail.Read"], { mailbox: ["Mail.Read.Shared"] });

export const getEmails = defineTool({
  name: "getEmails",
  title: "List emails",
  description:
    "List recent emails in a mail folder, newest first, with sender, subject, date, flags and a preview. Use searchEmails to find mail by words or people.",
  input: {
    count: messageCountInput,
    folder: z.string().min(1).default("inbox").describe("inbox, sent, drafts, archive, deleted, junk, or a folder id"),
    unreadOnly: z.boolean().default(false).describe("Only unread messages"),
    cursor: messageCursorInput,
    mailbox: mailboxInput,
  },
  output: listingOutput,
  ...READ_MAIL,
  access: "read",
  cacheKind: "mail",
  async run({ count, folder, unreadOnly, cursor, mailbox }, { graph }) {
    const { segment, label } = folderSegment(folder);
    const page = await inMailbox(mailbox, (root) =>
      graph.get<GraphPage<Message>>(cursor ?? `${root}/mailFolders/${segment}/messages`, {
        query: cursor
          ? undefined
          : {
              $top: count,
              $select: LIST_FIELDS,
              $orderby: "receivedDateTime desc",
              // Exchange refuses a $filter that does not start with the $orderby
              // property (InefficientFilter), so the date bound leads.
              ...(unreadOnly ? { $filter: "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false" } : {}),
            },
      }),
    );
    const messages = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    return {
      text: renderListing(
        `${label === "folder" ? "Folder" : label[0]?.toUpperCase() + label.slice(1)}${unreadOnly ? " (unread)" : ""}${mailbox ? ` of ${mailbox}` : ""}`,
        messages,
        nextCursor,
      ),
      structured: { messages, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

export const searchEmails = defineTool({
  name: "searchEmails",
  title: "Search emails",
  description:
    "Search all mail folders by words in subject, body or sender (e.g. `budget review`, `from:megan@contoso.com`); returns matches with previews.",
  input: {
    query: z.string().trim().min(1).max(500).describe("Words to search for; supports from:, to:, subject: prefixes"),
    count: messageCountInput,
    cursor: messageCursorInput,
    mailbox: mailboxInput,
  },
  output: listingOutput,
  ...READ_MAIL,
  access: "read",
  cacheKind: "mail",
  async run({ query, count, cursor, mailbox }, { graph }) {
    const page = await inMailbox(mailbox, (root) =>
      graph.get<GraphPage<Message>>(cursor ?? `${root}/messages`, {
        // Graph's $search takes a quoted KQL string; inner double quotes would end it early.
        query: cursor ? undefined : { $search: `"${query.replace(/"/g, " ")}"`, $top: count, $select: LIST_FIELDS },
      }),
    );
    const messages = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    return {
      text: renderListing(`Search "${query}"${mailbox ? ` in ${mailbox}` : ""}`, messages, nextCursor).replace(
        ", newest first.",
        ".",
      ),
      structured: { messages, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

/** One message as a model reads it: headers, the body as text (cut at `maxChars`), the attachments. */
export async function readMessage(
  graph: GraphClient,
  id: string,
  maxChars: number,
  root = "/me",
): Promise<{ view: MessageView; bodyLength: number }> {
  const message = await graph.get<Message>(`${root}/messages/${idSegment(id, "id")}`, {
    query: { $select: MESSAGE_FIELDS, $expand: `attachments($select=${ATTACHMENT_FIELDS})` },
    headers: { Prefer: 'outlook.body-content-type="text"' },
  });
  const body = readableBody(message.body);
  const view: MessageView = {
    id: message.id ?? id,
    subject: message.subject || "(no subject)",
    from: formatAddress(message.from?.emailAddress),
    to: formatRecipients(message.toRecipients),
    ...(message.ccRecipients?.length ? { cc: formatRecipients(message.ccRecipients) } : {}),
    receivedAt: shortDateTime(message.receivedDateTime),
    importance: message.importance ?? "normal",
    isRead: message.isRead ?? false,
    ...(message.isDraft ? { isDraft: true } : {}),
    ...(message.flag?.flagStatus && message.flag.flagStatus !== "notFlagged" ? { flag: message.flag.flagStatus } : {}),
    ...(message.categories?.length ? { categories: message.categories } : {}),
    conversationId: message.conversationId ?? "",
    body: body.length > maxChars ? body.slice(0, maxChars) : body,
    ...(body.length > maxChars ? { bodyTruncated: true } : {}),
    attachments: (message.attachments ?? []).map(summarizeAttachment),
  };
  return { view, bodyLength: body.length };
}

export const getEmail = defineTool({
  name: "getEmail",
  title: "Read email",
  description:
    "Read one email in full: headers, body as text, attachment list. Use after getEmails or searchEmails; use getAttachment for a file's content.",
  input: {
    id: messageIdInput,
    maxChars: maxCharsInput("Longest body to return"),
    mailbox: mailboxInput,
  },
  output: messageOutput,
  ...READ_MAIL,
  access: "read",
  cacheKind: "mail",
  async run({ id, maxChars, mailbox }, { graph }) {
    const read = await inMailbox(mailbox, (root) => readMessage(graph, id, maxChars, root));
    return { text: renderMessage(read, maxChars), structured: read.view };
  },
});

/** Attachments over this size are refused: base64 in a tool result costs a model ~1 token per 3 bytes. */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|xml|csv|x-csv|javascript|x-yaml|yaml|x-ndjson)\b|[^;]*\+(json|xml)\b)/i;
const TEXT_EXTENSIONS = /\.(txt|csv|tsv|json|xml|md|log|ya?ml|ics|vcf|html?)$/i;

export const getAttachment = defineTool({
  name: "getAttachment",
  title: "Read email attachment",
  description:
    "Read one email attachment up to 1 MB: txt, csv, json, xml as text, other files as base64. Ids come from getEmail.",
  input: {
    messageId: messageIdInput,
    attachmentId: z.string().describe("Attachment id from getEmail"),
    maxChars: maxCharsInput("Longest text to return"),
    mailbox: mailboxInput,
  },
  output: {
    ...attachmentSummary.shape,
    encoding: z.enum(["text", "base64"]),
    content: z.string(),
    truncated: z.boolean().optional(),
  },
  ...READ_MAIL,
  access: "read",
  cacheKind: "mail",
  async run({ messageId, attachmentId, maxChars, mailbox }, { graph }) {
    return inMailbox(mailbox, (root) =>
      readAttachment(
        graph,
        `${root}/messages/${idSegment(messageId, "messageId")}/attachments/${idSegment(attachmentId, "attachmentId")}`,
        maxChars,
      ),
    );
  },
});

/** One attachment at `path` as text or base64, refused when it is no file or over the size cap. */
async function readAttachment(graph: GraphClient, path: string, maxChars: number): Promise<ToolOutput> {
  const meta = await graph.get<Attachment & { "@odata.type"?: string }>(path, {
    query: { $select: ATTACHMENT_FIELDS },
  });
  const file = summarizeAttachment(meta);
  const type = meta["@odata.type"] ?? "#microsoft.graph.fileAttachment";
  if (type !== "#microsoft.graph.fileAttachment") {
    throw new ToolError(
      "invalid_input",
      `attachmentId: "${file.name}" is ${type.endsWith("itemAttachment") ? "an attached Outlook item" : "a link to a cloud file"}, not a file; open it in Outlook.`,
    );
  }
  if (file.size > MAX_ATTACHMENT_BYTES) {
    throw new ToolError(
      "payload_too_large",
      `attachmentId: "${file.name}" is ${formatSize(file.size)} (${file.size} bytes); this tool returns attachments up to 1 MB. Open it in Outlook or save it to OneDrive instead.`,
    );
  }
  const { bytes } = await graph.getBytes(`${path}/$value`, MAX_ATTACHMENT_BYTES);
  const header = `${file.name} (${file.contentType}, ${formatSize(bytes.byteLength)}${file.isInline ? ", inline image" : ""})`;
  if (TEXT_TYPES.test(file.contentType) || TEXT_EXTENSIONS.test(file.name)) {
    const text = new TextDecoder("utf-8").decode(bytes);
    const truncated = text.length > maxChars;
    const content = truncated ? text.slice(0, maxChars) : text;
    return {
      text: `${header}, text:\n${content}${truncated ? `\n[Cut at ${maxChars} of ${text.length} characters.]` : ""}`,
      structured: { ...file, encoding: "text", content, ...(truncated ? { truncated } : {}) },
    };
  }
  const base64 = encodeBase64(bytes);
  return {
    text: `${header}, base64:\n${base64}`,
    structured: { ...file, encoding: "base64", content: base64 },
  };
}
