/**
 * The mail tools end to end in the Workers runtime, against the emulator:
 * reading one message and its attachments, folders, and every write
 * (reply, forward, drafts, move, update, delete) seen through later reads.
 */
import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { htmlToReadableText, tidyText } from "../../src/tools/shared/html.ts";
import { callTool, clearLog, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface Summary {
  id: string;
  subject: string;
  from: string;
  isRead: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

interface Listing {
  messages: Summary[];
  nextCursor?: string;
}

interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline?: boolean;
}

interface MessageView {
  id: string;
  subject: string;
  from: string;
  to: string;
  cc?: string;
  receivedAt: string;
  importance: string;
  isRead: boolean;
  isDraft?: boolean;
  flag?: string;
  categories?: string[];
  conversationId: string;
  body: string;
  bodyTruncated?: boolean;
  attachments: Attachment[];
}

interface Folder {
  id: string;
  path: string;
  unread: number;
  total: number;
  childFolderCount: number;
}

const call = callTool;

const text = resultText;

function structured<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${text(result)}`);
  return result.structuredContent as T;
}

async function listing(client: Client, args: Record<string, unknown>): Promise<Listing> {
  return structured<Listing>(await call(client, "getEmails", { fresh: true, ...args }));
}

/** The message with exactly this subject, found through searchEmails. */
async function bySubject(client: Client, subject: string): Promise<Summary> {
  const found = structured<Listing>(await call(client, "searchEmails", { query: subject, count: 50, fresh: true }));
  const message = found.messages.find((candidate) => candidate.subject === subject);
  if (!message) throw new Error(`no message "${subject}"`);
  return message;
}

async function read(client: Client, id: string, args: Record<string, unknown> = {}): Promise<MessageView> {
  return structured<MessageView>(await call(client, "getEmail", { id, fresh: true, ...args }));
}

/** The newest inbox message from a colleague in the tenant (so replies are delivered and readable). */
async function fromMegan(client: Client): Promise<Summary> {
  const inbox = await listing(client, { count: 50 });
  const message = inbox.messages.find((candidate) => candidate.from.includes("megan@contoso.example"));
  if (!message) throw new Error("no message from Megan in the first 50");
  return message;
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("getEmail", () => {
  it("reads a message in full: headers, the body as tidy text with links kept, the attachments", async () => {
    const client = await connectClient((await signIn()).access_token);
    const newsletter = await bySubject(client, "This month at Litware Events");
    await clearLog();
    const result = await call(client, "getEmail", { id: newsletter.id });
    expect(result.isError).toBeFalsy();
    const view = structured<MessageView>(result);
    expect(view).toMatchObject({
      id: newsletter.id,
      subject: "This month at Litware Events",
      from: "Litware Events <events@litware.example>",
      to: "Adele Vance <adele@contoso.example>",
      attachments: [],
    });
    expect(view.conversationId).toMatch(/^AAQk/);
    expect(view.body).toContain(
      "registration page (https://events.litware.example/register?utm_source=newsletter&utm_medium=email)",
    );
    expect(view.body).toContain("Unsubscribe (https://events.litware.example/unsubscribe)");
    expect(view.body).not.toMatch(/font-family|<https?:|<\/?[a-z]+>|\n{3}| {2}/);
    expect(view.bodyTruncated).toBeUndefined();
    const rendered = text(result);
    expect(rendered).toMatch(/^Subject: This month at Litware Events\nFrom: Litware Events <events@litware\.example>/);
    expect(rendered).toContain(`id: ${newsletter.id}`);
    expect(rendered).toContain(`conversationId: ${view.conversationId}`);
    expect(rendered).not.toContain("@odata");
    // One request: the text body and the attachment list (without their contents) together.
    const reads = (await requestLog()).filter((r) => r.path.startsWith("/v1.0/me/messages/"));
    expect(reads).toHaveLength(1);
    expect(decodeURIComponent(reads[0]!.query)).toContain(
      "$expand=attachments($select=id,name,contentType,size,isInline)",
    );
  });

  it("lists attachments with ids, types and sizes, and marks inline images", async () => {
    const client = await connectClient((await signIn()).access_token);
    const assets = await bySubject(client, "Mark 8 launch assets for review");
    const result = await call(client, "getEmail", { id: assets.id, fresh: true });
    const view = structured<MessageView>(result);
    expect(view.attachments.map((file) => [file.name, file.contentType])).toEqual([
      ["Mark 8 billboard.png", "image/png"],
      ["Mark 8 print brochure.pdf", "application/pdf"],
      ["campaign-settings.json", "application/json"],
      ["product-feed.xml", "application/xml"],
    ]);
    expect(view.attachments[0]!.size).toBeGreaterThan(1024 * 1024);
    expect(text(result)).toMatch(/- Mark 8 billboard\.png \(image\/png, 1\.\d MB\) id: \S+/);

    const inline = structured<Listing>(
      await call(client, "searchEmails", { query: "attachment:image001.png", count: 5, fresh: true }),
    ).messages[0]!;
    const withImage = await call(client, "getEmail", { id: inline.id, fresh: true });
    const image = structured<MessageView>(withImage).attachments.find((file) => file.name === "image001.png")!;
    expect(image.isInline).toBe(true);
    expect(text(withImage)).toContain("inline image");
    expect(structured<MessageView>(withImage).body).toContain("[inline image: image001.png]");
  });

  it("cuts a long body at maxChars and says so", async () => {
    const client = await connectClient((await signIn()).access_token);
    const notes = await bySubject(client, "Notes from the customer advisory board");
    const cut = await call(client, "getEmail", { id: notes.id, fresh: true });
    const view = structured<MessageView>(cut);
    expect(view.bodyTruncated).toBe(true);
    expect(view.body).toHaveLength(20_000);
    expect(text(cut)).toMatch(
      /\[Body cut at 20000 of \d{5} characters; call again with maxChars up to 100000 for more\.\]$/,
    );
    const whole = await read(client, notes.id, { maxChars: 100_000 });
    expect(whole.bodyTruncated).toBeUndefined();
    expect(whole.body.length).toBeGreaterThan(20_000);
    expect(whole.body.startsWith(view.body)).toBe(true);
    const short = await read(client, notes.id, { maxChars: 500 });
    expect(short.body).toHaveLength(500);
  });

  it("refuses invalid arguments naming the field, and answers not_found for an unknown id", async () => {
    const client = await connectClient((await signIn()).access_token);
    const traversal = await call(client, "getEmail", { id: "../../users/megan" });
    expect(text(traversal)).toMatch(/invalid_input.*\bid\b/);
    const small = await call(client, "getEmail", { id: "AAMkAGI2x", maxChars: 10 });
    expect(small.isError).toBe(true);
    expect(text(small)).toMatch(/maxChars/);
    const missing = await call(client, "getEmail", { id: "AAMkAGI2DoesNotExistAAA=" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("not_found");
    expect((await requestLog()).some((r) => r.path.includes("users/megan"))).toBe(false);
  });
});

describe("microsoft://messages/{id}", () => {
  it("is listed as a template and reads as getEmail renders the message", async () => {
    const client = await connectClient((await signIn()).access_token);
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((template) => template.uriTemplate)).toContain("microsoft://messages/{id}");
    const newsletter = await bySubject(client, "This month at Litware Events");
    const resource = await client.readResource({ uri: `microsoft://messages/${encodeURIComponent(newsletter.id)}` });
    const content = resource.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe("text/plain");
    expect(content.text).toBe(text(await call(client, "getEmail", { id: newsletter.id, fresh: true })));
    await expect(client.readResource({ uri: "microsoft://messages/AAMkAGI2DoesNotExistAAA%3D" })).rejects.toThrow(
      /not_found/,
    );
  });
});

