import type { Message } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { defineTool } from "./spec.ts";
import { clip, formatAddress, shortDateTime } from "./format.ts";
import { getAttachment, getEmail, listMailFolders } from "./mail-read.ts";
import { composeInput, composeMessage, folderSegment } from "./mail-shared.ts";
import { mailWriteTools } from "./mail-write.ts";

export { registerMailResources } from "./mail-read.ts";

/** Fields a message listing needs; Graph's default response carries ~40 more. */
const LIST_FIELDS = "id,subject,from,receivedDateTime,isRead,importance,hasAttachments,bodyPreview,flag";
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
type MessageSummary = z.infer<typeof messageSummary>;

const listingOutput = {
  messages: z.array(messageSummary),
  nextCursor: z.string().optional().describe("Pass as `cursor` to get the next page"),
};

const countInput = z
  .number()
  .int()
  .min(1)
  .max(50)
  .default(10)
  .describe("How many messages to return, 1-50 (default 10)");
const cursorInput = z
  .string()
  .optional()
  .describe("`nextCursor` from a previous call with the same arguments, for the next page");

interface MessagePage {
  value: Message[];
  "@odata.nextLink"?: string;
}

function summarize(message: Message): MessageSummary {
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
function renderListing(heading: string, messages: MessageSummary[], nextCursor: string | undefined): string {
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
  if (nextCursor) lines.push(`More messages: call again with cursor "${nextCursor}".`);
  return lines.join("\n");
}

export const getEmails = defineTool({
  name: "getEmails",
  title: "List emails",
  description:
    "List recent emails in a mail folder, newest first, with sender, subject, date, flags and a preview. Use searchEmails to find mail by words or people.",
  input: {
    count: countInput,
    folder: z
      .string()
      .min(1)
      .default("inbox")
      .describe("inbox (default), sent, drafts, archive, deleted, junk, or a folder id"),
    unreadOnly: z.boolean().default(false).describe("Only unread messages"),
    cursor: cursorInput,
  },
  output: listingOutput,
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ count, folder, unreadOnly, cursor }, { graph }) {
    const { segment, label } = folderSegment(folder);
    const path = `/me/mailFolders/${segment}/messages`;
    const page = await graph.get<MessagePage>(cursor ?? path, {
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
    });
    const messages = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    return {
      text: renderListing(
        `${label === "folder" ? "Folder" : label[0]?.toUpperCase() + label.slice(1)}${unreadOnly ? " (unread)" : ""}`,
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
    count: countInput,
    cursor: cursorInput,
  },
  output: listingOutput,
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ query, count, cursor }, { graph }) {
    const page = await graph.get<MessagePage>(cursor ?? "/me/messages", {
      // Graph's $search takes a quoted KQL string; inner double quotes would end it early.
      query: cursor ? undefined : { $search: `"${query.replace(/"/g, " ")}"`, $top: count, $select: LIST_FIELDS },
    });
    const messages = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    return {
      text: renderListing(`Search "${query}"`, messages, nextCursor).replace(", newest first.", "."),
      structured: { messages, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

export const sendEmail = defineTool({
  name: "sendEmail",
  title: "Send email",
  description:
    "Send an email from the signed-in user's mailbox. Sends immediately; a copy is saved in Sent Items. Confirm recipients and content with the user first.",
  input: composeInput(true),
  scopes: ["Mail.Send"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run(args, { graph }) {
    const { message, attachmentCount } = composeMessage(args);
    await graph.post("/me/sendMail", { message, saveToSentItems: true });
    const everyone = [...(args.to ?? []), ...(args.cc ?? []), ...(args.bcc ?? [])];
    const attached = attachmentCount ? ` with ${attachmentCount} attachment${attachmentCount === 1 ? "" : "s"}` : "";
    return { text: `Sent "${args.subject}" to ${everyone.join(", ")}${attached}.` };
  },
});

export const mailTools = [
  getEmails,
  searchEmails,
  getEmail,
  getAttachment,
  listMailFolders,
  sendEmail,
  ...mailWriteTools,
];
