/** What Graph's mail resources are made of, and what the emulator lets clients filter, sort and search by. */
import { htmlToText } from "../html-text.ts";
import type { StoredFolder, StoredMessage } from "../model.ts";
import type { CollectionSpec } from "./odata/collection.ts";
import type { FilterSchema } from "./odata/filter.ts";
import type { EntitySchema } from "./odata/select.ts";

export const MESSAGE_SCHEMA: EntitySchema = {
  type: "microsoft.graph.message",
  properties: [
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "sentDateTime",
    "hasAttachments",
    "internetMessageId",
    "subject",
    "bodyPreview",
    "importance",
    "parentFolderId",
    "conversationId",
    "conversationIndex",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "isRead",
    "isDraft",
    "webLink",
    "inferenceClassification",
    "body",
    "uniqueBody",
    "sender",
    "from",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "flag",
    "internetMessageHeaders",
  ],
  alwaysSelected: ["id"],
};

export const FOLDER_SCHEMA: EntitySchema = {
  type: "microsoft.graph.mailFolder",
  properties: [
    "id",
    "displayName",
    "parentFolderId",
    "childFolderCount",
    "unreadItemCount",
    "totalItemCount",
    "sizeInBytes",
    "isHidden",
  ],
  alwaysSelected: ["id"],
};

export const ATTACHMENT_SCHEMA: EntitySchema = {
  type: "microsoft.graph.attachment",
  properties: [
    "id",
    "lastModifiedDateTime",
    "name",
    "contentType",
    "size",
    "isInline",
    "contentId",
    "contentLocation",
    "contentBytes",
  ],
  alwaysSelected: ["id"],
};

const MESSAGE_FILTER: FilterSchema = {
  isRead: { kind: "boolean" },
  isDraft: { kind: "boolean" },
  hasAttachments: { kind: "boolean" },
  importance: { kind: "enum", type: "microsoft.graph.importance", members: ["low", "normal", "high"] },
  inferenceClassification: {
    kind: "enum",
    type: "microsoft.graph.inferenceClassificationType",
    members: ["focused", "other"],
  },
  "flag/flagStatus": {
    kind: "enum",
    type: "microsoft.graph.followupFlagStatus",
    members: ["notFlagged", "complete", "flagged"],
  },
  receivedDateTime: { kind: "dateTime" },
  sentDateTime: { kind: "dateTime" },
  createdDateTime: { kind: "dateTime" },
  lastModifiedDateTime: { kind: "dateTime" },
  "from/emailAddress/address": { kind: "string" },
  "from/emailAddress/name": { kind: "string" },
  "sender/emailAddress/address": { kind: "string" },
  conversationId: { kind: "string" },
  parentFolderId: { kind: "string" },
  subject: { kind: "string" },
  internetMessageId: { kind: "string" },
};

function addresses(recipients: StoredMessage["toRecipients"]): string {
  return (recipients ?? [])
    .map((entry) => `${entry.emailAddress?.name ?? ""} ${entry.emailAddress?.address ?? ""}`)
    .join("\n");
}

/** The text of each KQL property of a message. */
function searchFields(message: StoredMessage): Record<string, string> {
  const from = addresses(message.from ? [message.from] : []);
  const to = addresses(message.toRecipients);
  const cc = addresses(message.ccRecipients);
  const bcc = addresses(message.bccRecipients);
  const body =
    message.body?.contentType === "html" ? htmlToText(message.body.content ?? "") : (message.body?.content ?? "");
  return {
    from,
    to,
    cc,
    bcc,
    recipients: [to, cc, bcc].join("\n"),
    participants: [from, to, cc, bcc].join("\n"),
    subject: message.subject ?? "",
    body,
    attachment: message.attachments.map((attachment) => attachment.name).join("\n"),
  };
}

export const MESSAGE_COLLECTION: CollectionSpec<StoredMessage> = {
  entity: MESSAGE_SCHEMA,
  filter: MESSAGE_FILTER,
  sortable: [
    "receivedDateTime",
    "sentDateTime",
    "createdDateTime",
    "lastModifiedDateTime",
    "subject",
    "importance",
    "isRead",
    "hasAttachments",
    "from/emailAddress/name",
    "from/emailAddress/address",
  ],
  defaultOrder: [{ property: "receivedDateTime", descending: true }],
  search: {
    fields: searchFields,
    // Graph matches a term without a property against from, subject and body.
    defaults: ["from", "subject", "body"],
    properties: ["from", "to", "cc", "bcc", "recipients", "participants", "subject", "body", "attachment"],
    maxResults: 1000,
  },
  defaultTop: 10,
  maxTop: 1000,
  orderByMustLeadFilter: true,
};

export const FOLDER_COLLECTION: CollectionSpec<StoredFolder> = {
  entity: FOLDER_SCHEMA,
  filter: { displayName: { kind: "string" } },
  sortable: ["displayName"],
  defaultOrder: [{ property: "displayName", descending: false }],
  defaultTop: 10,
  maxTop: 1000,
};