describe("getAttachment", () => {
  async function assetFiles(client: Client): Promise<{ messageId: string; files: Attachment[] }> {
    const assets = await bySubject(client, "Mark 8 launch assets for review");
    return { messageId: assets.id, files: (await read(client, assets.id)).attachments };
  }

  it("returns JSON and XML attachments as text", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { messageId, files } = await assetFiles(client);
    const json = files.find((file) => file.name === "campaign-settings.json")!;
    const result = await call(client, "getAttachment", { messageId, attachmentId: json.id });
    const file = structured<Attachment & { encoding: string; content: string }>(result);
    expect(file).toMatchObject({ name: "campaign-settings.json", contentType: "application/json", encoding: "text" });
    expect(JSON.parse(file.content)).toMatchObject({ campaign: "Mark 8 launch assets for review", currency: "USD" });
    expect(text(result)).toMatch(/^campaign-settings\.json \(application\/json, \d KB\), text:\n\{/);
    const xml = files.find((file) => file.name === "product-feed.xml")!;
    const feed = structured<{ encoding: string; content: string }>(
      await call(client, "getAttachment", { messageId, attachmentId: xml.id }),
    );
    expect(feed.encoding).toBe("text");
    expect(feed.content).toMatch(/^<\?xml version="1.0"/);
  });

  it("returns a binary attachment as base64 of its exact bytes", async () => {
    const client = await connectClient((await signIn()).access_token);
    const inline = structured<Listing>(
      await call(client, "searchEmails", { query: "attachment:image001.png", count: 1, fresh: true }),
    ).messages[0]!;
    const image = (await read(client, inline.id)).attachments.find((file) => file.name === "image001.png")!;
    const result = await call(client, "getAttachment", { messageId: inline.id, attachmentId: image.id });
    const file = structured<Attachment & { encoding: string; content: string }>(result);
    expect(file).toMatchObject({ encoding: "base64", isInline: true, contentType: "image/png" });
    const bytes = Uint8Array.from(atob(file.content), (char) => char.charCodeAt(0));
    expect(bytes.length).toBe(image.size);
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(text(result)).toContain(file.content);
  });

  it("refuses an attachment over 1 MB with payload_too_large and its size, without downloading it", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { messageId, files } = await assetFiles(client);
    const billboard = files.find((file) => file.name === "Mark 8 billboard.png")!;
    await clearLog();
    const result = await call(client, "getAttachment", { messageId, attachmentId: billboard.id });
    expect(result.isError).toBe(true);
    expect(result._meta?.errorCode).toBe("payload_too_large");
    expect(text(result)).toContain(`${billboard.size} bytes`);
    expect(text(result)).toContain("1 MB");
    expect((await requestLog()).some((r) => r.path.endsWith("/$value"))).toBe(false);
  });

  it("cuts a long text attachment at maxChars", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { messageId, files } = await assetFiles(client);
    const json = files.find((file) => file.name === "campaign-settings.json")!;
    const result = await call(client, "getAttachment", { messageId, attachmentId: json.id, maxChars: 500 });
    const file = structured<{ content: string; truncated?: boolean }>(result);
    expect(file.content).toHaveLength(500);
    expect(file.truncated).toBe(true);
    expect(text(result)).toMatch(/\[Cut at 500 of \d+ characters\.\]$/);
  });

  it("answers not_found for an unknown attachment and invalid_input for a malformed id", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { messageId } = await assetFiles(client);
    const missing = await call(client, "getAttachment", { messageId, attachmentId: "AAMkAGI2nopeAAA=" });
    expect(text(missing)).toContain("not_found");
    const malformed = await call(client, "getAttachment", { messageId, attachmentId: "a/../../b?x" });
    expect(text(malformed)).toMatch(/invalid_input.*attachmentId/);
  });
});

