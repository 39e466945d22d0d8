/** Acting on mail: reply, forward, drafts, move, update, delete. Every one acts at once, as the user. */
import type { Message } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { inMailbox, mailboxInput } from "../shared/mailbox.ts";
import { defineTool } from "../spec.ts";
import {
  composeInput,
  composeMessage,
  commentHtml,
  commentTypeInput,
  folderInput,
  folderSegment,
  idSegment,
  messageIdInput,
  recipientList,
  recipients,
} from "./inputs.ts";

const commentInput = z.string().max(100_000);

export const sendEmail = defineTool({
  name: "sendEmail",
  title: "Send email",
  description:
    "Send an email from the signed-in user's mailbox. Sends immediately; a copy is saved in Sent Items. Confirm recipients and content with the user first.",
  input: { ...composeInput(true), mailbox: mailboxInput },
  scopes: ["Mail.Send", "Mail.Send.Shared"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run({ mailbox, ...args }, { graph }) {
    const { message, attachmentCount } = composeMessage(args);
    // Sending from another mailbox is the user's own send with `from` set: Exchange makes it Send As or
    // Send on Behalf by the user's rights, and keeps the copy in the user's Sent Items.
    const from = mailbox ? { from: { emailAddress: { address: mailbox } } } : {};
    await inMailbox(mailbox, () =>
      graph.post("/me/sendMail", { message: { ...message, ...from }, saveToSentItems: true }),
    );
    const everyone = [...(args.to ?? []), ...(args.cc ?? []), ...(args.bcc ?? [])];
    const attached = attachmentCount ? ` with ${attachmentCount} attachment${attachmentCount === 1 ? "" : "s"}` : "";
    return { text: `Sent "${args.subject}"${mailbox ? ` from ${mailbox}` : ""} to ${everyone.join(", ")}${attached}.` };
  },
});

export const replyToEmail = defineTool({
  name: "replyToEmail",
  title: "Reply to email",
  description:
    "Reply to an email (or reply-all) with a comment above the quoted original; sends at once, threaded. Confirm with the user first.",
  input: {
    id: messageIdInput,
    comment: commentInput.describe("Your reply"),
    commentType: commentTypeInput,
    replyAll: z.boolean().default(false).describe("true: reply to sender and all recipients"),
  },
  scopes: ["Mail.Send"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run({ id, comment, commentType, replyAll }, { graph }) {
    const action = replyAll ? "replyAll" : "reply";
    await graph.post(`/me/messages/${idSegment(id, "id")}/${action}`, { comment: commentHtml(comment, commentType) });
    return { text: `Replied${replyAll ? " to all" : ""} to message ${id}; the reply is in Sent Items.` };
  },
});

export const forwardEmail = defineTool({
  name: "forwardEmail",
  title: "Forward email",
  description:
    "Forward an email with its attachments to other people, with an optional comment; sends at once. Confirm recipients with the user first.",
  input: {
    id: messageIdInput,
    to: recipientList.min(1).describe("Recipient email addresses"),
    comment: commentInput.default("").describe("Note above the forwarded message"),
    commentType: commentTypeInput,
  },
  scopes: ["Mail.Send"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run({ id, to, comment, commentType }, { graph }) {
    await graph.post(`/me/messages/${idSegment(id, "id")}/forward`, {
      comment: commentHtml(comment, commentType),
      toRecipients: recipients(to),
    });
    return { text: `Forwarded message ${id} to ${to.join(", ")}; the forward is in Sent Items.` };
  },
});

export const createDraft = defineTool({
  name: "createDraft",
  title: "Create draft email",
  description: "Save a new email in Drafts without sending it, for the user to review; send it later with sendDraft.",
  input: composeInput(false),
  scopes: ["Mail.ReadWrite"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run(args, { graph }) {
    const { message } = composeMessage(args);
    const draft = await graph.post<Message>("/me/messages", message);
    const { to, subject } = args;
    const who = to?.length ? ` to ${to.join(", ")}` : " (no recipients yet)";
    return { text: `Saved draft "${subject}"${who} in Drafts; id: ${draft.id}. Send it with sendDraft.` };
  },
});

export const sendDraft = defineTool({
  name: "sendDraft",
  title: "Send draft email",
  description: "Send an email saved in Drafts (from createDraft or the drafts folder). Confirm with the user first.",
  input: { id: z.string().describe("Draft id from createDraft or getEmails folder=drafts") },
  scopes: ["Mail.Send"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run({ id }, { graph }) {
    const segment = idSegment(id, "id");
    try {
      await graph.post(`/me/messages/${segment}/send`, undefined);
    } catch (error) {
      // Exchange answers "not found" for a message that exists but is no draft: say which it is.
      if (error instanceof GraphError && error.status === 404) {
        const message = await graph
          .get<Message>(`/me/messages/${segment}`, { query: { $select: "isDraft" } })
          .catch(() => undefined);
        if (message && message.isDraft === false) {
          throw new ToolError(
            "invalid_input",
            "id: this message is not a draft (it was sent or received); use replyToEmail, forwardEmail or sendEmail.",
          );
        }
      }
      throw error;
    }
    return { text: `Sent draft ${id}; it is now in Sent Items (under a new id).` };
  },
});

interface Moved {
  id?: string;
  subject?: string | null;
}

export const moveEmail = defineTool({
  name: "moveEmail",
  title: "Move email",
  description: "Move an email to another folder. The moved email gets a new id (returned); the old id stops working.",
  input: {
    id: messageIdInput,
    folder: folderInput.describe("Destination: inbox, archive, junk, ... or a folder id from listMailFolders"),
  },
  scopes: ["Mail.ReadWrite"],
  access: "write",
  // Repeating the call changes nothing more: the old id no longer exists after the first move.
  idempotent: true,
  invalidates: ["mail"],
  async run({ id, folder }, { graph }) {
    const { segment } = folderSegment(folder);
    const moved = await graph.post<Moved>(`/me/messages/${idSegment(id, "id")}/move`, {
      destinationId: decodeURIComponent(segment),
    });
    return {
      text: `Moved "${moved.subject || "(no subject)"}" to ${folder}. New id: ${moved.id} (Graph gives a moved email a new id; the old one no longer works).`,
    };
  },
});

export const updateEmail = defineTool({
  name: "updateEmail",
  title: "Update email",
  description: "Mark an email read or unread, flag it, set its categories or importance. Changes only what you pass.",
  input: {
    id: messageIdInput,
    isRead: z.boolean().optional().describe("true: mark read; false: mark unread"),
    flag: z.enum(["flagged", "complete", "notFlagged"]).optional().describe("Follow-up flag"),
    categories: z.array(z.string().min(1).max(255)).max(25).optional().describe("Replaces all categories; [] clears"),
    importance: z.enum(["low", "normal", "high"]).optional().describe("Importance"),
  },
  scopes: ["Mail.ReadWrite"],
  access: "write",
  idempotent: true,
  invalidates: ["mail"],
  async run({ id, isRead, flag, categories, importance }, { graph }) {
    const changes = {
      ...(isRead !== undefined ? { isRead } : {}),
      ...(flag ? { flag: { flagStatus: flag } } : {}),
      ...(categories ? { categories } : {}),
      ...(importance ? { importance } : {}),
    };
    if (Object.keys(changes).length === 0) {
      throw new ToolError("invalid_input", "Pass at least one of isRead, flag, categories, importance.");
    }
    const updated = await graph.patch<Message>(`/me/messages/${idSegment(id, "id")}`, changes);
    const done = [
      isRead === undefined ? "" : isRead ? "marked read" : "marked unread",
      flag ? { flagged: "flagged", complete: "flag completed", notFlagged: "flag cleared" }[flag] : "",
      categories ? (categories.length ? `categories: ${categories.join(", ")}` : "categories cleared") : "",
      importance ? `importance ${importance}` : "",
    ].filter(Boolean);
    return { text: `Updated "${updated?.subject || "(no subject)"}" (${id}): ${done.join(", ")}.` };
  },
});

export const deleteEmail = defineTool({
  name: "deleteEmail",
  title: "Delete email",
  description: "Delete an email: moves it to Deleted Items, where the user can still recover it. Its id changes.",
  input: { id: messageIdInput },
  scopes: ["Mail.ReadWrite"],
  access: "write",
  // Recoverable from Deleted Items, so not destructive; a repeat finds the old id gone and changes nothing.
  destructive: false,
  idempotent: true,
  invalidates: ["mail"],
  async run({ id }, { graph }) {
    const moved = await graph.post<Moved>(`/me/messages/${idSegment(id, "id")}/move`, {
      destinationId: "deleteditems",
    });
    return {
      text: `Moved "${moved.subject || "(no subject)"}" to Deleted Items; it can be recovered there (new id: ${moved.id}).`,
    };
  },
});
