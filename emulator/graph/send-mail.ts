/**
 * POST /me/sendMail: validates the request the way Graph does, then delivers:
 * a copy in the sender's Sent Items (unless saveToSentItems is false) and an
 * unread copy in the Inbox of every recipient who is a user of the tenant.
 * The reading and delivering parts serve drafts, reply and forward too.
 */
import type { Recipient } from "@microsoft/microsoft-graph-types";
import { stableId } from "../data/random.ts";
import { isoSeconds } from "../data/time.ts";
import { bodyPreview, htmlToText } from "../html-text.ts";
import { jsonBody, type EmulatorResponse } from "../http.ts";
import type { StoredAttachment, StoredMessage } from "../model.ts";
import { findUser } from "../tenant.ts";
import { readExtendedProperties, type ExtendedProperty } from "./extended-properties.ts";
import { MESSAGE_SCHEMA } from "./mail-schema.ts";
import { findFolder } from "./mailbox.ts";
import { sendingIdentity } from "./send-from.ts";
import { graphEmpty, GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";

const FILE_ATTACHMENT = "#microsoft.graph.fileAttachment";
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const IMPORTANCE = ["low", "normal", "high"] as const;

/** A message as a client writes it (sendMail, a new draft, the `message` of reply or forward). */
export interface OutgoingMessage {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  importance: (typeof IMPORTANCE)[number];
  attachments: Omit<StoredAttachment, "id">[];
  /** Kept on the sender's copy only (a property of the item in their mailbox). */
  singleValueExtendedProperties: ExtendedProperty[];
  /** Another mailbox the message is from (Send As, Send on Behalf), as the client wrote it. */
  from?: Recipient;
  /** Set once the sending rights are checked (send-from.ts). */
  sender?: Recipient;
}

export function unreadable(message: string): GraphFailure {
  return new GraphFailure(400, "RequestBodyRead", message);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function rejectUnknownProperties(value: Record<string, unknown>, known: readonly string[], type: string): void {
  const unknown = Object.keys(value).find((name) => !name.includes("@odata.") && !known.includes(name));
  if (unknown) {
    throw unreadable(
      `The property '${unknown}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
}

export function readRecipients(value: unknown, property: string): Recipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw unreadable(
      `Cannot read '${property}': a 'StartArray' node was expected, as it is a collection of microsoft.graph.recipient.`,
    );
  }
  return value.map((entry: unknown) => {
    const emailAddress = isObject(entry) ? entry.emailAddress : undefined;
    if (!isObject(emailAddress)) {
      throw unreadable(`Each entry of '${property}' must be a recipient: { "emailAddress": { "address": "..." } }.`);
    }
    const { address, name } = emailAddress;
    if (typeof address !== "string" || !ADDRESS.test(address)) {
      throw new GraphFailure(
        400,
        "ErrorInvalidRecipients",
        `At least one recipient isn't valid., Recipient '${String(address ?? "")}' is not resolved. All recipients must be resolved before a message can be submitted.`,
      );
    }
    if (name !== undefined && name !== null && typeof name !== "string") {
      throw unreadable(`The name of recipient '${address}' must be a string.`);
    }
    return { emailAddress: { name: name ?? findUser(address)?.displayName ?? address, address } };
  });
}

export function readAttachments(value: unknown): OutgoingMessage["attachments"] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw unreadable("Cannot read 'attachments': a 'StartArray' node was expected.");
  return value.map((entry: unknown, index) => {
    if (!isObject(entry)) throw unreadable(`Attachment ${index + 1} must be an object.`);
    const type = entry["@odata.type"];
    if (type === undefined) {
      throw unreadable(
        `Attachment ${index + 1} needs "@odata.type": "${FILE_ATTACHMENT}" (attachment is an abstract type).`,
      );
    }
    if (type !== FILE_ATTACHMENT) {
      throw new GraphFailure(
        400,
        "ErrorInvalidRequest",
        `Attachment type '${String(type)}' is not supported by the emulator; use ${FILE_ATTACHMENT}.`,
      );
    }
    const { name, contentBytes, contentType, isInline, contentId } = entry;
    if (typeof name !== "string" || name.trim() === "") {
      throw new GraphFailure(400, "ErrorInvalidRequest", `Attachment ${index + 1} has no name.`);
    }
    if (typeof contentBytes !== "string" || !BASE64.test(contentBytes)) {
      throw unreadable(
        `Cannot convert the contentBytes of attachment '${name}' to the expected type 'Edm.Binary' (base64).`,
      );
    }
    if (contentType !== undefined && contentType !== null && typeof contentType !== "string") {
      throw unreadable(`The contentType of attachment '${name}' must be a string.`);
    }
    return {
      "@odata.type": FILE_ATTACHMENT,
      lastModifiedDateTime: isoSeconds(Date.now()),
      name,
      contentType: contentType ?? "application/octet-stream",
      size: Buffer.from(contentBytes, "base64").length,
      isInline: isInline === true,
      contentId: typeof contentId === "string" ? contentId : null,
      contentLocation: null,
      contentBytes,
    };
  });
}