describe("listMailFolders", () => {
  it("lists folders with counts and ids, subfolders under their parent", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, "listMailFolders");
    const { folders } = structured<{ folders: Folder[] }>(result);
    expect(folders.map((folder) => folder.path)).toEqual([
      "Archive",
      "Conversation History",
      "Deleted Items",
      "Drafts",
      "Inbox",
      "Inbox/Projects",
      "Junk Email",
      "Outbox",
      "Sent Items",
    ]);
    const inbox = folders.find((folder) => folder.path === "Inbox")!;
    expect(inbox.childFolderCount).toBe(1);
    expect(inbox.total).toBeGreaterThan(50);
    expect(inbox.unread).toBeGreaterThan(0);
    const rendered = text(result);
    expect(rendered).toMatch(/^Mail folders: 9, \d+ unread messages\./);
    expect(rendered).toContain(`- Inbox: ${inbox.unread} unread / ${inbox.total} total | id: ${inbox.id}`);
    expect(rendered).toMatch(/\n {2}- Projects: \d+ unread \/ \d+ total \| id: \S+/);
    // The counts agree with the messages: every unread Projects message, through getEmails with the folder id.
    const projects = folders.find((folder) => folder.path === "Inbox/Projects")!;
    const unread = await listing(client, { folder: projects.id, unreadOnly: true, count: 50 });
    expect(unread.messages).toHaveLength(projects.unread);
  });

  it("agrees with getEmails paging past 50 messages through the whole inbox", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { folders } = structured<{ folders: Folder[] }>(await call(client, "listMailFolders", { depth: 1 }));
    const inbox = folders.find((folder) => folder.path === "Inbox")!;
    expect(inbox.total).toBeGreaterThan(100);
    const seen: string[] = [];
    let page = await listing(client, { count: 50 });
    seen.push(...page.messages.map((message) => message.id));
    while (page.nextCursor) {
      page = await listing(client, { count: 50, cursor: page.nextCursor });
      seen.push(...page.messages.map((message) => message.id));
    }
    expect(seen).toHaveLength(inbox.total);
    expect(new Set(seen).size).toBe(inbox.total);
  });

  it("stops at depth, and lists under a parent folder", async () => {
    const client = await connectClient((await signIn()).access_token);
    const shallow = await call(client, "listMailFolders", { depth: 1 });
    expect(structured<{ folders: Folder[] }>(shallow).folders.map((folder) => folder.path)).not.toContain(
      "Inbox/Projects",
    );
    expect(text(shallow)).toMatch(/- Inbox: .* \(\+1 subfolders\)/);
    const under = structured<{ folders: Folder[] }>(await call(client, "listMailFolders", { parentFolder: "inbox" }));
    expect(under.folders.map((folder) => folder.path)).toEqual(["Projects"]);
  });

  it("refuses bad arguments and answers not_found for an unknown folder", async () => {
    const client = await connectClient((await signIn()).access_token);
    expect(text(await call(client, "listMailFolders", { depth: 9 }))).toMatch(/depth/);
    expect(text(await call(client, "listMailFolders", { parentFolder: "../me" }))).toMatch(
      /invalid_input.*parentFolder/,
    );
    expect(text(await call(client, "listMailFolders", { parentFolder: "AQMkADAwATM0nopeAAA=" }))).toContain(
      "not_found",
    );
  });
});

