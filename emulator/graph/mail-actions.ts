/**
 * Mail writes besides sendMail, with Graph's status codes: drafts (POST
 * /me/messages, 201) and sending them (/send, 202), reply, replyAll and
 * forward (202, a threaded copy in Sent Items), move (201, a new id), update
 * (PATCH, 200) and delete (204).
 */
import type { FollowupFlag, Recipient } from "@microsoft/microsoft-graph-types";
import { stableId } from "../data/random.ts";
import { isoSeconds, utcDateTime } from "../data/time.ts";
import {
  bodyPreview,
  escapeHtml,
  htmlBodyContent,
  htmlDocument,
  htmlToText,
  textToHtmlFragment,
} from "../html-text.ts";
import { jsonBody, type EmulatorResponse } from "../http.ts";
import type { StoredMessage } from "../model.ts";
import { findFolder, mailboxOf, NOT_FOUND_MESSAGE } from "./mailbox.ts";
import { findMessage, messageResponse } from "./mail-present.ts";
import { MESSAGE_SCHEMA } from "./mail-schema.ts";
import { canonicalProperty } from "./odata/select.ts";
import { graphEmpty, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import {
  deliver,
  isObject,
  newStoredMessage,
  readMessage,
  readRecipients,
  unreadable,
  type OutgoingMessage,
} from "./send-mail.ts";

const WRITE_MAIL = ["Mail.ReadWrite"];
const SEND_MAIL = ["Mail.Send"];

/** The JSON object a request carries; `{}` for an empty body where the action allows one. */
function requestObject(context: GraphContext, emptyAllowed: boolean): Record<string, unknown> {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw unreadable(`Invalid JSON in the request body: ${parsed.error}`);
  if (parsed.value === undefined) {
    if (emptyAllowed) return {};
    throw new GraphFailure(400, "BadRequest", "Empty Payload. JSON content expected.");
  }
  if (!isObject(parsed.value)) throw unreadable("The request body must be a JSON object.");
  return parsed.value;
}

function rejectUnknownParameters(body: Record<string, unknown>, known: readonly string[], operation: string): void {
  const unknown = Object.keys(body).find((name) => !known.includes(name));
  if (unknown) {
    throw unreadable(
      `The parameter '${unknown}' in the request payload is not a valid parameter for the operation '${operation}'.`,
    );
  }
}

function newChangeKey(context: GraphContext, id: string): string {
  return `CQAAABYAAAA${stableId("", id, "change", context.request.requestId).slice(0, 28)}`;
}

function addressOf(recipient: Recipient | null | undefined): string {
  return recipient?.emailAddress?.address?.toLowerCase() ?? "";
}

/** Recipients without repeats (by address), in order, leaving out `exclude`. */
function distinct(recipients: readonly Recipient[], exclude: readonly Recipient[] = []): Recipient[] {
  const seen = new Set(exclude.map(addressOf));
  return recipients.filter((recipient) => {
    const address = addressOf(recipient);
    if (!address || seen.has(address)) return false;
    seen.add(address);
    return true;
  });
}

/** "RE: subject", without doubling a prefix that is already there, as Outlook does. */
function prefixed(prefix: "RE" | "FW", subject: string): string {
  return new RegExp(`^${prefix}:`, "i").test(subject) ? subject : `${prefix}: ${subject}`;
}

/** The header block Outlook puts above the quoted message of a reply or forward. */
function quotedHeader(original: StoredMessage): string {
  const person = (recipient: Recipient | null | undefined) =>
    recipient?.emailAddress
      ? `${escapeHtml(recipient.emailAddress.name ?? "")} &lt;${escapeHtml(recipient.emailAddress.address ?? "")}&gt;`
      : "";
  const people = (recipients: Recipient[] | null | undefined) => (recipients ?? []).map(person).join("; ");
  const sent = new Date(original.sentDateTime ?? original.receivedDateTime).toUTCString();
  const cc = original.ccRecipients?.length ? `<b>Cc:</b> ${people(original.ccRecipients)}<br>` : "";
  return (
    `<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">` +
    `<b>From:</b> ${person(original.from)}<br><b>Sent:</b> ${sent}<br><b>To:</b> ${people(original.toRecipients)}<br>` +
    `${cc}<b>Subject:</b> ${escapeHtml(original.subject ?? "")}</div><br>`
  );
}

function quotedBody(original: StoredMessage): string {
  const content = original.body?.content ?? "";
  return original.body?.contentType === "html" ? htmlBodyContent(content) : textToHtmlFragment(content);
}

type Response = "reply" | "replyAll" | "forward";

/**
 * POST /me/messages/{id}/reply, /replyAll, /forward: a new message in the
 * original's conversation, the comment (HTML) above the quoted original,
 * sent at once. Graph answers 202 with no body.
 */
function respond(kind: Response) {
  return (context: GraphContext): EmulatorResponse => {
    const original = findMessage(context, context.params.messageId ?? "");
    const body = requestObject(context, true);
    rejectUnknownParameters(
      body,
      kind === "forward" ? ["comment", "toRecipients", "message"] : ["comment", "message"],
      kind,
    );
    const { comment } = body;
    if (comment !== undefined && comment !== null && typeof comment !== "string") {
      throw unreadable("'comment' must be a string.");
    }
    const message = body.message === undefined || body.message === null ? undefined : readMessage(body.message);
    const ownBody = isObject(body.message) && body.message.body !== undefined && body.message.body !== null;
    if (ownBody && typeof comment === "string" && comment !== "") {
      throw new GraphFailure(
        400,
        "ErrorInvalidRequest",
        "Specify either a comment or the body property of the message parameter, not both.",
      );
    }

    const me = { emailAddress: { address: context.user.mail } };
    const fromMe = addressOf(original.from) === context.user.mail.toLowerCase();
    // Per RFC 2822 a reply goes to replyTo when the original names one; a reply to one's own mail goes to its recipients.
    const replyTargets = fromMe
      ? (original.toRecipients ?? [])
      : original.replyTo?.length
        ? original.replyTo
        : original.from
          ? [original.from]
          : [];
    const [baseTo, baseCc] =
      kind === "reply"
        ? [replyTargets, []]
        : kind === "replyAll"
          ? [[...replyTargets, ...(original.toRecipients ?? [])], original.ccRecipients ?? []]
          : [readRecipients(body.toRecipients, "toRecipients"), []];
    const exclude = kind === "forward" ? [] : [me];
    const to = distinct([...baseTo, ...(message?.toRecipients ?? [])], exclude);
    const cc = distinct([...baseCc, ...(message?.ccRecipients ?? [])], [...exclude, ...to]);

    const html = htmlDocument(
      `<div>${typeof comment === "string" ? comment : ""}</div>${quotedHeader(original)}${quotedBody(original)}`,
    );
    const originalAttachments = original.attachments
      .filter((attachment) => kind === "forward" || attachment.isInline)
      .map(({ id: _id, ...attachment }) => attachment);
    const outgoing: OutgoingMessage = {
      subject: prefixed(kind === "forward" ? "FW" : "RE", original.subject ?? ""),
      body: ownBody && message ? message.body : { contentType: "html", content: html },
      toRecipients: to,
      ccRecipients: cc,
      bccRecipients: message?.bccRecipients ?? [],
      replyTo: message?.replyTo ?? [],
      importance: message?.importance ?? "normal",
      attachments: [...originalAttachments, ...(message?.attachments ?? [])],
      singleValueExtendedProperties: message?.singleValueExtendedProperties ?? [],
    };
    deliver(context, outgoing, original.conversationId);
    return graphEmpty(context.request, 202);
  };
}

/** POST /me/messages: a new draft in Drafts, answered 201 with the message. */
function createDraft(context: GraphContext): EmulatorResponse {
  const outgoing = readMessage(requestObject(context, false));
  const mailbox = mailboxOf(context);
  const requestId = context.request.requestId;
  const draft = newStoredMessage(context, outgoing, {
    folderId: findFolder(mailbox, "drafts").id,
    key: [context.user.id, "draft", requestId],
    conversationId: stableId("AAQkAGI2", "draft", requestId),
    isRead: true,
    isDraft: true,
    keepBcc: true,
  });
  mailbox.messages.set(draft.id, draft);
  return messageResponse(context, 201, draft);
}

/**
 * POST /me/messages/{id}/send: sends a draft; the draft leaves Drafts and a
 * copy (with a new id) lands in Sent Items. Exchange answers a message that is
 * not a draft as if it did not exist.
 */
function sendDraft(context: GraphContext): EmulatorResponse {
  const draft = findMessage(context, context.params.messageId ?? "");
  if (!draft.isDraft) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  const outgoing: OutgoingMessage = {
    subject: draft.subject ?? "",
    body: {
      contentType: draft.body?.contentType === "html" ? "html" : "text",
      content: draft.body?.content ?? "",
    },
    toRecipients: draft.toRecipients ?? [],
    ccRecipients: draft.ccRecipients ?? [],
    bccRecipients: draft.bccRecipients ?? [],
    replyTo: draft.replyTo ?? [],
    importance: draft.importance ?? "normal",
    attachments: draft.attachments.map(({ id: _id, ...attachment }) => attachment),
    // The draft's own properties go with it to Sent Items.
    singleValueExtendedProperties: (draft.singleValueExtendedProperties ?? []).map(({ id, value }) => ({
      id: id ?? "",
      value: value ?? "",
    })),
  };
  deliver(context, outgoing, draft.conversationId);
  mailboxOf(context).messages.delete(draft.id);
  return graphEmpty(context.request, 202);
}

/** POST /me/messages/{id}/move: the message in another folder, under a new id (Exchange ids name the folder). */
function move(context: GraphContext): EmulatorResponse {
  const message = findMessage(context, context.params.messageId ?? "");
  const body = requestObject(context, false);
  rejectUnknownParameters(body, ["destinationId"], "move");
  const { destinationId } = body;
  if (typeof destinationId !== "string" || destinationId.trim() === "") {
    throw new GraphFailure(
      400,
      "ErrorInvalidRequest",
      "The destinationId parameter is required: a folder id or a well-known folder name.",
    );
  }
  const mailbox = mailboxOf(context);
  let folder;
  try {
    folder = findFolder(mailbox, destinationId);
  } catch (error) {
    if (!/^[A-Za-z0-9_+/=-]{16,}$/.test(destinationId)) {
      throw new GraphFailure(400, "ErrorInvalidIdMalformed", "Id is malformed.");
    }
    throw error;
  }
  const id = stableId("AAMkAGI2", context.user.id, "moved", context.request.requestId);
  const moved: StoredMessage = {
    ...message,
    id,
    parentFolderId: folder.id,
    lastModifiedDateTime: isoSeconds(Date.now()),
    changeKey: newChangeKey(context, id),
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
  };
  mailbox.messages.delete(message.id);
  mailbox.messages.set(moved.id, moved);
  return messageResponse(context, 201, moved);
}

const FLAG_STATUSES = ["notFlagged", "flagged", "complete"] as const;

function readDateTimeTimeZone(value: unknown, property: string): { dateTime: string; timeZone: string } {
  if (!isObject(value) || typeof value.dateTime !== "string" || Number.isNaN(Date.parse(value.dateTime))) {
    throw unreadable(
      `'${property}' must be a dateTimeTimeZone: { "dateTime": "2026-01-31T17:00:00", "timeZone": "UTC" }.`,
    );
  }
  return { dateTime: value.dateTime, timeZone: typeof value.timeZone === "string" ? value.timeZone : "UTC" };
}

function readFlag(value: unknown): FollowupFlag {
  if (!isObject(value)) throw unreadable('\'flag\' must be a followupFlag object: { "flagStatus": "flagged" }.');
  const status = FLAG_STATUSES.find((candidate) => candidate.toLowerCase() === String(value.flagStatus).toLowerCase());
  if (!status) {
    throw unreadable(
      `Requested value '${String(value.flagStatus)}' was not found in microsoft.graph.followupFlagStatus.`,
    );
  }
  if (status === "notFlagged") return { flagStatus: status };
  const dates = (names: readonly ("startDateTime" | "dueDateTime" | "completedDateTime")[]) =>
    Object.fromEntries(
      names
        .filter((name) => value[name] !== undefined && value[name] !== null)
        .map((name) => [name, readDateTimeTimeZone(value[name], `flag.${name}`)]),
    );
  if (status === "flagged") return { flagStatus: status, ...dates(["startDateTime", "dueDateTime"]) };
  return {
    flagStatus: status,
    ...dates(["startDateTime", "dueDateTime"]),
    completedDateTime: utcDateTime(Date.now()),
    ...dates(["completedDateTime"]),
  };
}

function readEnum<T extends string>(value: unknown, members: readonly T[], type: string): T {
  const member = members.find((candidate) => candidate === String(value).toLowerCase());
  if (!member) throw unreadable(`Requested value '${String(value)}' was not found in ${type}.`);
  return member;
}

/** Properties Graph lets a client change on any message, and those it changes on drafts only. */
const DRAFT_ONLY = ["subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo"];

/** PATCH /me/messages/{id}: read state, flag, categories, importance (and a draft's content); 200 with the message. */
function update(context: GraphContext): EmulatorResponse {
  const message = findMessage(context, context.params.messageId ?? "");
  const body = requestObject(context, false);
  const changes: Partial<StoredMessage> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.includes("@odata.")) continue;
    const property = canonicalProperty(MESSAGE_SCHEMA, name);
    if (!property) {
      throw unreadable(
        `The property '${name}' does not exist on type '${MESSAGE_SCHEMA.type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    if (DRAFT_ONLY.includes(property) && !message.isDraft) {
      throw new GraphFailure(
        400,
        "ErrorInvalidPropertyUpdateSentMessage",
        "Update operation is invalid for property of a sent message.",
      );
    }
    switch (property) {
      case "isRead":
      case "isReadReceiptRequested":
      case "isDeliveryReceiptRequested":
        if (typeof value !== "boolean") throw unreadable(`'${property}' must be true or false.`);
        changes[property] = value;
        break;
      case "importance":
        changes.importance = readEnum(value, ["low", "normal", "high"] as const, "microsoft.graph.importance");
        break;
      case "inferenceClassification":
        changes.inferenceClassification = readEnum(
          value,
          ["focused", "other"] as const,
          "microsoft.graph.inferenceClassificationType",
        );
        break;
      case "categories":
        if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string" && entry.trim() !== "")) {
          throw unreadable("'categories' must be an array of category names.");
        }
        changes.categories = [...new Set(value as string[])];
        break;
      case "flag":
        changes.flag = readFlag(value);
        break;
      case "subject":
        if (typeof value !== "string") throw unreadable("'subject' must be a string.");
        changes.subject = value;
        break;
      case "body": {
        const { body: itemBody } = readMessage({ body: value });
        changes.body = itemBody;
        changes.bodyPreview = bodyPreview(
          itemBody.contentType === "html" ? htmlToText(itemBody.content) : itemBody.content,
        );
        break;
      }
      case "toRecipients":
      case "ccRecipients":
      case "bccRecipients":
      case "replyTo":
        changes[property] = readRecipients(value, property);
        break;
      default:
        throw new GraphFailure(400, "ErrorInvalidPropertySet", `The property '${property}' is read-only.`);
    }
  }
  Object.assign(message, changes, {
    lastModifiedDateTime: isoSeconds(Date.now()),
    changeKey: newChangeKey(context, message.id),
  });
  return messageResponse(context, 200, message);
}

export const mailActionRoutes: readonly GraphRoute[] = [
  { method: "POST", path: "/me/messages", scopes: WRITE_MAIL, handle: createDraft },
  { method: "PATCH", path: "/me/messages/{messageId}", scopes: WRITE_MAIL, handle: update },
  {
    method: "DELETE",
    path: "/me/messages/{messageId}",
    scopes: WRITE_MAIL,
    handle(context) {
      const message = findMessage(context, context.params.messageId ?? "");
      mailboxOf(context).messages.delete(message.id);
      return graphEmpty(context.request, 204);
    },
  },
  { method: "POST", path: "/me/messages/{messageId}/move", scopes: WRITE_MAIL, handle: move },
  { method: "POST", path: "/me/messages/{messageId}/send", scopes: SEND_MAIL, handle: sendDraft },
  { method: "POST", path: "/me/messages/{messageId}/reply", scopes: SEND_MAIL, handle: respond("reply") },
  { method: "POST", path: "/me/messages/{messageId}/replyAll", scopes: SEND_MAIL, handle: respond("replyAll") },
  { method: "POST", path: "/me/messages/{messageId}/forward", scopes: SEND_MAIL, handle: respond("forward") },
];
