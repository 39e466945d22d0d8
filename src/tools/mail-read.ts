/** Reading mail in depth: one message in full, one attachment, the folder tree; and the message resource. */
import type { Attachment, MailFolder, Message } from "@microsoft/microsoft-graph-types";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { GraphClient } from "../graph/client.ts";
import { GraphError, ToolError, toolErrorFromGraph } from "../graph/errors.ts";
import { defineTool, type ToolContext } from "./spec.ts";
import { formatAddress, formatRecipients, shortDateTime } from "./format.ts";
import { folderSegment, formatSize, idSegment, messageIdInput } from "./mail-shared.ts";
import { readableBody } from "./mail-text.ts";

const DEFAULT_BODY_CHARS = 20_000;
const MAX_BODY_CHARS = 100_000;
const MESSAGE_FIELDS =
  "id,subject,from,toRecipients,ccRecipients,receivedDateTime,importance,isRead,isDraft,flag,categories,conversationId,body";
const ATTACHMENT_FIELDS = "id,name,contentType,size,isInline";

const attachmentSummary = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number(),
  isInline: z.boolean().optional(),
});
type AttachmentSummary = z.infer<typeof attachmentSummary>;

const messageOutput = {
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
type MessageView = z.infer<z.ZodObject<typeof messageOutput>>;

function summarizeAttachment(attachment: Attachment): AttachmentSummary {
  return {
    id: attachment.id ?? "",
    name: attachment.name ?? "(unnamed)",
    contentType: attachment.contentType ?? "application/octet-stream",
    size: attachment.size ?? 0,
    ...(attachment.isInline ? { isInline: true } : {}),
  };
}

/** One message as a model reads it: headers, the body as text (cut at `maxChars`), the attachments. */
async function readMessage(
  graph: GraphClient,
  id: string,
  maxChars: number,
): Promise<{ view: MessageView; bodyLength: number }> {
  const message = await graph.get<Message>(`/me/messages/${idSegment(id, "id")}`, {
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

function renderMessage({ view, bodyLength }: { view: MessageView; bodyLength: number }, maxChars: number): string {
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

export const getEmail = defineTool({
  name: "getEmail",
  title: "Read email",
  description:
    "Read one email in full: headers, body as text, attachment list. Use after getEmails or searchEmails; use getAttachment for a file's content.",
  input: {
    id: messageIdInput,
    maxChars: z
      .number()
      .int()
      .min(500)
      .max(MAX_BODY_CHARS)
      .default(DEFAULT_BODY_CHARS)
      .describe("Longest body to return (default 20000)"),
  },
  output: messageOutput,
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ id, maxChars }, { graph }) {
    const read = await readMessage(graph, id, maxChars);
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
    maxChars: z
      .number()
      .int()
      .min(500)
      .max(MAX_BODY_CHARS)
      .default(DEFAULT_BODY_CHARS)
      .describe("Longest text to return (default 20000)"),
  },
  output: {
    ...attachmentSummary.shape,
    encoding: z.enum(["text", "base64"]),
    content: z.string(),
    truncated: z.boolean().optional(),
  },
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ messageId, attachmentId, maxChars }, { graph }) {
    const path = `/me/messages/${idSegment(messageId, "messageId")}/attachments/${idSegment(attachmentId, "attachmentId")}`;
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
    const base64 = toBase64(bytes);
    return {
      text: `${header}, base64:\n${base64}`,
      structured: { ...file, encoding: "base64", content: base64 },
    };
  },
});

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

const FOLDER_FIELDS = "id,displayName,childFolderCount,unreadItemCount,totalItemCount";
/** Folders per request; a mailbox with more in one place is rare, and the note says so. */
const FOLDERS_PER_LEVEL = 100;
/** Child folder requests per call, however deep the tree. */
const MAX_FOLDER_REQUESTS = 25;

interface FolderPage {
  value: MailFolder[];
  "@odata.nextLink"?: string;
}

const folderSummary = z.object({
  id: z.string(),
  path: z.string(),
  unread: z.number(),
  total: z.number(),
  childFolderCount: z.number(),
});
type FolderSummary = z.infer<typeof folderSummary>;

export const listMailFolders = defineTool({
  name: "listMailFolders",
  title: "List mail folders",
  description:
    "List mail folders with unread and total counts and ids, subfolders included, to pick a folder for getEmails or moveEmail.",
  input: {
    parentFolder: z.string().optional().describe("List under this folder (name or id); default: top level"),
    depth: z.number().int().min(1).max(5).default(2).describe("Subfolder levels to include, 1-5 (default 2)"),
  },
  output: { folders: z.array(folderSummary) },
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ parentFolder, depth }, { graph }) {
    const folders: (FolderSummary & { name: string; level: number })[] = [];
    let requests = 0;
    const notes: string[] = [];
    const visit = async (path: string, prefix: string, level: number): Promise<void> => {
      requests++;
      const page = await graph.get<FolderPage>(path, { query: { $top: FOLDERS_PER_LEVEL, $select: FOLDER_FIELDS } });
      for (const folder of page.value) {
        const name = folder.displayName ?? "(unnamed)";
        const summary = {
          id: folder.id ?? "",
          path: prefix ? `${prefix}/${name}` : name,
          unread: folder.unreadItemCount ?? 0,
          total: folder.totalItemCount ?? 0,
          childFolderCount: folder.childFolderCount ?? 0,
          name,
          level,
        };
        folders.push(summary);
        if (summary.childFolderCount === 0 || level >= depth) continue;
        if (requests >= MAX_FOLDER_REQUESTS) {
          notes.push(`Subfolders of ${summary.path} not listed; call again with parentFolder set to its id.`);
          continue;
        }
        // Depth first: each folder's subfolders follow it, so the text reads as a tree.
        await visit(`/me/mailFolders/${idSegment(summary.id, "id")}/childFolders`, summary.path, level + 1);
      }
      if (page["@odata.nextLink"]) {
        notes.push(
          `${prefix || "The top level"} has more than ${FOLDERS_PER_LEVEL} folders; the first ${FOLDERS_PER_LEVEL} are listed.`,
        );
      }
    };
    const start = parentFolder
      ? `/me/mailFolders/${folderSegment(parentFolder, "parentFolder").segment}/childFolders`
      : "/me/mailFolders";
    await visit(start, "", 1);
    const unread = folders.reduce((sum, folder) => sum + folder.unread, 0);
    const heading = parentFolder ? `Folders under ${parentFolder}` : "Mail folders";
    if (folders.length === 0) return { text: `${heading}: none.`, structured: { folders: [] } };
    const lines = [
      `${heading}: ${folders.length}, ${unread} unread message${unread === 1 ? "" : "s"}.`,
      ...folders.map(
        (folder) =>
          `${"  ".repeat(folder.level - 1)}- ${folder.name}: ${folder.unread} unread / ${folder.total} total${folder.childFolderCount && folder.level >= depth ? ` (+${folder.childFolderCount} subfolders)` : ""} | id: ${folder.id}`,
      ),
      ...notes,
    ];
    return {
      text: lines.join("\n"),
      structured: { folders: folders.map(({ name: _name, level: _level, ...folder }) => folder) },
    };
  },
});

/** `microsoft://messages/{id}`: a message as getEmail renders it, for clients that attach resources. */
export function registerMailResources(server: McpServer, context: () => ToolContext): void {
  server.registerResource(
    "message",
    new ResourceTemplate("microsoft://messages/{id}", { list: undefined }),
    {
      title: "Email message",
      description: "One email as text: headers, body, attachment list (the getEmail view)",
      mimeType: "text/plain",
    },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables.id ?? ""));
      try {
        const read = await readMessage(context().graph, id, DEFAULT_BODY_CHARS);
        const text = renderMessage(read, DEFAULT_BODY_CHARS);
        return { contents: [{ uri: uri.href, mimeType: "text/plain", text }] };
      } catch (error) {
        const toolError =
          error instanceof GraphError
            ? toolErrorFromGraph(error, ["Mail.Read"])
            : error instanceof ToolError
              ? error
              : undefined;
        if (!toolError) throw error;
        // MCP's code for a resource that does not exist is -32002.
        throw new McpError(
          toolError.code === "not_found"
            ? -32002
            : toolError.code === "invalid_input"
              ? ErrorCode.InvalidParams
              : ErrorCode.InternalError,
          `${toolError.code}: ${toolError.message}`,
        );
      }
    },
  );
}