describe("replyToEmail", () => {
  it("replies in the thread; the reply shows in Sent Items and reaches the sender", async () => {
    const client = await connectClient((await signIn()).access_token);
    const original = await fromMegan(client);
    const originalView = await read(client, original.id);
    const result = await call(client, "replyToEmail", { id: original.id, comment: "Sounds good <b>to me</b>.\nAdele" });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe(`Replied to message ${original.id}; the reply is in Sent Items.`);
    const [sent] = (await listing(client, { folder: "sent", count: 1 })).messages;
    const subject = original.subject.startsWith("RE: ") ? original.subject : `RE: ${original.subject}`;
    expect(sent!.subject).toBe(subject);
    const reply = await read(client, sent!.id);
    expect(reply.conversationId).toBe(originalView.conversationId);
    expect(reply.to).toBe("Megan Bowen <megan@contoso.example>");
    // A text comment keeps its markup characters and line breaks.
    expect(reply.body).toMatch(/^Sounds good <b>to me<\/b>\.\nAdele/);
    expect(reply.body).toContain("From: Megan Bowen");
    const megan = await connectClient((await signIn("megan@contoso.example")).access_token);
    const [received] = (await listing(megan, { count: 1 })).messages;
    expect(received!.subject).toBe(subject);
  });

  it("replies to all with an HTML comment", async () => {
    const client = await connectClient((await signIn()).access_token);
    const megan = await connectClient((await signIn("megan@contoso.example")).access_token);
    expect(
      (
        await call(megan, "sendEmail", {
          to: ["adele@contoso.example", "partner@fabrikam.example"],
          cc: ["alex@contoso.example"],
          subject: "Team lunch",
          body: "Friday?",
        })
      ).isError,
    ).toBeFalsy();
    const [lunch] = (await listing(client, { count: 1 })).messages;
    const result = await call(client, "replyToEmail", {
      id: lunch!.id,
      comment: "<p>Count me <b>in</b></p>",
      commentType: "html",
      replyAll: true,
    });
    expect(text(result)).toContain("Replied to all");
    const [sent] = (await listing(client, { folder: "sent", count: 1 })).messages;
    const reply = await read(client, sent!.id);
    expect(reply).toMatchObject({
      subject: "RE: Team lunch",
      to: "Megan Bowen <megan@contoso.example>, partner@fabrikam.example",
      cc: "Alex Wilber <alex@contoso.example>",
    });
    expect(reply.body).toMatch(/^Count me in/);
  });

  it("sends once per idempotencyKey", async () => {
    const client = await connectClient((await signIn()).access_token);
    const original = await fromMegan(client);
    const args = { id: original.id, comment: "Once", idempotencyKey: "reply-once-0001" };
    const first = await call(client, "replyToEmail", args);
    const second = await call(client, "replyToEmail", args);
    expect(first.isError).toBeFalsy();
    expect(text(second)).toBe(text(first));
    expect(second._meta?.idempotentReplay).toBe(true);
    expect((await requestLog()).filter((r) => r.path.endsWith("/reply"))).toHaveLength(1);
  });

  it("answers not_found for an unknown message, invalid_input for a bad id, consent_required on 403", async () => {
    const client = await connectClient((await signIn()).access_token);
    expect(text(await call(client, "replyToEmail", { id: "AAMkAGI2nopeAAA=", comment: "x" }))).toContain("not_found");
    expect(text(await call(client, "replyToEmail", { id: "a b", comment: "x" }))).toMatch(/invalid_input.*\bid\b/);
    expect(text(await call(client, "replyToEmail", { id: "AAMkAGI2nopeAAA=" }))).toMatch(/comment/);
    const original = await fromMegan(client);
    await emulator(env, "faults", { match: "/reply", status: 403 });
    const denied = await call(client, "replyToEmail", { id: original.id, comment: "x" });
    expect(text(denied)).toMatch(/consent_required.*Mail\.Send/);
  });
});

