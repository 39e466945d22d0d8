/** Mail endpoints: folders, messages (list, filter, search, page, read), attachments; sendMail is in send-mail.ts. */
import type { ItemBody } from "@microsoft/microsoft-graph-types";
import { htmlToText, textToHtml } from "../html-text.ts";
import type { Mailbox, StoredAttachment, StoredFolder, StoredMessage } from "../model.ts";
import { findFolder, mailboxOf, NOT_FOUND_MESSAGE } from "./mailbox.ts";
import {
  ATTACHMENT_SCHEMA,
  FOLDER_COLLECTION,
  FOLDER_SCHEMA,
  MESSAGE_COLLECTION,
  MESSAGE_SCHEMA,
} from "./mail-schema.ts";
import { queryCollection } from "./odata/collection.ts";
import { applySelect, parseSelect } from "./odata/select.ts";
import { graphBytes, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { sendMail } from "./send-mail.ts";

const READ_FOLDERS = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];
const READ_MAIL = ["Mail.Read", "Mail.ReadWrite"];

function findMessage(context: GraphContext, id: string, folder?: StoredFolder): StoredMessage {
  const message = mailboxOf(context).messages.get(id);
  if (!message || (folder && message.parentFolderId !== folder.id)) {
    throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  }
  return message;
}

function findAttachment(message: StoredMessage, id: string): StoredAttachment {
  const attachment = message.attachments.find((candidate) => candidate.id === id);
  if (!attachment) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  return attachment;
}

/** `${origin}/v1.0/$metadata#users('{id}')/{path}`, the @odata.context Graph gives mail resources. */
function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#users('${context.user.id}')/${path}`;
}

function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

/** The body type asked for with `Prefer: outlook.body-content-type="text"` (or "html"). */
function preferredBodyType(context: GraphContext): "text" | "html" | undefined {
  const match = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(context.request.headers.prefer ?? "");
  return match?.[1]?.toLowerCase() as "text" | "html" | undefined;
}

function preferenceApplied(context: GraphContext): Record<string, string> {
  const type = preferredBodyType(context);
  return type ? { "Preference-Applied": `outlook.body-content-type="${type}"` } : {};
}

function convertBody(
  body: ItemBody | null | undefined,
  type: "text" | "html" | undefined,
): ItemBody | null | undefined {
  if (!body || !type || body.contentType === type) return body;
  const content = body.content ?? "";
  return { contentType: type, content: type === "text" ? htmlToText(content) : textToHtml(content) };
}