export function readMessage(value: unknown): OutgoingMessage {
  if (!isObject(value)) {
    throw new GraphFailure(400, "ErrorInvalidRequest", "The request must carry a 'message' object.");
  }
  rejectUnknownProperties(
    value,
    [...MESSAGE_SCHEMA.properties, "attachments", "singleValueExtendedProperties"],
    MESSAGE_SCHEMA.type,
  );
  const { subject, importance } = value;
  if (subject !== undefined && subject !== null && typeof subject !== "string") {
    throw unreadable("'subject' must be a string.");
  }
  if (value.body !== undefined && value.body !== null && !isObject(value.body)) {
    throw unreadable("'body' must be an itemBody: { contentType, content }.");
  }
  const body = isObject(value.body) ? value.body : {};
  const contentType = String(body.contentType ?? "text").toLowerCase();
  if (contentType !== "text" && contentType !== "html") {
    throw unreadable(
      `Requested value '${String(body.contentType)}' was not found in microsoft.graph.bodyType (Text, HTML).`,
    );
  }
  if (body.content !== undefined && body.content !== null && typeof body.content !== "string") {
    throw unreadable("'body.content' must be a string.");
  }
  const level = String(importance ?? "normal").toLowerCase();
  const knownImportance = IMPORTANCE.find((candidate) => candidate === level);
  if (!knownImportance) {
    throw unreadable(`Requested value '${String(importance)}' was not found in microsoft.graph.importance.`);
  }
  return {
    subject: subject ?? "",
    body: { contentType, content: typeof body.content === "string" ? body.content : "" },
    toRecipients: readRecipients(value.toRecipients, "toRecipients"),
    ccRecipients: readRecipients(value.ccRecipients, "ccRecipients"),
    bccRecipients: readRecipients(value.bccRecipients, "bccRecipients"),
    replyTo: readRecipients(value.replyTo, "replyTo"),
    importance: knownImportance,
    attachments: readAttachments(value.attachments),
    singleValueExtendedProperties: readExtendedProperties(value.singleValueExtendedProperties),
    ...(value.from !== undefined && value.from !== null ? { from: readRecipients([value.from], "from")[0] } : {}),
  };
}

/** Where a new message goes and what it is there. */
export interface Placement {
  folderId: string;
  /** Parts of the new message's id: unique within the emulator's lifetime. */
  key: (string | number)[];
  conversationId: string;
  isRead: boolean;
  isDraft: boolean;
  /** Bcc recipients and extended properties are kept only in the sender's copy. */
  keepBcc: boolean;
}

