/**
 * A demo user's seeded mailbox: the usual folders plus Inbox/Projects, and a
 * few hundred messages in conversation threads with colleagues, partners and
 * automated senders, laid out back in time from the start of the day.
 */
import type { Recipient } from "@microsoft/microsoft-graph-types";
import { createHash } from "node:crypto";
import { bodyPreview, escapeHtml, htmlDocument, htmlToText } from "../html-text.ts";
import type { Mailbox, StoredAttachment, StoredFolder, StoredMessage, WellKnownFolderName } from "../model.ts";
import { ADELE, ALEX, DEMO_USERS, MEGAN, type DemoUser } from "../tenant.ts";
import {
  ADVISORY_NOTES,
  CATEGORIES,
  DRAFT_IDEAS,
  EXTERNAL_PEOPLE,
  GENERAL_LINES,
  GREETINGS,
  JUNK_MAIL,
  LAUNCH_ASSETS,
  MAIL_TOPICS,
  NEWSLETTER,
  SIGN_OFFS,
  type MailTopic,
  type Person,
} from "./corpus.ts";
import { attachmentKind, CONTENT_TYPES, fileContent } from "./files.ts";
import { SeededRandom, stableId } from "./random.ts";
import { DAY, HOUR, isoSeconds, MINUTE, utcDateTime } from "./time.ts";

/** How many messages each user's threads add up to (junk mail and drafts come on top). */
const THREAD_MESSAGES: Record<string, number> = { [ADELE.id]: 330, [MEGAN.id]: 210, [ALEX.id]: 150 };

const FOLDER_NAMES: Record<WellKnownFolderName, string> = {
  msgfolderroot: "Top of Information Store",
  inbox: "Inbox",
  sentitems: "Sent Items",
  drafts: "Drafts",
  archive: "Archive",
  deleteditems: "Deleted Items",
  junkemail: "Junk Email",
  outbox: "Outbox",
  conversationhistory: "Conversation History",
};

function folderId(user: DemoUser, name: string): string {
  return stableId("AQMkADAwATM0MDAAMS1", user.id, "folder", name);
}

function seedFolders(user: DemoUser): StoredFolder[] {
  const rootId = folderId(user, "msgfolderroot");
  const folders: StoredFolder[] = (Object.keys(FOLDER_NAMES) as WellKnownFolderName[]).map((name) => ({
    id: folderId(user, name),
    displayName: FOLDER_NAMES[name],
    parentFolderId: name === "msgfolderroot" ? null : rootId,
    isHidden: false,
    wellKnownName: name,
  }));
  folders.push({
    id: folderId(user, "projects"),
    displayName: "Projects",
    parentFolderId: folderId(user, "inbox"),
    isHidden: false,
  });
  return folders;
}

function personOf(user: DemoUser): Person {
  return { name: user.displayName, address: user.mail };
}

function recipient(person: Person): Recipient {
  return { emailAddress: { name: person.name, address: person.address } };
}

function firstName(person: Person): string {
  return person.name.split(" ")[0] ?? person.name;
}

/** Neither a colleague nor a person at a partner: a notification or junk sender. */
function isAutomated(person: Person): boolean {
  return ![...DEMO_USERS.map(personOf), ...EXTERNAL_PEOPLE].some((known) => known.address === person.address);
}

/** A message before it is stored. */
interface PendingMessage {
  from: Person;
  to: Person[];
  cc: Person[];
  subject: string;
  /** This message's own HTML, without the quoted history. */
  ownHtml: string;
  at: number;
  folder: string;
  attachments: StoredAttachment[];
  isDraft?: boolean;
}

class MailboxSeeder {
  private readonly user: DemoUser;
  private readonly me: Person;
  private readonly dayStart: number;
  private readonly random: SeededRandom;
  private readonly folders: StoredFolder[];
  private readonly messages = new Map<string, StoredMessage>();
  private threads = 0;
  private attachmentCount = 0;

  constructor(user: DemoUser, dayStart: number) {
    this.user = user;
    this.me = personOf(user);
    this.dayStart = dayStart;
    this.random = new SeededRandom(createHash("sha256").update(user.id).digest().readUInt32BE(0));
    this.folders = seedFolders(user);
  }

  build(): Mailbox {
    const target = THREAD_MESSAGES[this.user.id] ?? 100;
    while (this.messages.size < target) this.addThread();
    this.addJunk();
    this.addDraftIdeas();
    this.addShowcase();
    return { folders: this.folders, messages: this.messages };
  }

