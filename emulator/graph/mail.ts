/**
 * Mail endpoints: folders, messages (list, filter, search, page, read),
 * attachments; sendMail is in send-mail.ts, the other writes (drafts, reply,
 * forward, move, update, delete) in mail-actions.ts. Registers the Microsoft
 * Search provider for `message`.
 */
import type { StoredFolder } from "../model.ts";
import { extendedPropertyFilter } from "./extended-properties.ts";
import { mailActionRoutes } from "./mail-actions.ts";
import {
  expandsAttachments,
  findAttachment,
  findMessage,
  messageResponse,
  metadata,
  preferenceApplied,
  presentFolder,
  presentMessage,
  selection,
} from "./mail-present.ts";
import { searchMessages } from "./mail-search.ts";
import {
  ATTACHMENT_SCHEMA,
  FOLDER_COLLECTION,
  FOLDER_SCHEMA,
  MESSAGE_COLLECTION,
  MESSAGE_SCHEMA,
} from "./mail-schema.ts";
import { findFolder, mailboxOf } from "./mailbox.ts";
import { queryCollection } from "./odata/collection.ts";
import { applySelect, parseSelect } from "./odata/select.ts";
import { graphBytes, graphJson } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { registerSearchProvider } from "./search-index.ts";
import { sendMail } from "./send-mail.ts";

registerSearchProvider("message", searchMessages);

const READ_FOLDERS = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];
const READ_MAIL = ["Mail.Read", "Mail.ReadWrite"];

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
  const inFolder = folder ? all.filter((message) => message.parentFolderId === folder.id) : all;
  const marked = extendedPropertyFilter(context.request);
  const messages = marked ? inFolder.filter((message) => marked.test(message)) : inFolder;
  const select = parseSelect(context.query, MESSAGE_SCHEMA);
  const expand = expandsAttachments(context);
  const page = queryCollection(marked?.rest ?? context.request, messages, MESSAGE_COLLECTION);
  if (marked) page.nextLink = marked.nextLink(page.nextLink);
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
  return messageResponse(context, 200, findMessage(context, context.params.messageId ?? "", folder));
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
  ...mailActionRoutes,
];
