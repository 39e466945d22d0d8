/** Mail resources as Graph presents them: lookups with Graph's not-found error, $select, $expand, the body preference. */
import type { ItemBody } from "@microsoft/microsoft-graph-types";
import { htmlToText, textToHtml } from "../html-text.ts";
import type { Mailbox, StoredAttachment, StoredFolder, StoredMessage } from "../model.ts";
import { mailboxOf, NOT_FOUND_MESSAGE } from "./mailbox.ts";
import { ATTACHMENT_SCHEMA, FOLDER_SCHEMA, MESSAGE_SCHEMA } from "./mail-schema.ts";
import { applySelect, parseSelect } from "./odata/select.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";
import type { EmulatorResponse } from "../http.ts";

export function findMessage(context: GraphContext, id: string, folder?: StoredFolder): StoredMessage {
  const message = mailboxOf(context).messages.get(id);
  if (!message || (folder && message.parentFolderId !== folder.id)) {
    throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  }
  return message;
}

export function findAttachment(message: StoredMessage, id: string): StoredAttachment {
  const attachment = message.attachments.find((candidate) => candidate.id === id);
  if (!attachment) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  return attachment;
}

/** `${origin}/v1.0/$metadata#users('{id}')/{path}`, the @odata.context Graph gives mail resources. */
export function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#users('${context.user.id}')/${path}`;
}

export function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

/** The body type asked for with `Prefer: outlook.body-content-type="text"` (or "html"). */
function preferredBodyType(context: GraphContext): "text" | "html" | undefined {
  const match = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(context.request.headers.prefer ?? "");
  return match?.[1]?.toLowerCase() as "text" | "html" | undefined;
}

export function preferenceApplied(context: GraphContext): Record<string, string> {
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

/** What `$expand` asks for: nothing, or the attachments with an optional nested `$select`. */
export interface AttachmentExpansion {
  select: string[] | undefined;
}

/** Reads `$expand=attachments` or `$expand=attachments($select=name,size)`; Graph refuses other navigation properties here. */
export function expandsAttachments(context: GraphContext): AttachmentExpansion | undefined {
  const expand = context.query.get("$expand");
  if (expand === null) return undefined;
  const match = /^\s*attachments\s*(?:\(\s*\$select\s*=\s*([^)]*)\))?\s*$/i.exec(expand);
  if (!match) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Could not find a navigation property named '${expand}' on type '${MESSAGE_SCHEMA.type}'; the emulator expands 'attachments' (optionally with a nested $select) only.`,
    );
  }
  return {
    select:
      match[1] === undefined ? undefined : parseSelect(new URLSearchParams({ $select: match[1] }), ATTACHMENT_SCHEMA),
  };
}

/** A stored message as Graph returns it for this request: $select, $expand=attachments and the body preference applied. */
export function presentMessage(
  context: GraphContext,
  message: StoredMessage,
  select: readonly string[] | undefined,
  expand: AttachmentExpansion | undefined,
): Record<string, unknown> {
  // Extended properties are returned only through $expand, which the emulator does not offer.
  const { attachments, singleValueExtendedProperties: _extended, ...stored } = message;
  const body = convertBody(stored.body, preferredBodyType(context));
  const resource: Record<string, unknown> = { "@odata.etag": `W/"${message.changeKey}"`, ...stored, body };
  if (select?.includes("uniqueBody")) resource.uniqueBody = body;
  const presented = applySelect(resource, MESSAGE_SCHEMA, select);
  if (expand) {
    presented["attachments@odata.context"] = metadata(
      context,
      `messages('${message.id}')/attachments${selection(expand.select)}`,
    );
    presented.attachments = attachments.map((attachment) =>
      applySelect({ ...attachment }, ATTACHMENT_SCHEMA, expand.select),
    );
  }
  return presented;
}

/** One message as the answer to a request that returns the entity (GET, PATCH, create, move). */
export function messageResponse(context: GraphContext, status: 200 | 201, message: StoredMessage): EmulatorResponse {
  const select = parseSelect(context.query, MESSAGE_SCHEMA);
  return graphJson(
    context.request,
    status,
    {
      "@odata.context": metadata(context, `messages${selection(select)}/$entity`),
      ...presentMessage(context, message, select, expandsAttachments(context)),
    },
    preferenceApplied(context),
  );
}

export function presentFolder(
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