describe("forwardEmail", () => {
  it("forwards with the attachments; the forward shows in Sent Items and reaches the recipient", async () => {
    const client = await connectClient((await signIn()).access_token);
    const assets = await bySubject(client, "Mark 8 launch assets for review");
    const result = await call(client, "forwardEmail", {
      id: assets.id,
      to: ["alex@contoso.example"],
      comment: "For the web team.",
    });
    expect(text(result)).toBe(`Forwarded message ${assets.id} to alex@contoso.example; the forward is in Sent Items.`);
    const [sent] = (await listing(client, { folder: "sent", count: 1 })).messages;
    expect(sent).toMatchObject({ subject: "FW: Mark 8 launch assets for review", hasAttachments: true });
    const forward = await read(client, sent!.id);
    expect(forward.body).toMatch(/^For the web team\./);
    expect(forward.attachments.map((file) => file.name)).toContain("campaign-settings.json");
    const alex = await connectClient((await signIn("alex@contoso.example")).access_token);
    expect((await listing(alex, { count: 1 })).messages[0]!.subject).toBe("FW: Mark 8 launch assets for review");
  });

  it("refuses missing or invalid recipients naming the field, and unknown messages", async () => {
    const client = await connectClient((await signIn()).access_token);
    const none = await call(client, "forwardEmail", { id: "AAMkAGI2nopeAAA=", to: [] });
    expect(none.isError).toBe(true);
    expect(text(none)).toMatch(/\bto\b/);
    expect(text(await call(client, "forwardEmail", { id: "AAMkAGI2nopeAAA=", to: ["nobody"] }))).toMatch(/\bto\b/);
    expect(
      text(await call(client, "forwardEmail", { id: "AAMkAGI2nopeAAA=", to: ["alex@contoso.example"] })),
    ).toContain("not_found");
  });
});