  private folder(name: string): string {
    return folderId(this.user, name);
  }

  private colleagues(): Person[] {
    return DEMO_USERS.filter((other) => other.id !== this.user.id).map(personOf);
  }

  private counterpartFor(topic: MailTopic): Person {
    if (topic.sender) return topic.sender;
    return topic.audience === "internal" ? this.random.pick(this.colleagues()) : this.random.pick(EXTERNAL_PEOPLE);
  }

  /** Where the incoming messages of a thread started `ageDays` ago ended up. */
  private incomingFolder(topic: MailTopic, ageDays: number): string {
    const roll = this.random.next();
    if (topic.audience === "notification") return this.folder(roll < 0.25 ? "deleteditems" : "inbox");
    if (ageDays > 45 && roll < 0.35) return this.folder("archive");
    if (roll < 0.04) return this.folder("deleteditems");
    if (topic.audience === "internal" && roll < 0.16) return this.folder("projects");
    return this.folder("inbox");
  }

  private addThread(): void {
    const topic = this.random.pick(MAIL_TOPICS);
    const counterpart = this.counterpartFor(topic);
    const others = this.colleagues().filter((person) => person.address !== counterpart.address);
    const cc = topic.audience !== "notification" && this.random.chance(0.3) ? [this.random.pick(others)] : [];
    const length = topic.audience === "notification" ? 1 : this.random.int(1, 5);
    const ageDays = 150 * this.random.next() ** 2;
    const incoming = this.incomingFolder(topic, ageDays);
    const conversationId = stableId("AAQkAGI2", this.user.id, "conversation", this.threads++);
    let userWrites = topic.audience !== "notification" && this.random.chance(0.35);
    let at = this.dayStart - ageDays * DAY - this.random.int(10, 600) * MINUTE;
    let previous: StoredMessage | undefined;
    let previousOwnHtml = "";
    for (let position = 0; position < length; position++) {
      if (at > this.dayStart - 5 * MINUTE) break;
      const from = userWrites ? this.me : counterpart;
      const to = userWrites ? counterpart : this.me;
      const attachments = this.attachmentsFor(topic, position === 0 ? 0.5 : 0.08, at);
      const inline =
        !userWrites && topic.audience === "internal" && this.random.chance(0.06) ? this.inlineImage(at) : undefined;
      const pending: PendingMessage = {
        from,
        to: [to],
        cc,
        subject: position === 0 ? topic.subject : `RE: ${topic.subject}`,
        ownHtml: this.ownHtml(topic, from, to, inline),
        at,
        folder: userWrites ? this.folder("sentitems") : incoming,
        attachments: inline ? [...attachments, inline] : attachments,
      };
      previous = this.store(pending, conversationId, previous && { message: previous, ownHtml: previousOwnHtml });
      previousOwnHtml = pending.ownHtml;
      userWrites = !userWrites;
      at += this.random.int(10, 26 * 60) * MINUTE;
    }
    if (previous && userWrites && this.random.chance(0.06) && at < this.dayStart) {
      const pending: PendingMessage = {
        from: this.me,
        to: [counterpart],
        cc,
        subject: `RE: ${topic.subject}`,
        ownHtml: this.ownHtml(topic, this.me, counterpart),
        at,
        folder: this.folder("drafts"),
        attachments: [],
        isDraft: true,
      };
      this.store(pending, conversationId, { message: previous, ownHtml: previousOwnHtml });
    }
  }

  private ownHtml(topic: MailTopic, from: Person, to: Person, inline?: StoredAttachment): string {
    const lines = [
      ...new Set([this.random.pick(topic.lines), this.random.pick(topic.lines), this.random.pick(GENERAL_LINES)]),
    ];
    if (topic.audience === "notification") {
      return `${topic.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("")}<p>${escapeHtml(from.name)}</p>`;
    }
    const image = inline ? `<p><img src="cid:${inline.contentId}" alt="${escapeHtml(inline.name)}"></p>` : "";
    return (
      `<p>${this.random.pick(GREETINGS)} ${escapeHtml(firstName(to))},</p>` +
      lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("") +
      image +
      `<p>${this.random.pick(SIGN_OFFS)},<br>${escapeHtml(firstName(from))}</p>`
    );
  }

