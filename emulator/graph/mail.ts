/** Mail endpoints: folders, messages (list, search, filter, page, read), attachments, sendMail. */
import type { MailFolder, Message, Recipient } from "@microsoft/microsoft-graph-types";
import { jsonBody } from "../http.ts";
import {
  folderId,
  graphId,
  resolveFolderId,
  type Mailbox,
  type StoredAttachment,
  type StoredMessage,
} from "../seed.ts";
import { findUser, type DemoUser } from "../tenant.ts";
import { applySelect, queryCollection, type CollectionOptions } from "./odata.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ_MAIL = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];

const MESSAGE_QUERY: CollectionOptions<StoredMessage> = {
  filterable: [
    "isRead",
    "importance",
    "hasAttachments",
    "receivedDateTime",
    "sentDateTime",
    "from/emailAddress/address",
    "conversationId",
    "flag/flagStatus",
    "isDraft",
    "inferenceClassification",
    "subject",
    "parentFolderId",
  ],
  sortable: ["receivedDateTime", "sentDateTime", "subject", "importance"],
  defaultOrder: { field: "receivedDateTime", descending: true },
  defaultTop: 10,
  maxTop: 1000,
  searchText: (message) => {
    const from = `${message.from?.emailAddress?.name ?? ""} ${message.from?.emailAddress?.address ?? ""}`;
    const to = [...(message.toRecipients ?? []), ...(message.ccRecipients ?? [])]
      .map((recipient) => `${recipient.emailAddress?.name ?? ""} ${recipient.emailAddress?.address ?? ""}`)
      .join(" ");
    const subject = message.subject ?? "";
    const attachments = message.attachments.map((attachment) => attachment.name ?? "").join(" ");
    return { all: `${subject} ${message.body?.content ?? ""} ${from} ${to} ${attachments}`, from, to, subject };
  },
};

function mailbox(context: GraphContext): Mailbox {
  return context.state.mailboxes.get(context.user.id)!;
}

/** Plain text from an HTML body, as Graph's text body preference returns it. */
export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>/gi, "\n\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function prefersText(context: GraphContext): boolean {
  return /outlook\.body-content-type\s*=\s*"?text"?/i.test(context.request.headers.prefer ?? "");
}

function etag(message: StoredMessage): string {
  return `W/"CQAAABYAAAA${graphId("", message.id, message.lastModifiedDateTime ?? "").slice(0, 24)}"`;
}

/** A stored message as Graph returns it. */
function present(context: GraphContext, message: StoredMessage): Record<string, unknown> {
  const { attachments, ...rest } = message;
  const resource: Record<string, unknown> = { "@odata.etag": etag(message), ...rest };
  if (prefersText(context) && message.body?.contentType === "html") {
    resource.body = { contentType: "text", content: htmlToText(message.body.content ?? "") };
  }
  if ((context.request.url.searchParams.get("$expand") ?? "").includes("attachments")) {
    resource.attachments = attachments.map((attachment) => ({ ...attachment }));
  }
  const select = context.request.url.searchParams.get("$select");
  const selected = applySelect(resource, select);
  if (resource.attachments && select) selected.attachments = resource.attachments;
  return selected;
}

function preferenceHeaders(context: GraphContext): Record<string, string> {
  return prefersText(context) ? { "Preference-Applied": 'outlook.body-content-type="text"' } : {};
}