describe("createDraft and sendDraft", () => {
  it("saves a draft in Drafts, then sends it: it leaves Drafts, shows in Sent Items and is delivered", async () => {
    const client = await connectClient((await signIn()).access_token);
    const created = await call(client, "createDraft", {
      to: ["megan@contoso.example"],
      subject: "Agenda for Thursday",
      body: "1. Budget\n2. Launch",
      importance: "high",
      attachments: [{ name: "agenda.txt", contentBase64: btoa("1. Budget"), contentType: "text/plain" }],
    });
    expect(created.isError).toBeFalsy();
    const id = /id: (\S+)\. Send it with sendDraft\.$/.exec(text(created))?.[1];
    expect(id).toBeTruthy();
    expect(text(created)).toContain('Saved draft "Agenda for Thursday" to megan@contoso.example in Drafts');
    const draft = await read(client, id!);
    expect(draft).toMatchObject({ subject: "Agenda for Thursday", isDraft: true, importance: "high" });
    expect(draft.attachments.map((file) => file.name)).toEqual(["agenda.txt"]);
    expect((await listing(client, { folder: "drafts", count: 50 })).messages.map((m) => m.id)).toContain(id);

    const sent = await call(client, "sendDraft", { id });
    expect(text(sent)).toBe(`Sent draft ${id}; it is now in Sent Items (under a new id).`);
    expect((await listing(client, { folder: "drafts", count: 50 })).messages.map((m) => m.id)).not.toContain(id);
    const [copy] = (await listing(client, { folder: "sent", count: 1 })).messages;
    expect(copy).toMatchObject({ subject: "Agenda for Thursday", hasAttachments: true });
    const megan = await connectClient((await signIn("megan@contoso.example")).access_token);
    expect((await listing(megan, { count: 1 })).messages[0]!.subject).toBe("Agenda for Thursday");
  });

  it("creates a draft without recipients; sending it is refused until it has some", async () => {
    const client = await connectClient((await signIn()).access_token);
    const created = await call(client, "createDraft", { subject: "Ideas", body: "<p>Later</p>", bodyType: "html" });
    expect(text(created)).toContain("(no recipients yet)");
    const id = /id: (\S+)\./.exec(text(created))![1]!;
    const refused = await call(client, "sendDraft", { id });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("invalid_input");
    expect((await read(client, id)).isDraft).toBe(true);
  });

  it("explains that a received message is not a draft, and answers not_found for an unknown id", async () => {
    const client = await connectClient((await signIn()).access_token);
    const [received] = (await listing(client, { count: 1 })).messages;
    const notDraft = await call(client, "sendDraft", { id: received!.id });
    expect(text(notDraft)).toMatch(/invalid_input.*not a draft/);
    expect(text(await call(client, "sendDraft", { id: "AAMkAGI2nopeAAA=" }))).toContain("not_found");
  });

  it("refuses attachments over the inline limit before anything is saved", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const result = await call(client, "createDraft", {
      subject: "big",
      body: "x",
      attachments: [{ name: "big.bin", contentBase64: btoa("a".repeat(2.6 * 1024 * 1024)) }],
    });
    expect(text(result)).toContain("payload_too_large");
    expect((await requestLog()).some((r) => r.method === "POST")).toBe(false);
  });
});

describe("moveEmail and deleteEmail", () => {
  it("moves a message to another folder under a new id; the old id is gone", async () => {
    const client = await connectClient((await signIn()).access_token);
    const [message] = (await listing(client, { count: 1 })).messages;
    const result = await call(client, "moveEmail", { id: message!.id, folder: "archive" });
    const newId = /New id: (\S+) /.exec(text(result))?.[1];
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(message!.id);
    expect(text(result)).toContain(`Moved "${message!.subject}" to archive`);
    expect((await listing(client, { folder: "archive", count: 1 })).messages[0]!.id).toBe(newId);
    expect((await listing(client, { count: 50 })).messages.map((m) => m.id)).not.toContain(message!.id);
    expect(text(await call(client, "getEmail", { id: message!.id, fresh: true }))).toContain("not_found");
  });

  it("moves to a folder id from listMailFolders", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { folders } = structured<{ folders: Folder[] }>(await call(client, "listMailFolders", { fresh: true }));
    const projects = folders.find((folder) => folder.path === "Inbox/Projects")!;
    const [message] = (await listing(client, { count: 1 })).messages;
    expect((await call(client, "moveEmail", { id: message!.id, folder: projects.id })).isError).toBeFalsy();
    const inProjects = await listing(client, { folder: projects.id, count: 50 });
    expect(inProjects.messages.map((m) => m.subject)).toContain(message!.subject);
    const after = structured<{ folders: Folder[] }>(await call(client, "listMailFolders", { fresh: true }));
    expect(after.folders.find((folder) => folder.path === "Inbox/Projects")!.total).toBe(projects.total + 1);
  });

  it("refuses bad folders and unknown messages", async () => {
    const client = await connectClient((await signIn()).access_token);
    const [message] = (await listing(client, { count: 1 })).messages;
    expect(text(await call(client, "moveEmail", { id: message!.id, folder: "../x" }))).toMatch(/invalid_input.*folder/);
    expect(text(await call(client, "moveEmail", { id: message!.id, folder: "AQMkADAwATM0nopeAAA=" }))).toContain(
      "not_found",
    );
    expect(text(await call(client, "moveEmail", { id: "AAMkAGI2nopeAAA=", folder: "archive" }))).toContain("not_found");
  });

  it("deletes to Deleted Items, where it can be recovered", async () => {
    const client = await connectClient((await signIn()).access_token);
    const [message] = (await listing(client, { count: 1 })).messages;
    const result = await call(client, "deleteEmail", { id: message!.id });
    expect(text(result)).toMatch(/^Moved ".*" to Deleted Items; it can be recovered there \(new id: \S+\)\.$/);
    const [deleted] = (await listing(client, { folder: "deleted", count: 1 })).messages;
    expect(deleted!.subject).toBe(message!.subject);
    expect(text(await call(client, "deleteEmail", { id: message!.id }))).toContain("not_found");
    const moves = (await requestLog()).filter((r) => r.path.endsWith("/move"));
    expect(moves.map((r) => r.status)).toEqual([201, 404]);
  });
});