  private attachmentsFor(topic: MailTopic, probability: number, at: number): StoredAttachment[] {
    if (topic.files.length === 0 || !this.random.chance(probability)) return [];
    const count = this.random.int(1, topic.files.length);
    return topic.files.slice(0, count).map((name) => {
      const kind = attachmentKind(name);
      const textual = kind === "txt" || kind === "csv" || kind === "json" || kind === "xml";
      const size = textual
        ? this.random.int(600, 24_000)
        : this.random.chance(0.05)
          ? this.random.int(1_000_000, 2_400_000)
          : this.random.int(8_000, 180_000);
      const bytes = fileContent(kind, topic.subject, topic.lines, size, this.random);
      return this.attachment(name, CONTENT_TYPES[kind], bytes, false, at);
    });
  }

  private inlineImage(at: number): StoredAttachment {
    const bytes = fileContent("png", "Screenshot", [], this.random.int(3_000, 40_000), this.random);
    const image = this.attachment("image001.png", "image/png", bytes, true, at);
    return { ...image, contentId: `image001.png@${image.id.slice(10, 26)}` };
  }

  private attachment(
    name: string,
    contentType: string,
    bytes: Buffer,
    isInline: boolean,
    at: number,
  ): StoredAttachment {
    const id = stableId("AAMkAGI2", this.user.id, "attachment", this.attachmentCount++);
    return {
      "@odata.type": "#microsoft.graph.fileAttachment",
      id,
      lastModifiedDateTime: isoSeconds(at),
      name,
      contentType,
      size: bytes.length,
      isInline,
      contentId: null,
      contentLocation: null,
      contentBytes: bytes.toString("base64"),
    };
  }

  private store(
    pending: PendingMessage,
    conversationId: string,
    quoted?: { message: StoredMessage; ownHtml: string },
  ): StoredMessage {
    const index = this.messages.size;
    const id = stableId("AAMkAGI2", this.user.id, "message", index);
    const incoming = pending.from.address !== this.me.address;
    const ageDays = (this.dayStart - pending.at) / DAY;
    const history = quoted
      ? `<hr><div><b>From:</b> ${escapeHtml(quoted.message.from?.emailAddress?.name ?? "")} &lt;${escapeHtml(
          quoted.message.from?.emailAddress?.address ?? "",
        )}&gt;<br><b>Sent:</b> ${new Date(quoted.message.receivedDateTime).toUTCString()}<br><b>Subject:</b> ${escapeHtml(
          quoted.message.subject ?? "",
        )}</div>${quoted.ownHtml}`
      : "";
    const html = htmlDocument(pending.ownHtml + history);
    const unreadChance = ageDays < 2 ? 0.6 : ageDays < 14 ? 0.25 : 0.04;
    const inInbox = pending.folder === this.folder("inbox") || pending.folder === this.folder("projects");
    const flagRoll = this.random.next();
    const flagged = incoming && flagRoll < 0.08;
    const sentAt = pending.at - this.random.int(2, 40) * 1000;
    const message: StoredMessage = {
      id,
      createdDateTime: isoSeconds(pending.at),
      lastModifiedDateTime: isoSeconds(pending.at),
      changeKey: `CQAAABYAAAA${stableId("", this.user.id, "change", index).slice(0, 28)}`,
      categories: this.random.chance(0.12) ? [this.random.pick(CATEGORIES)] : [],
      receivedDateTime: isoSeconds(pending.at),
      sentDateTime: isoSeconds(pending.isDraft ? pending.at : sentAt),
      hasAttachments: pending.attachments.some((attachment) => !attachment.isInline),
      internetMessageId: `<${stableId("", this.user.id, "internet", index).slice(0, 32)}@${pending.from.address.split("@")[1]}>`,
      subject: pending.subject,
      bodyPreview: bodyPreview(htmlToText(html)),
      importance: this.random.chance(0.08) ? "high" : this.random.chance(0.03) ? "low" : "normal",
      parentFolderId: pending.folder,
      conversationId,
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: incoming && inInbox ? !this.random.chance(unreadChance) : true,
      isDraft: pending.isDraft ?? false,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: incoming && isAutomated(pending.from) ? "other" : "focused",
      body: { contentType: "html", content: html },
      sender: recipient(pending.from),
      from: recipient(pending.from),
      toRecipients: pending.to.map(recipient),
      ccRecipients: pending.cc.map(recipient),
      bccRecipients: [],
      replyTo: [],
      flag: flagged
        ? { flagStatus: "flagged", dueDateTime: utcDateTime(pending.at + 3 * DAY) }
        : { flagStatus: incoming && flagRoll < 0.11 ? "complete" : "notFlagged" },
      attachments: pending.attachments,
    };
    this.messages.set(id, message);
    return message;
  }