function findFolder(context: GraphContext, idOrName: string): MailFolder {
  const id = resolveFolderId(context.user, idOrName);
  const folder = mailbox(context).folders.find((candidate) => candidate.id === id);
  if (!folder) throw new GraphFailure(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return folder;
}

function findMessage(context: GraphContext, id: string): StoredMessage {
  const message = mailbox(context).messages.get(id);
  if (!message) throw new GraphFailure(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return message;
}

function folderWithCounts(context: GraphContext, folder: MailFolder): Record<string, unknown> {
  const messages = [...mailbox(context).messages.values()].filter((message) => message.parentFolderId === folder.id);
  return {
    ...folder,
    totalItemCount: messages.length,
    unreadItemCount: messages.filter((message) => !message.isRead).length,
  };
}

function listMessages(context: GraphContext, folder?: MailFolder) {
  const all = [...mailbox(context).messages.values()];
  const inScope = folder ? all.filter((message) => message.parentFolderId === folder.id) : all;
  const page = queryCollection(context.request, inScope, MESSAGE_QUERY);
  const select = context.request.url.searchParams.get("$select");
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/messages${select ? `(${select})` : ""}`,
      ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
      value: page.items.map((message) => present(context, message)),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
    },
    preferenceHeaders(context),
  );
}

function isRecipientList(value: unknown): value is Recipient[] {
  return Array.isArray(value) && value.every((entry) => typeof entry?.emailAddress?.address === "string");
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function sendMail(context: GraphContext) {
  const payload = jsonBody(context.request) as
    { message?: Message & { attachments?: unknown[] }; saveToSentItems?: boolean } | undefined;
  if (!payload || typeof payload.message !== "object" || payload.message === null) {
    throw new GraphFailure(
      400,
      "ErrorInvalidRequest",
      "Cannot read the request body: expected an object with a 'message' property.",
    );
  }
  const { message } = payload;
  const lists = [message.toRecipients ?? [], message.ccRecipients ?? [], message.bccRecipients ?? []];
  if (!lists.every(isRecipientList))
    throw new GraphFailure(400, "ErrorInvalidRecipients", "At least one recipient is not valid.");
  const everyone = lists.flat() as Recipient[];
  if (everyone.length === 0)
    throw new GraphFailure(400, "ErrorInvalidRecipients", "At least one recipient is required.");
  const invalid = everyone.find((entry) => !ADDRESS.test(entry.emailAddress?.address ?? ""));
  if (invalid)
    throw new GraphFailure(
      400,
      "ErrorInvalidRecipients",
      `At least one recipient is not valid., Recipient '${invalid.emailAddress?.address}' is not resolved.`,
    );
  const attachments: StoredAttachment[] = [];
  for (const [index, raw] of (message.attachments ?? []).entries()) {
    const attachment = raw as {
      "@odata.type"?: string;
      name?: string;
      contentBytes?: string;
      contentType?: string;
      isInline?: boolean;
    };
    if (
      attachment["@odata.type"] !== "#microsoft.graph.fileAttachment" ||
      !attachment.name ||
      typeof attachment.contentBytes !== "string"
    ) {
      throw new GraphFailure(
        400,
        "ErrorInvalidRequest",
        "Each attachment must be a #microsoft.graph.fileAttachment with name and contentBytes.",
      );
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(attachment.contentBytes)) {
      throw new GraphFailure(
        400,
        "ErrorInvalidRequest",
        `The contentBytes of attachment '${attachment.name}' is not valid base64.`,
      );
    }
    attachments.push({
      "@odata.type": "#microsoft.graph.fileAttachment",
      id: graphId("AAMkAGAtt", context.request.requestId, index),
      name: attachment.name,
      contentType: attachment.contentType ?? "application/octet-stream",
      size: Buffer.from(attachment.contentBytes, "base64").length,
      isInline: attachment.isInline ?? false,
      lastModifiedDateTime: new Date().toISOString(),
      contentBytes: attachment.contentBytes,
    });
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const sender: Recipient = { emailAddress: { name: context.user.displayName, address: context.user.mail } };
  const bodyType = (message.body?.contentType ?? "text").toLowerCase() === "html" ? "html" : "text";
  const content = message.body?.content ?? "";
  const conversationId = graphId("AAQkAGConv", context.request.requestId);
  const copyFor = (owner: DemoUser, folder: string, isRead: boolean): StoredMessage => ({
    id: graphId("AAMkAGI2", owner.id, context.request.requestId),
    createdDateTime: now,
    lastModifiedDateTime: now,
    receivedDateTime: now,
    sentDateTime: now,
    hasAttachments: attachments.length > 0,
    subject: message.subject ?? "",
    bodyPreview: (bodyType === "html" ? htmlToText(content) : content).slice(0, 255),
    importance: message.importance ?? "normal",
    parentFolderId: folderId(owner, folder),
    conversationId,
    isRead,
    isDraft: false,
    body: { contentType: bodyType, content },
    sender,
    from: sender,
    toRecipients: message.toRecipients ?? [],
    ccRecipients: message.ccRecipients ?? [],
    bccRecipients: owner.id === context.user.id ? (message.bccRecipients ?? []) : [],
    replyTo: [],
    categories: [],
    flag: { flagStatus: "notFlagged" },
    attachments: attachments.map((attachment) => ({ ...attachment })),
  });
  if (payload.saveToSentItems !== false) {
    const copy = copyFor(context.user, "sentitems", true);
    mailbox(context).messages.set(copy.id, copy);
  }
  const delivered = new Set<string>();
  for (const entry of everyone) {
    const recipient = findUser(entry.emailAddress?.address ?? "");
    if (!recipient || delivered.has(recipient.id)) continue;
    delivered.add(recipient.id);
    const copy = copyFor(recipient, "inbox", false);
    context.state.mailboxes.get(recipient.id)!.messages.set(copy.id, copy);
  }
  return graphEmpty(context.request, 202);
}

export const mailRoutes: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^\/me\/mailFolders$/,
    anyScope: READ_MAIL,
    handle(context) {
      const top = mailbox(context).folders.filter((folder) => folder.parentFolderId === folderId(context.user, "root"));
      const page = queryCollection(context.request, top, {
        filterable: ["displayName"],
        sortable: ["displayName"],
        defaultTop: 10,
        maxTop: 1000,
      });
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/mailFolders`,
        value: page.items.map((folder) =>
          applySelect(folderWithCounts(context, folder), context.request.url.searchParams.get("$select")),
        ),
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/mailFolders\/([^/]+)$/,
    anyScope: READ_MAIL,
    handle(context) {
      const folder = findFolder(context, context.params[0]!);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/mailFolders/$entity`,
        ...applySelect(folderWithCounts(context, folder), context.request.url.searchParams.get("$select")),
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/mailFolders\/([^/]+)\/childFolders$/,
    anyScope: READ_MAIL,
    handle(context) {
      const parent = findFolder(context, context.params[0]!);
      const children = mailbox(context).folders.filter((folder) => folder.parentFolderId === parent.id);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/mailFolders('${parent.id}')/childFolders`,
        value: children.map((folder) => folderWithCounts(context, folder)),
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/mailFolders\/([^/]+)\/messages$/,
    anyScope: READ_MAIL,
    handle: (context) => listMessages(context, findFolder(context, context.params[0]!)),
  },
  { method: "GET", pattern: /^\/me\/messages$/, anyScope: READ_MAIL, handle: (context) => listMessages(context) },
  {
    method: "GET",
    pattern: /^\/me\/messages\/([^/]+)$/,
    anyScope: READ_MAIL,
    handle(context) {
      const message = findMessage(context, context.params[0]!);
      return graphJson(
        context.request,
        200,
        {
          "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/messages/$entity`,
          ...present(context, message),
        },
        preferenceHeaders(context),
      );
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/messages\/([^/]+)\/attachments$/,
    anyScope: READ_MAIL,
    handle(context) {
      const message = findMessage(context, context.params[0]!);
      const select = context.request.url.searchParams.get("$select");
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/messages('${message.id}')/attachments`,
        value: message.attachments.map((attachment) => {
          const selected = applySelect(attachment, select);
          if (select) selected["@odata.type"] = attachment["@odata.type"];
          return selected;
        }),
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/messages\/([^/]+)\/attachments\/([^/]+)$/,
    anyScope: READ_MAIL,
    handle(context) {
      const message = findMessage(context, context.params[0]!);
      const attachment = message.attachments.find((candidate) => candidate.id === context.params[1]);
      if (!attachment)
        throw new GraphFailure(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/messages('${message.id}')/attachments/$entity`,
        ...attachment,
      });
    },
  },
  { method: "POST", pattern: /^\/me\/sendMail$/, anyScope: ["Mail.Send"], handle: sendMail },
];