describe("updateEmail", () => {
  it("marks read or unread, flags, sets categories and importance; reads see it", async () => {
    const client = await connectClient((await signIn()).access_token);
    const [message] = (await listing(client, { count: 1 })).messages;
    // A cached listing from before the write, which the write must make stale.
    expect((await call(client, "getEmails", { count: 1 })).isError).toBeFalsy();
    const result = await call(client, "updateEmail", {
      id: message!.id,
      isRead: !message!.isRead,
      flag: "flagged",
      categories: ["Blue category"],
      importance: "high",
    });
    expect(text(result)).toBe(
      `Updated "${message!.subject}" (${message!.id}): marked ${message!.isRead ? "unread" : "read"}, flagged, categories: Blue category, importance high.`,
    );
    const [after] = (await call(client, "getEmails", { count: 1 })).structuredContent!.messages as Summary[];
    expect(after).toMatchObject({ id: message!.id, isRead: !message!.isRead, flagged: true });
    const view = await read(client, message!.id);
    expect(view).toMatchObject({ flag: "flagged", categories: ["Blue category"], importance: "high" });
    await call(client, "updateEmail", { id: message!.id, flag: "complete", categories: [] });
    const completed = await read(client, message!.id);
    expect(completed.flag).toBe("complete");
    expect(completed.categories).toBeUndefined();
  });

  it("needs at least one change, and answers not_found for an unknown id", async () => {
    const client = await connectClient((await signIn()).access_token);
    expect(text(await call(client, "updateEmail", { id: "AAMkAGI2nopeAAA=" }))).toMatch(/invalid_input.*isRead/);
    expect(text(await call(client, "updateEmail", { id: "AAMkAGI2nopeAAA=", flag: "maybe" }))).toMatch(/flag/);
    expect(text(await call(client, "updateEmail", { id: "AAMkAGI2nopeAAA=", isRead: true }))).toContain("not_found");
  });
});

describe("body text conversion", () => {
  it("turns HTML into readable text when Graph sends HTML", () => {
    const html =
      '<html><head><title>x</title><style>p{color:red}</style></head><body><script>alert("x")</script>' +
      '<p>Hello&nbsp;<b>Adele</b>,</p><p>See <a href="https://contoso.example/plan?a=1&amp;b=2">the plan</a>' +
      ' or <a href="https://contoso.example">https://contoso.example</a>.</p>' +
      '<ul><li>One</li><li>Two</li></ul><p><img src="cid:image001.png@01DA" alt="chart"> <img src="https://t.example/p.gif"></p>' +
      '<p>Mail <a href="mailto:megan@contoso.example">Megan</a>. 5 &lt; 6</p><!-- hidden --></body></html>';
    expect(htmlToReadableText(html)).toBe(
      "Hello Adele,\n\nSee the plan (https://contoso.example/plan?a=1&b=2) or https://contoso.example.\n\n- One\n- Two\n\n" +
        "[inline image: image001.png]\n\nMail Megan (megan@contoso.example). 5 < 6",
    );
  });

  it("tidies Graph's text: Exchange's link and image notation, runs of whitespace", () => {
    expect(
      tidyText(
        "Join the meeting<https://teams.example/join> now.\r\n\r\n\r\n\r\nhttps://x.example<https://x.example>  and\t[cid:image002.jpg@01DA]\n   Megan<mailto:megan@contoso.example>",
      ),
    ).toBe(
      "Join the meeting (https://teams.example/join) now.\n\nhttps://x.example and [inline image: image002.jpg]\nMegan (megan@contoso.example)",
    );
  });
});