function expandsAttachments(context: GraphContext): boolean {
  const expand = context.query.get("$expand");
  if (expand === null) return false;
  if (expand.trim().toLowerCase() !== "attachments") {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Could not find a navigation property named '${expand}' on type '${MESSAGE_SCHEMA.type}'; the emulator expands 'attachments' only.`,
    );
  }
  return true;
}

/** A stored message as Graph returns it for this request: $select, $expand=attachments and the body preference applied. */
function presentMessage(
  context: GraphContext,
  message: StoredMessage,
  select: readonly string[] | undefined,
  expand: boolean,
): Record<string, unknown> {
  const { attachments, ...stored } = message;
  const body = convertBody(stored.body, preferredBodyType(context));
  const resource: Record<string, unknown> = { "@odata.etag": `W/"${message.changeKey}"`, ...stored, body };
  if (select?.includes("uniqueBody")) resource.uniqueBody = body;
  const presented = applySelect(resource, MESSAGE_SCHEMA, select);
  if (expand) {
    presented["attachments@odata.context"] = metadata(context, `messages('${message.id}')/attachments`);
    presented.attachments = attachments.map((attachment) => ({ ...attachment }));
  }
  return presented;
}

function presentFolder(
  mailbox: Mailbox,
  folder: StoredFolder,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const messages = [...mailbox.messages.values()].filter((message) => message.parentFolderId === folder.id);
  const resource = {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parentFolderId,
    childFolderCount: mailbox.folders.filter((child) => child.parentFolderId === folder.id).length,
    unreadItemCount: messages.filter((message) => !message.isRead).length,
    totalItemCount: messages.length,
    sizeInBytes: messages.reduce(
      (sum, message) =>
        sum +
        (message.body?.content?.length ?? 0) +
        message.attachments.reduce((total, attachment) => total + attachment.size, 0),
      0,
    ),
    isHidden: folder.isHidden ?? false,
  };
  return applySelect(resource, FOLDER_SCHEMA, select);
}

function listFolders(context: GraphContext, folders: StoredFolder[], contextPath: string) {
  const mailbox = mailboxOf(context);
  const select = parseSelect(context.query, FOLDER_SCHEMA);
  const page = queryCollection(context.request, folders, FOLDER_COLLECTION);
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `${contextPath}${selection(select)}`),
    ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
    value: page.items.map((folder) => presentFolder(mailbox, folder, select)),
    ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
  });
}

function listMessages(context: GraphContext, folder?: StoredFolder) {
  const all = [...mailboxOf(context).messages.values()];
  const messages = folder ? all.filter((message) => message.parentFolderId === folder.id) : all;
  const select = parseSelect(context.query, MESSAGE_SCHEMA);
  const expand = expandsAttachments(context);
  const page = queryCollection(context.request, messages, MESSAGE_COLLECTION);
  const path = folder ? `mailFolders('${folder.id}')/messages` : "messages";
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": metadata(context, `${path}${selection(select)}`),
      ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
      value: page.items.map((message) => presentMessage(context, message, select, expand)),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
    },
    preferenceApplied(context),
  );
}

function getMessage(context: GraphContext, folder?: StoredFolder) {
  const message = findMessage(context, context.params.messageId ?? "", folder);
  const select = parseSelect(context.query, MESSAGE_SCHEMA);
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": metadata(context, `messages${selection(select)}/$entity`),
      ...presentMessage(context, message, select, expandsAttachments(context)),
    },
    preferenceApplied(context),
  );
}

export const mailRoutes: readonly GraphRoute[] = [
  {
    method: "GET",
    path: "/me/mailFolders",
    scopes: READ_FOLDERS,
    handle(context) {
      const root = findFolder(mailboxOf(context), "msgfolderroot");
      const topLevel = mailboxOf(context).folders.filter((folder) => folder.parentFolderId === root.id);
      return listFolders(context, topLevel, "mailFolders");
    },
  },
  {
    method: "GET",
    path: "/me/mailFolders/{folderId}",
    scopes: READ_FOLDERS,
    handle(context) {
      const mailbox = mailboxOf(context);
      const select = parseSelect(context.query, FOLDER_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `mailFolders${selection(select)}/$entity`),
        ...presentFolder(mailbox, findFolder(mailbox, context.params.folderId ?? ""), select),
      });
    },
  },
  {
    method: "GET",
    path: "/me/mailFolders/{folderId}/childFolders",
    scopes: READ_FOLDERS,
    handle(context) {
      const mailbox = mailboxOf(context);
      const parent = findFolder(mailbox, context.params.folderId ?? "");
      const children = mailbox.folders.filter((folder) => folder.parentFolderId === parent.id);
      return listFolders(context, children, `mailFolders('${parent.id}')/childFolders`);
    },
  },
  {
    method: "GET",
    path: "/me/mailFolders/{folderId}/messages",
    scopes: READ_MAIL,
    handle: (context) => listMessages(context, findFolder(mailboxOf(context), context.params.folderId ?? "")),
  },
  {
    method: "GET",
    path: "/me/mailFolders/{folderId}/messages/{messageId}",
    scopes: READ_MAIL,
    handle: (context) => getMessage(context, findFolder(mailboxOf(context), context.params.folderId ?? "")),
  },
  { method: "GET", path: "/me/messages", scopes: READ_MAIL, handle: (context) => listMessages(context) },
  { method: "GET", path: "/me/messages/{messageId}", scopes: READ_MAIL, handle: (context) => getMessage(context) },
  {
    method: "GET",
    path: "/me/messages/{messageId}/attachments",
    scopes: READ_MAIL,
    handle(context) {
      const message = findMessage(context, context.params.messageId ?? "");
      const select = parseSelect(context.query, ATTACHMENT_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `messages('${message.id}')/attachments${selection(select)}`),
        value: message.attachments.map((attachment) => applySelect({ ...attachment }, ATTACHMENT_SCHEMA, select)),
      });
    },
  },
  {
    method: "GET",
    path: "/me/messages/{messageId}/attachments/{attachmentId}",
    scopes: READ_MAIL,
    handle(context) {
      const message = findMessage(context, context.params.messageId ?? "");
      const attachment = findAttachment(message, context.params.attachmentId ?? "");
      const select = parseSelect(context.query, ATTACHMENT_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `messages('${message.id}')/attachments${selection(select)}/$entity`),
        ...applySelect({ ...attachment }, ATTACHMENT_SCHEMA, select),
      });
    },
  },
  {
    method: "GET",
    path: "/me/messages/{messageId}/attachments/{attachmentId}/$value",
    scopes: READ_MAIL,
    handle(context) {
      const attachment = findAttachment(
        findMessage(context, context.params.messageId ?? ""),
        context.params.attachmentId ?? "",
      );
      return graphBytes(context.request, attachment.contentType, Buffer.from(attachment.contentBytes, "base64"));
    },
  },
  { method: "POST", path: "/me/sendMail", scopes: ["Mail.Send"], handle: sendMail },
];