  private addJunk(): void {
    JUNK_MAIL.forEach((junk, index) => {
      const at = this.dayStart - (index * 3 + 1) * DAY - this.random.int(1, 600) * MINUTE;
      const conversationId = stableId("AAQkAGI2", this.user.id, "conversation", this.threads++);
      this.store(
        {
          from: junk.sender,
          to: [this.me],
          cc: [],
          subject: junk.subject,
          ownHtml: `<p>${escapeHtml(junk.line)}</p>`,
          at,
          folder: this.folder("junkemail"),
          attachments: [],
        },
        conversationId,
      );
    });
  }

  private addDraftIdeas(): void {
    DRAFT_IDEAS.forEach((idea, index) => {
      const at = this.dayStart - (index * 5 + 2) * DAY - this.random.int(1, 600) * MINUTE;
      const conversationId = stableId("AAQkAGI2", this.user.id, "conversation", this.threads++);
      this.store(
        {
          from: this.me,
          to: [],
          cc: [],
          subject: idea.subject,
          ownHtml: idea.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join(""),
          at,
          folder: this.folder("drafts"),
          attachments: [],
          isDraft: true,
        },
        conversationId,
      );
    });
  }

  /**
   * Messages every user has, whatever the random threads gave them: a designed
   * newsletter (styles, links, a table), a partner's large files of several
   * types (two over 1 MB), and notes long enough to page through.
   */
  private addShowcase(): void {
    const thread = () => stableId("AAQkAGI2", this.user.id, "conversation", this.threads++);
    this.store(
      {
        from: NEWSLETTER.sender,
        to: [this.me],
        cc: [],
        subject: NEWSLETTER.subject,
        ownHtml: NEWSLETTER.html,
        at: this.dayStart - 20 * HOUR,
        folder: this.folder("inbox"),
        attachments: [],
      },
      thread(),
    );
    const partner = EXTERNAL_PEOPLE.find((person) => person.jobTitle === "Creative Director") ?? EXTERNAL_PEOPLE[0]!;
    const assetsAt = this.dayStart - 30 * HOUR;
    this.store(
      {
        from: partner,
        to: [this.me],
        cc: [],
        subject: LAUNCH_ASSETS.subject,
        ownHtml:
          `<p>Hi ${escapeHtml(firstName(this.me))},</p>` +
          LAUNCH_ASSETS.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("") +
          `<p>Best regards,<br>${escapeHtml(firstName(partner))}</p>`,
        at: assetsAt,
        folder: this.folder("inbox"),
        attachments: LAUNCH_ASSETS.files.map((file) => {
          const kind = attachmentKind(file.name);
          const bytes = fileContent(kind, LAUNCH_ASSETS.subject, LAUNCH_ASSETS.lines, file.size, this.random);
          return this.attachment(file.name, CONTENT_TYPES[kind], bytes, false, assetsAt);
        }),
      },
      thread(),
    );
    const author = this.random.pick(this.colleagues());
    const notes = ADVISORY_NOTES.sections
      .map(
        (section, index) =>
          `<h2>${index + 1}. ${escapeHtml(section)}</h2>` +
          Array.from({ length: 8 }, () => {
            const sentences = Array.from({ length: 5 }, () => this.random.pick(ADVISORY_NOTES.lines));
            return `<p>${escapeHtml(sentences.join(" "))}</p>`;
          }).join(""),
      )
      .join("");
    this.store(
      {
        from: author,
        to: [this.me],
        cc: [],
        subject: ADVISORY_NOTES.subject,
        ownHtml: `<p>Hi ${escapeHtml(firstName(this.me))}, here are the full notes from yesterday.</p>${notes}`,
        at: this.dayStart - 52 * HOUR,
        folder: this.folder("inbox"),
        attachments: [],
      },
      thread(),
    );
  }
}

/** The seeded mailbox of `user`, with messages dated back from `dayStart` (epoch ms, midnight UTC). */
export function seedMailbox(user: DemoUser, dayStart: number): Mailbox {
  return new MailboxSeeder(user, dayStart).build();
}
