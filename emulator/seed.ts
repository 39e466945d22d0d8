/**
 * Deterministic demo data: the same mailboxes on every start. Dates are laid out
 * back from the start of the current UTC day, so recent mail looks recent.
 */
import { createHash } from "node:crypto";
import type { Attachment, MailFolder, Message, Recipient } from "@microsoft/microsoft-graph-types";
import { DEMO_USERS, TENANT_DOMAIN, type DemoUser } from "./tenant.ts";

/** A message as the emulator stores it: Graph's shape plus its folder and attachments. */
export interface StoredMessage extends Message {
  id: string;
  parentFolderId: string;
  attachments: StoredAttachment[];
}

export interface StoredAttachment extends Attachment {
  id: string;
  "@odata.type": "#microsoft.graph.fileAttachment";
  contentBytes: string;
}

export interface Mailbox {
  folders: MailFolder[];
  messages: Map<string, StoredMessage>;
}

/** mulberry32: a small seeded PRNG, so every start produces the same data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** An id shaped like Graph's (base64, ~150 characters), stable for the same input. */
export function graphId(prefix: string, ...parts: (string | number)[]): string {
  const digest = (salt: string) =>
    createHash("sha256")
      .update(`${salt}|${parts.join("|")}`)
      .digest("base64");
  const body = `${digest("a")}${digest("b")}${digest("c")}`.replace(/\//g, "-").replace(/\+/g, "_").replace(/=/g, "");
  return `${prefix}${body}`.slice(0, 148) + "AAA=";
}

export const WELL_KNOWN_FOLDERS = ["inbox", "sentitems", "drafts", "archive", "deleteditems", "junkemail"] as const;
const FOLDER_NAMES: Record<(typeof WELL_KNOWN_FOLDERS)[number], string> = {
  inbox: "Inbox",
  sentitems: "Sent Items",
  drafts: "Drafts",
  archive: "Archive",
  deleteditems: "Deleted Items",
  junkemail: "Junk Email",
};

const EXTERNAL_PEOPLE = [
  { name: "Nestor Wilke", address: "nestor.wilke@fabrikam.example" },
  { name: "Lidia Holloway", address: "lidia@northwind.example" },
  { name: "Patti Fernandez", address: "patti@adatum.example" },
  { name: "Contoso Travel", address: "noreply@travel.contoso-partners.example" },
  { name: "Woodgrove Bank", address: "alerts@woodgrove.example" },
  { name: "Isaiah Langer", address: "isaiah@litware.example" },
];

const TOPICS = [
  "Q3 budget review",
  "Launch plan for Mark 8",
  "Offsite agenda",
  "Customer feedback from Northwind",
  "Design review notes",
  "Travel itinerary for Berlin",
  "Invoice 4471 overdue",
  "Weekly status update",
  "Hiring: senior designer",
  "Contract renewal with Fabrikam",
  "Press release draft",
  "Team lunch on Friday",
  "Security training reminder",
  "Expense report approved",
  "Webinar registration confirmed",
  "Brand guidelines v2",
  "Quarterly business review deck",
  "Partner summit logistics",
  "Survey results are in",
  "Roadmap planning for next year",
];

const SENTENCES = [
  "Thanks for pulling this together so quickly.",
  "Could you take a look before our meeting on Thursday?",
  "I have attached the latest numbers for your review.",
  "Let me know if the timeline still works for your team.",
  "We need a decision on this by the end of the week.",
  "The customer asked for a follow-up call next Tuesday.",
  "I moved the review to the larger conference room.",
  "Finance signed off on the revised budget this morning.",
  "Please add your comments directly in the document.",
  "Happy to discuss on a quick call if that is easier.",
  "The vendor confirmed delivery for the first week of next month.",
  "Marketing would like one more round of edits on the copy.",
];

const ATTACHMENT_KINDS = [
  { ext: "pdf", contentType: "application/pdf", text: false },
  { ext: "docx", contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", text: false },
  { ext: "png", contentType: "image/png", text: false },
  { ext: "txt", contentType: "text/plain", text: true },
  { ext: "csv", contentType: "text/csv", text: true },
] as const;

const MESSAGES_PER_USER = [320, 140, 90];

function recipient(name: string, address: string): Recipient {
  return { emailAddress: { name, address } };
}

function userRecipient(user: DemoUser): Recipient {
  return recipient(user.displayName, user.mail);
}

function attachmentContent(
  random: () => number,
  kind: (typeof ATTACHMENT_KINDS)[number],
  size: number,
  topic: string,
): string {
  if (kind.text) {
    const lines = [kind.ext === "csv" ? "item,quarter,amount" : `Notes: ${topic}`];
    let length = lines[0]!.length;
    while (length < size) {
      const line =
        kind.ext === "csv"
          ? `${pick(random, TOPICS).split(" ")[0]},Q${1 + Math.floor(random() * 4)},${Math.floor(random() * 10000)}`
          : pick(random, SENTENCES);
      lines.push(line);
      length += line.length + 1;
    }
    return Buffer.from(lines.join("\n").slice(0, size)).toString("base64");
  }
  // Binary content: a 4 KiB SHA-256 stream seeded from the PRNG, repeated to size.
  const seed = String(random());
  const blocks: Buffer[] = [];
  for (let block = 0; block < 128; block++) blocks.push(createHash("sha256").update(`${seed}:${block}`).digest());
  const pattern = Buffer.concat(blocks);
  const content = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += pattern.length) pattern.copy(content, offset);
  return content.toString("base64");
}

function folderId(user: DemoUser, name: string): string {
  return graphId("AAMkAGFolder", user.id, name);
}

function buildFolders(user: DemoUser): MailFolder[] {
  const folders: MailFolder[] = WELL_KNOWN_FOLDERS.map((name) => ({
    id: folderId(user, name),
    displayName: FOLDER_NAMES[name],
    parentFolderId: folderId(user, "root"),
    childFolderCount: name === "inbox" ? 1 : 0,
    unreadItemCount: 0,
    totalItemCount: 0,
    isHidden: false,
  }));
  folders.push({
    id: folderId(user, "projects"),
    displayName: "Projects",
    parentFolderId: folderId(user, "inbox"),
    childFolderCount: 0,
    unreadItemCount: 0,
    totalItemCount: 0,
    isHidden: false,
  });
  return folders;
}

/** The well-known name of a folder id, if it is one. */
export function wellKnownName(user: DemoUser, id: string): string | undefined {
  return WELL_KNOWN_FOLDERS.find((name) => folderId(user, name) === id);
}

export function resolveFolderId(user: DemoUser, idOrName: string): string {
  const lower = idOrName.toLowerCase();
  return (WELL_KNOWN_FOLDERS as readonly string[]).includes(lower) ? folderId(user, lower) : idOrName;
}

function htmlBody(greeting: string, sentences: string[], signature: string): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><p>${greeting}</p>${sentences.map((s) => `<p>${s}</p>`).join("")}<p>Best regards,<br>${signature}</p></body></html>`;
}

function buildMailbox(user: DemoUser, userIndex: number, dayStart: number): Mailbox {
  const random = prng(0x5eed + userIndex * 7919);
  const folders = buildFolders(user);
  const messages = new Map<string, StoredMessage>();
  const colleagues = DEMO_USERS.filter((other) => other.id !== user.id);
  const total = MESSAGES_PER_USER[userIndex] ?? 60;
  let index = 0;
  let thread = 0;
  while (index < total) {
    const topic = pick(random, TOPICS);
    const conversationId = graphId("AAQkAGConv", user.id, thread);
    const threadLength = 1 + Math.floor(random() * 4);
    // Thread start: up to 120 days back; later replies follow within hours.
    let at = dayStart + 20 * 3600_000 - Math.floor(random() * 120 * 24 * 3600_000);
    for (let position = 0; position < threadLength && index < total; position++, index++) {
      at += Math.floor(random() * 6 * 3600_000);
      const roll = random();
      const folder =
        roll < 0.58
          ? "inbox"
          : roll < 0.74
            ? "sentitems"
            : roll < 0.78
              ? "drafts"
              : roll < 0.9
                ? "archive"
                : roll < 0.95
                  ? "deleteditems"
                  : "projects";
      const external = random() < 0.35 ? pick(random, EXTERNAL_PEOPLE) : undefined;
      const colleague = pick(random, colleagues);
      const other = external ? recipient(external.name, external.address) : userRecipient(colleague);
      const outgoing = folder === "sentitems" || folder === "drafts";
      const from = outgoing ? userRecipient(user) : other;
      const to = outgoing ? [other] : [userRecipient(user)];
      const cc = random() < 0.25 ? [userRecipient(pick(random, colleagues))] : [];
      const subject = position === 0 ? topic : `RE: ${topic}`;
      const sentences = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(random, SENTENCES));
      const senderName = from.emailAddress?.name ?? "";
      const content = htmlBody(
        `Hi ${(outgoing ? other : userRecipient(user)).emailAddress?.name?.split(" ")[0] ?? "there"},`,
        sentences,
        senderName,
      );
      const hasAttachments = random() < 0.22;
      const id = graphId("AAMkAGI2", user.id, index);
      const attachments: StoredAttachment[] = [];
      if (hasAttachments) {
        const count = 1 + Math.floor(random() * 2);
        for (let a = 0; a < count; a++) {
          const kind = pick(random, ATTACHMENT_KINDS);
          const large = random() < 0.06;
          const size = large ? 1_000_000 + Math.floor(random() * 1_500_000) : 600 + Math.floor(random() * 60_000);
          const contentBytes = attachmentContent(random, kind, size, topic);
          attachments.push({
            "@odata.type": "#microsoft.graph.fileAttachment",
            id: graphId("AAMkAGAtt", user.id, index, a),
            name: `${topic
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, "-")
              .replace(/-$/, "")}-${a + 1}.${kind.ext}`,
            contentType: kind.contentType,
            size: Buffer.from(contentBytes, "base64").length,
            isInline: false,
            lastModifiedDateTime: new Date(at).toISOString(),
            contentBytes,
          });
        }
      }
      const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
      messages.set(id, {
        id,
        createdDateTime: iso,
        lastModifiedDateTime: iso,
        receivedDateTime: iso,
        sentDateTime: iso,
        hasAttachments,
        internetMessageId: `<${graphId("", user.id, index).slice(0, 24)}@${TENANT_DOMAIN}>`,
        subject,
        bodyPreview: sentences.join(" ").slice(0, 255),
        importance: random() < 0.12 ? "high" : random() < 0.05 ? "low" : "normal",
        parentFolderId: folderId(user, folder),
        conversationId,
        isDeliveryReceiptRequested: false,
        isReadReceiptRequested: false,
        isRead:
          folder !== "inbox" && folder !== "projects" ? true : random() < 0.55 || at < dayStart - 14 * 24 * 3600_000,
        isDraft: folder === "drafts",
        webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
        inferenceClassification: random() < 0.8 ? "focused" : "other",
        body: { contentType: "html", content },
        sender: from,
        from,
        toRecipients: to,
        ccRecipients: cc,
        bccRecipients: [],
        replyTo: [],
        categories: random() < 0.15 ? [pick(random, ["Red category", "Blue category", "Green category"])] : [],
        flag: { flagStatus: random() < 0.08 ? "flagged" : "notFlagged" },
        attachments,
      });
    }
    thread++;
  }
  return { folders, messages };
}

const seeded = new Map<number, Map<string, Mailbox>>();

/**
 * Every demo user's mailbox, keyed by user id: fresh objects each call (a reset
 * discards changes), built once per day (attachment contents are shared strings).
 */
export function seedMailboxes(now = Date.now()): Map<string, Mailbox> {
  const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
  let template = seeded.get(dayStart);
  if (!template) {
    template = new Map(DEMO_USERS.map((user, index) => [user.id, buildMailbox(user, index, dayStart)]));
    seeded.clear();
    seeded.set(dayStart, template);
  }
  return new Map(
    [...template].map(([userId, mailbox]) => [
      userId,
      {
        folders: mailbox.folders.map((folder) => ({ ...folder })),
        messages: new Map(
          [...mailbox.messages].map(([id, message]) => [
            id,
            {
              ...structuredClone({ ...message, attachments: [] }),
              attachments: message.attachments.map((a) => ({ ...a })),
            },
          ]),
        ),
      },
    ]),
  );
}

export { folderId };
