/** Acting on mail: reply, forward, drafts, move, update, delete. Every one acts at once, as the user. */
import type { Message } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { inMailbox, mailboxInput } from "../shared/mailbox.ts";
import { CLOCK_SKEW_MS, createdSince, findMarked, markerProperty, readForCheck } from "../shared/once-marker.ts";
import { defineTool, scopesWith, type ToolContext } from "../spec.ts";
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
  ...scopesWith(["Mail.Send"], { mailbox: ["Mail.Send.Shared"] }),
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run({ mailbox, ...args }, { graph, once }) {
    const { message, attachmentCount } = composeMessage(args);
    // Sending from another mailbox is the user's own send with `from` set: Exchange makes it Send As or
    // Send on Behalf by the user's rights, and keeps the copy in the user's Sent Items.
    const from = mailbox ? { from: { emailAddress: { address: mailbox } } } : {};
    await inMailbox(mailbox, () =>
      graph.post("/me/sendMail", { message: { ...message, ...from, ...markerProperty(once) }, saveToSentItems: true }),
    );
    return { text: sentText(args, attachmentCount, mailbox) };
  },
  // The Sent Items copy (the user's, also when sent from another mailbox) keeps the marker: found there, it was sent.
  async reconcile({ mailbox, ...args }, { graph, once }) {
    const sent = await findMarked(graph, "/me/messages", once, "id", "Mail.Read");
    return sent ? { text: sentText(args, composeMessage(args).attachmentCount, mailbox) } : undefined;
  },
});

function sentText(
  args: { subject: string; to?: string[]; cc?: string[]; bcc?: string[] },
  attachments: number,
  mailbox?: string,
): string {
  const everyone = [...(args.to ?? []), ...(args.cc ?? []), ...(args.bcc ?? [])];
  const attached = attachments ? ` with ${attachments} attachment${attachments === 1 ? "" : "s"}` : "";
  return `Sent "${args.subject}"${mailbox ? ` from ${mailbox}` : ""} to ${everyone.join(", ")}${attached}.`;
}

/**
 * Whether a reply or forward of `id` went out since `once` was claimed: a
 * message in the original's conversation in Sent Items, sent since then (to
 * `to`, for a forward). Replies carry no marker, so this finds them by what
 * they are and when they were sent.
 */
async function findResponse(
  { graph, once }: ToolContext & { once: NonNullable<ToolContext["once"]> },
  id: string,
  to?: readonly string[],
): Promise<boolean> {
  const original = await readForCheck(
    () => graph.get<Message>(`/me/messages/${idSegment(id, "id")}`, { query: { $select: "conversationId" } }),
    "Mail.Read",
  );
  const since = new Date(once.since - CLOCK_SKEW_MS).toISOString().replace(/\.\d+Z$/, "Z");
  const page = await readForCheck(
    () =>
      graph.get<{ value: Message[] }>("/me/mailFolders/sentitems/messages", {
        query: {
          $filter: `conversationId eq '${original.conversationId}' and sentDateTime ge ${since}`,
          $select: "id,sentDateTime,toRecipients",
          $top: 50,
        },
      }),
    "Mail.Read",
  );
  const wanted = new Set((to ?? []).map((address) => address.toLowerCase()));
  return page.value.some(
    (message) =>
      createdSince(message.sentDateTime, once) &&
      [...wanted].every((address) =>
        (message.toRecipients ?? []).some((entry) => entry.emailAddress?.address?.toLowerCase() === address),
      ),
  );
}

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
    return { text: repliedText(id, replyAll) };
  },
  async reconcile({ id, replyAll }, context) {
    return (await findResponse(context, id)) ? { text: repliedText(id, replyAll) } : undefined;
  },
});

function repliedText(id: string, replyAll: boolean): string {
  return `Replied${replyAll ? " to all" : ""} to message ${id}; the reply is in Sent Items.`;
}

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
    return { text: forwardedText(id, to) };
  },
  async reconcile({ id, to }, context) {
    return (await findResponse(context, id, to)) ? { text: forwardedText(id, to) } : undefined;
  },
});

function forwardedText(id: string, to: readonly string[]): string {
  return `Forwarded message ${id} to ${to.join(", ")}; the forward is in Sent Items.`;
}

export const createDraft = defineTool({
  name: "createDraft",
  title: "Create draft email",
  description: "Save a new email in Drafts without sending it, for the user to review; send it later with sendDraft.",
  input: composeInput(false),
  scopes: ["Mail.ReadWrite"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["mail"],
  async run(args, { graph, once }) {
    const { message } = composeMessage(args);
    const draft = await graph.post<Message>("/me/messages", { ...message, ...markerProperty(once) });
    return { text: draftText(args, draft.id) };
  },
  async reconcile(args, { graph, once }) {
    const draft = await findMarked<Message>(graph, "/me/messages", once, "id", "Mail.Read");
    return draft ? { text: draftText(args, draft.id) } : undefined;
  },
});

function draftText({ to, subject }: { to?: string[]; subject: string }, id: string | undefined): string {
  const who = to?.length ? ` to ${to.join(", ")}` : " (no recipients yet)";
  return `Saved draft "${subject}"${who} in Drafts; id: ${id}. Send it with sendDraft.`;
}

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
  // Sending moves the draft to Sent Items under a new id: still a draft, it was not sent.
  async reconcile({ id }, { graph }) {
    const draft = await readForCheck(
      () =>
        graph
          .get<Message>(`/me/messages/${idSegment(id, "id")}`, { query: { $select: "isDraft" } })
          .catch((error: unknown) => {
            if (error instanceof GraphError && error.status === 404) return undefined;
            throw error;
          }),
      "Mail.Read",
    );
    return draft?.isDraft ? undefined : { text: `Sent draft ${id}; it is now in Sent Items (under a new id).` };
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
    importance: z.enum(["low", "normal", "high"]).optional(),
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