/** A new stored message from what a client wrote, sent (or saved) by the signed-in user. */
export function newStoredMessage(context: GraphContext, outgoing: OutgoingMessage, place: Placement): StoredMessage {
  const now = isoSeconds(Date.now());
  const id = stableId("AAMkAGI2", ...place.key);
  const sender: Recipient = outgoing.sender ?? {
    emailAddress: { name: context.user.displayName, address: context.user.mail },
  };
  const text = outgoing.body.contentType === "html" ? htmlToText(outgoing.body.content) : outgoing.body.content;
  return {
    id,
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: `CQAAABYAAAA${stableId("", ...place.key, "change").slice(0, 28)}`,
    categories: [],
    receivedDateTime: now,
    sentDateTime: now,
    hasAttachments: outgoing.attachments.some((attachment) => !attachment.isInline),
    internetMessageId: `<${stableId("", ...place.key, "internet").slice(0, 32)}@${context.user.mail.split("@")[1]}>`,
    subject: outgoing.subject,
    bodyPreview: bodyPreview(text),
    importance: outgoing.importance,
    parentFolderId: place.folderId,
    conversationId: place.conversationId,
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: place.isRead,
    isDraft: place.isDraft,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: "focused",
    body: outgoing.body,
    sender,
    from: outgoing.from ?? sender,
    toRecipients: outgoing.toRecipients,
    ccRecipients: outgoing.ccRecipients,
    bccRecipients: place.keepBcc ? outgoing.bccRecipients : [],
    ...(place.keepBcc && outgoing.singleValueExtendedProperties.length
      ? { singleValueExtendedProperties: outgoing.singleValueExtendedProperties }
      : {}),
    replyTo: outgoing.replyTo,
    flag: { flagStatus: "notFlagged" },
    attachments: outgoing.attachments.map((attachment, index) => ({
      ...attachment,
      id: stableId("AAMkAGI2", ...place.key, "attachment", index),
    })),
  };
}

/**
 * Sends `outgoing` as the signed-in user: a read copy in their Sent Items
 * (unless `saveToSentItems` is false) and an unread copy in the Inbox of every
 * recipient who is a user of the tenant. Refuses a message without recipients.
 * Returns the sender's copy.
 */
export function deliver(
  context: GraphContext,
  outgoing: OutgoingMessage,
  conversationId: string,
  saveToSentItems = true,
): StoredMessage | undefined {
  const recipients = [...outgoing.toRecipients, ...outgoing.ccRecipients, ...outgoing.bccRecipients];
  if (recipients.length === 0) {
    throw new GraphFailure(400, "ErrorInvalidRecipients", "At least one recipient is required, but none were found.");
  }
  const requestId = context.request.requestId;
  let senderCopy: StoredMessage | undefined;
  if (saveToSentItems) {
    const folderId = findFolder(context.state.dataOf(context.user.id).mailbox, "sentitems").id;
    senderCopy = newStoredMessage(context, outgoing, {
      folderId,
      key: [context.user.id, "sent", requestId, "sentitems"],
      conversationId,
      isRead: true,
      isDraft: false,
      keepBcc: true,
    });
    context.state.dataOf(context.user.id).mailbox.messages.set(senderCopy.id, senderCopy);
  }
  const inTenant = new Set(
    recipients.map((entry) => findUser(entry.emailAddress?.address ?? "")).filter((user) => user !== undefined),
  );
  for (const owner of inTenant) {
    const mailbox = context.state.dataOf(owner.id).mailbox;
    const copy = newStoredMessage(context, outgoing, {
      folderId: findFolder(mailbox, "inbox").id,
      key: [owner.id, "sent", requestId, "inbox"],
      conversationId,
      isRead: false,
      isDraft: false,
      keepBcc: false,
    });
    mailbox.messages.set(copy.id, copy);
  }
  return senderCopy;
}

export function sendMail(context: GraphContext): EmulatorResponse {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw unreadable(`Invalid JSON in the request body: ${parsed.error}`);
  if (parsed.value === undefined) throw new GraphFailure(400, "BadRequest", "Empty Payload. JSON content expected.");
  if (!isObject(parsed.value)) {
    throw unreadable("The request body must be a JSON object: { message, saveToSentItems }.");
  }
  const { message, saveToSentItems, ...others } = parsed.value;
  const unknown = Object.keys(others)[0];
  if (unknown) {
    throw unreadable(
      `The parameter '${unknown}' in the request payload is not a valid parameter for the operation 'sendMail'.`,
    );
  }
  if (saveToSentItems !== undefined && typeof saveToSentItems !== "boolean") {
    throw unreadable("'saveToSentItems' must be true or false.");
  }
  const outgoing = readMessage(message);
  Object.assign(outgoing, sendingIdentity(context, outgoing.from));
  deliver(context, outgoing, stableId("AAQkAGI2", "sent", context.request.requestId), saveToSentItems !== false);
  return graphEmpty(context.request, 202);
}
