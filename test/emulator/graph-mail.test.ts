import type { FileAttachment, MailFolder, Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../emulator/graph/mail.ts";
import type { GraphContext } from "../../emulator/graph/router.ts";
import { searchProvider } from "../../emulator/graph/search-index.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { EmulatorState } from "../../emulator/state.ts";
import { ADELE } from "../../emulator/tenant.ts";
import { graph, graphJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

let emulator: RunningEmulator;
let token: string;
/** Every message of Adele's, fetched once with the properties the filters look at. */
let everything: Message[];

const get = <T>(path: string, init?: RequestInit) => graphJson<T>(emulator.url, token, path, init);

async function errorOf(path: string): Promise<{ status: number; code: string; message: string }> {
  const response = await graph(emulator.url, token, path);
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

/** Follows @odata.nextLink from `path` to the end; returns the pages. */
async function allPages<T>(path: string): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: Page<T> = await get<Page<T>>(next);
    pages.push(page);
    next = page["@odata.nextLink"];
    if (pages.length > 100) throw new Error("paging does not end");
  }
  return pages;
}

function ids(messages: Message[]): string[] {
  return messages.map((message) => message.id!).sort();
}

function isDescending(times: string[]): boolean {
  return times.every((time, index) => index === 0 || Date.parse(times[index - 1]!) >= Date.parse(time));
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  token = (await signIn(emulator.url)).access_token;
  everything = (
    await get<Page<Message>>(
      "/me/messages?$top=1000&$select=subject,body,from,isRead,importance,hasAttachments,flag,conversationId,receivedDateTime,parentFolderId",
    )
  ).value;
});
afterAll(() => emulator.close());

describe("mail folders", () => {
  it("lists the top-level folders with counts that match their messages", async () => {
    const folders = await get<Page<MailFolder>>("/me/mailFolders");
    expect(folders["@odata.context"]).toMatch(/\$metadata#users\('[^']+'\)\/mailFolders$/);
    expect(folders.value.map((folder) => folder.displayName)).toEqual([
      "Archive",
      "Conversation History",
      "Deleted Items",
      "Drafts",
      "Inbox",
      "Junk Email",
      "Outbox",
      "Sent Items",
    ]);
    const inbox = folders.value.find((folder) => folder.displayName === "Inbox")!;
    const inInbox = everything.filter((message) => message.parentFolderId === inbox.id);
    expect(inbox).toMatchObject({
      childFolderCount: 1,
      totalItemCount: inInbox.length,
      unreadItemCount: inInbox.filter((message) => !message.isRead).length,
    });
    expect(inbox.unreadItemCount).toBeGreaterThan(0);
    expect(inbox.id).toMatch(/^[A-Za-z0-9_-]{100,}=*$/);
  });

  it("accepts well-known names wherever a folder id goes", async () => {
    const byName = await get<MailFolder>("/me/mailFolders/Inbox");
    const byId = await get<MailFolder>(`/me/mailFolders/${encodeURIComponent(byName.id!)}`);
    expect(byId).toMatchObject({ id: byName.id, displayName: "Inbox" });
    for (const [name, displayName] of [
      ["sentitems", "Sent Items"],
      ["drafts", "Drafts"],
      ["archive", "Archive"],
      ["deleteditems", "Deleted Items"],
      ["junkemail", "Junk Email"],
    ]) {
      expect((await get<MailFolder>(`/me/mailFolders/${name}`)).displayName).toBe(displayName);
    }
    const missing = await errorOf("/me/mailFolders/nonexistent");
    expect(missing).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
  });

  it("has a Projects folder under the Inbox with messages in it", async () => {
    const children = await get<Page<MailFolder>>("/me/mailFolders/inbox/childFolders");
    expect(children.value).toHaveLength(1);
    const projects = children.value[0]!;
    expect(projects.displayName).toBe("Projects");
    const messages = await get<Page<Message>>(`/me/mailFolders/${projects.id}/messages?$top=50`);
    expect(messages.value.length).toBe(projects.totalItemCount);
    expect(messages.value.length).toBeGreaterThan(0);
  });

  it("pages folders with $top and @odata.nextLink", async () => {
    const pages = await allPages<MailFolder>("/me/mailFolders?$top=3");
    expect(pages.map((page) => page.value.length)).toEqual([3, 3, 2]);
    expect(new Set(pages.flatMap((page) => page.value.map((folder) => folder.id))).size).toBe(8);
    expect((await allPages<MailFolder>("/me/mailFolders?$top=7")).map((page) => page.value.length)).toEqual([7, 1]);
    expect((await allPages<MailFolder>("/me/mailFolders?$top=8")).map((page) => page.value.length)).toEqual([8]);
  });
});

describe("listing messages", () => {
  it("has a realistic mailbox: hundreds of messages, threads, unread and flagged mail, attachments", () => {
    expect(everything.length).toBeGreaterThanOrEqual(300);
    const threads = new Map<string, Message[]>();
    for (const message of everything) {
      threads.set(message.conversationId!, [...(threads.get(message.conversationId!) ?? []), message]);
    }
    expect([...threads.values()].filter((thread) => thread.length >= 3).length).toBeGreaterThan(10);
    expect(everything.filter((message) => message.subject!.startsWith("RE: ")).length).toBeGreaterThan(50);
    expect(new Set(everything.map((message) => message.importance))).toEqual(new Set(["low", "normal", "high"]));
    expect(everything.some((message) => message.flag?.flagStatus === "flagged")).toBe(true);
    expect(everything.some((message) => !message.from!.emailAddress!.address!.endsWith("@contoso.example"))).toBe(true);
    expect(everything.filter((message) => message.hasAttachments).length).toBeGreaterThan(20);
  });

  it("answers 10 messages by default, newest first, with a $skip nextLink", async () => {
    const page = await get<Page<Message>>("/me/messages");
    expect(page.value).toHaveLength(10);
    expect(isDescending(page.value.map((message) => message.receivedDateTime!))).toBe(true);
    const next = new URL(page["@odata.nextLink"]!);
    expect(`${next.origin}${next.pathname}`).toBe(`${emulator.url}/v1.0/me/messages`);
    expect(next.searchParams.get("$skip")).toBe("10");
    expect(page["@odata.nextLink"]).toContain("$skip=10");
  });

  it("pages through every inbox message exactly once via @odata.nextLink", async () => {
    const pages = await allPages<Message>(
      "/me/mailFolders/inbox/messages?$top=25&$select=id,receivedDateTime&$count=true",
    );
    const messages = pages.flatMap((page) => page.value);
    const total = pages[0]!["@odata.count"]!;
    expect(total).toBeGreaterThan(50);
    expect(pages.length).toBe(Math.ceil(total / 25));
    expect(pages.every((page) => page["@odata.count"] === total)).toBe(true);
    expect(pages.slice(0, -1).every((page) => page.value.length === 25)).toBe(true);
    expect(new Set(ids(messages)).size).toBe(total);
    expect(isDescending(messages.map((message) => message.receivedDateTime!))).toBe(true);
    expect(pages.at(-1)!["@odata.nextLink"]).toBeUndefined();
  });

  it("applies $select, keeping id and @odata.etag, and refuses unknown properties", async () => {
    const page = await get<Page<Message>>("/me/messages?$top=3&$select=subject,from");
    expect(page["@odata.context"]).toMatch(/messages\(subject,from\)$/);
    for (const message of page.value) {
      expect(Object.keys(message).sort()).toEqual(["@odata.etag", "from", "id", "subject"]);
    }
    expect(await errorOf("/me/messages?$select=subject,color")).toMatchObject({
      status: 400,
      message: "Could not find a property named 'color' on type 'microsoft.graph.message'.",
    });
  });

  it("sorts with $orderby and refuses properties it cannot sort by", async () => {
    const oldest = await get<Page<Message>>(
      "/me/messages?$top=30&$orderby=receivedDateTime asc&$select=receivedDateTime",
    );
    const times = oldest.value.map((message) => message.receivedDateTime!);
    expect(times).toEqual([...times].sort());
    expect(times[0]).toBe(everything.map((message) => message.receivedDateTime!).sort()[0]);
    const bySubject = await get<Page<Message>>(
      "/me/mailFolders/sentitems/messages?$top=40&$orderby=subject desc&$select=subject",
    );
    const subjects = bySubject.value.map((message) => message.subject!.toLowerCase());
    expect(subjects).toEqual([...subjects].sort().reverse());
    expect((await errorOf("/me/messages?$orderby=bodyPreview")).status).toBe(400);
  });

  it("counts with $count=true and validates $top", async () => {
    const page = await get<Page<Message>>("/me/messages?$top=1&$count=true");
    expect(page["@odata.count"]).toBe(everything.length);
    expect((await errorOf("/me/messages?$top=1001")).status).toBe(400);
    expect((await errorOf("/me/messages?$top=ten")).status).toBe(400);
    expect((await get<Page<Message>>("/me/messages?$top=1000")).value).toHaveLength(everything.length);
  });
});

describe("$filter", () => {
  const conversation = () => everything.find((message) => message.subject!.startsWith("RE: "))!.conversationId!;
  const megan = "megan@contoso.example";
  const week = new Date(Date.now() - 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const month = new Date(Date.now() - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const cases: [string, string, (message: Message) => boolean][] = [
    ["unread", "isRead eq false", (message) => message.isRead === false],
    ["read", "isRead eq true", (message) => message.isRead === true],
    ["high importance", "importance eq 'high'", (message) => message.importance === "high"],
    ["low importance", "importance eq 'low'", (message) => message.importance === "low"],
    ["not normal importance", "importance ne 'normal'", (message) => message.importance !== "normal"],
    ["with attachments", "hasAttachments eq true", (message) => message.hasAttachments === true],
    ["flagged", "flag/flagStatus eq 'flagged'", (message) => message.flag?.flagStatus === "flagged"],
    [
      "from Megan",
      `from/emailAddress/address eq '${megan}'`,
      (message) => message.from?.emailAddress?.address === megan,
    ],
    ["last week", `receivedDateTime ge ${week}`, (message) => message.receivedDateTime! >= week],
    [
      "between a month and a week ago",
      `receivedDateTime gt ${month} and receivedDateTime lt ${week}`,
      (message) => message.receivedDateTime! > month && message.receivedDateTime! < week,
    ],
    [
      "unread high importance",
      "isRead eq false and importance eq 'high'",
      (message) => message.isRead === false && message.importance === "high",
    ],
  ];

  it.each(cases)("keeps exactly the matching messages: %s", async (_name, filter, matches) => {
    const page = await get<Page<Message>>(`/me/messages?$top=1000&$select=id&$filter=${encodeURIComponent(filter)}`);
    const expected = everything.filter(matches);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(everything.length);
    expect(ids(page.value)).toEqual(ids(expected));
  });

  it("compares dates strictly with gt and lt, inclusively with ge and le", async () => {
    const at = everything[40]!.receivedDateTime!;
    const count = async (filter: string) =>
      (await get<Page<Message>>(`/me/messages?$top=1&$count=true&$filter=${encodeURIComponent(filter)}`))[
        "@odata.count"
      ];
    const same = everything.filter((message) => message.receivedDateTime === at).length;
    expect(same).toBeGreaterThan(0);
    expect(await count(`receivedDateTime ge ${at}`)).toBe((await count(`receivedDateTime gt ${at}`))! + same);
    expect(await count(`receivedDateTime le ${at}`)).toBe((await count(`receivedDateTime lt ${at}`))! + same);
    expect((await count(`receivedDateTime gt ${at}`))! + (await count(`receivedDateTime le ${at}`))!).toBe(
      everything.length,
    );
  });

  it("finds a whole thread by conversationId", async () => {
    const id = conversation();
    const thread = await get<Page<Message>>(
      `/me/messages?$filter=conversationId eq '${id}'&$select=subject,conversationId`,
    );
    expect(thread.value.length).toBeGreaterThanOrEqual(2);
    expect(ids(thread.value)).toEqual(ids(everything.filter((message) => message.conversationId === id)));
    expect(thread.value.some((message) => message.subject!.startsWith("RE: "))).toBe(true);
  });

  it("refuses filters it does not support, saying what it does support", async () => {
    for (const filter of [
      "contains(subject,'budget')",
      "isRead eq false or importance eq 'high'",
      "categories/any(c:c eq 'Red category')",
    ]) {
      const error = await errorOf(`/me/messages?$filter=${encodeURIComponent(filter)}`);
      expect(error, filter).toMatchObject({ status: 400, code: "ErrorInvalidUrlQueryFilter" });
      expect(error.message).toContain("isRead");
    }
    const unsupported = await errorOf("/me/messages?$filter=bodyPreview eq 'x'");
    expect(unsupported).toMatchObject({ status: 400, code: "ErrorInvalidUrlQueryFilter" });
    expect(unsupported.message).toContain("bodyPreview");
  });

  it("refuses what Graph refuses: unknown properties, mismatched types, bad enum values", async () => {
    expect(await errorOf("/me/messages?$filter=shoeSize eq 42")).toMatchObject({
      status: 400,
      code: "BadRequest",
      message: "Could not find a property named 'shoeSize' on type 'microsoft.graph.message'.",
    });
    const quotedDate = await errorOf("/me/messages?$filter=receivedDateTime ge '2024-01-01T00:00:00Z'");
    expect(quotedDate).toMatchObject({ status: 400, code: "BadRequest" });
    expect(quotedDate.message).toContain("'Edm.DateTimeOffset' and 'Edm.String'");
    expect((await errorOf("/me/messages?$filter=isRead eq 'no'")).status).toBe(400);
    expect((await errorOf("/me/messages?$filter=importance eq 'urgent'")).message).toContain("'urgent'");
  });

  it("answers InefficientFilter when $orderby does not lead $filter, as Exchange does", async () => {
    expect(await errorOf("/me/messages?$filter=isRead eq false&$orderby=receivedDateTime desc")).toMatchObject({
      status: 400,
      code: "InefficientFilter",
    });
    const fixed = await get<Page<Message>>(
      "/me/messages?$top=1000&$filter=receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false&$orderby=receivedDateTime desc&$select=id,receivedDateTime",
    );
    expect(ids(fixed.value)).toEqual(ids(everything.filter((message) => !message.isRead)));
    expect(isDescending(fixed.value.map((message) => message.receivedDateTime!))).toBe(true);
  });
});

describe("$search", () => {
  const text = (message: Message) =>
    `${message.subject} ${message.body?.content} ${message.from?.emailAddress?.name} ${message.from?.emailAddress?.address}`.toLowerCase();

  it("matches words in the subject, body and sender, newest first", async () => {
    const page = await get<Page<Message>>('/me/messages?$search="budget"&$top=1000&$select=id,receivedDateTime');
    const expected = everything.filter((message) => text(message).includes("budget"));
    expect(expected.length).toBeGreaterThan(5);
    expect(ids(page.value)).toEqual(ids(expected));
    expect(isDescending(page.value.map((message) => message.receivedDateTime!))).toBe(true);
    const words = await get<Page<Message>>('/me/messages?$search="budget forecast"&$top=1000&$select=id');
    expect(ids(words.value)).toEqual(ids(expected.filter((message) => text(message).includes("forecast"))));
  });

  it("supports OR and NOT", async () => {
    const either = await get<Page<Message>>('/me/messages?$search="invoice OR offsite"&$top=1000&$select=id');
    const invoice = everything.filter((message) => text(message).includes("invoice"));
    const offsite = everything.filter((message) => text(message).includes("offsite"));
    expect(invoice.length).toBeGreaterThan(0);
    expect(offsite.length).toBeGreaterThan(0);
    expect(ids(either.value)).toEqual([...new Set(ids([...invoice, ...offsite]))].sort());
    const without = await get<Page<Message>>('/me/messages?$search="budget NOT forecast"&$top=1000&$select=id');
    const expected = everything.filter(
      (message) => text(message).includes("budget") && !text(message).includes("forecast"),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(without.value)).toEqual(ids(expected));
  });

  it("supports from: and subject: restrictions", async () => {
    const fromMegan = await get<Page<Message>>('/me/messages?$search="from:megan"&$top=1000&$select=from');
    expect(fromMegan.value.length).toBeGreaterThan(0);
    expect(fromMegan.value.every((message) => message.from!.emailAddress!.address === "megan@contoso.example")).toBe(
      true,
    );
    const subject = await get<Page<Message>>('/me/messages?$search="subject:invoice"&$top=1000&$select=subject');
    expect(ids(subject.value)).toEqual(
      ids(everything.filter((message) => message.subject!.toLowerCase().includes("invoice"))),
    );
  });

  it("pages results with an opaque $skiptoken", async () => {
    const pages = await allPages<Message>('/me/messages?$search="budget"&$top=5&$select=id');
    expect(pages.length).toBeGreaterThan(1);
    expect(new URL(pages[0]!["@odata.nextLink"]!).searchParams.get("$skiptoken")).toBeTruthy();
    const found = pages.flatMap((page) => page.value);
    expect(new Set(ids(found)).size).toBe(found.length);
    expect(found.length).toBe(everything.filter((message) => text(message).includes("budget")).length);
  });

  it("cannot be combined with $orderby or $filter", async () => {
    expect(await errorOf('/me/messages?$search="budget"&$orderby=subject')).toMatchObject({
      status: 400,
      code: "BadRequest",
    });
    expect(await errorOf('/me/messages?$search="budget"&$filter=isRead eq false')).toMatchObject({
      status: 400,
      code: "BadRequest",
    });
  });
});

describe("reading one message", () => {
  it("returns it with @odata.context, @odata.etag and an HTML body", async () => {
    const first = everything[0]!;
    const message = await get<Message & Record<string, string>>(`/me/messages/${first.id}`);
    expect(message["@odata.context"]).toMatch(/\/messages\/\$entity$/);
    expect(message["@odata.etag"]).toMatch(/^W\/"CQAAAB/);
    expect(message).toMatchObject({ id: first.id, subject: first.subject, body: { contentType: "html" } });
    expect(message.body!.content).toContain("<p>");
    expect(message.bodyPreview).toBe(message.bodyPreview!.slice(0, 255));
  });

  it('returns text bodies for Prefer: outlook.body-content-type="text"', async () => {
    const response = await graph(emulator.url, token, "/me/messages?$top=5&$select=body,bodyPreview", {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    expect(response.headers.get("preference-applied")).toBe('outlook.body-content-type="text"');
    const page = (await response.json()) as Page<Message>;
    for (const message of page.value) {
      expect(message.body!.contentType).toBe("text");
      expect(message.body!.content).not.toMatch(/<\/?(html|body|p|div|br)\b/i);
      expect(message.body!.content!.replace(/\s+/g, " ")).toContain(message.bodyPreview!.slice(0, 40));
    }
    const html = await graph(emulator.url, token, "/me/messages?$top=1&$select=body");
    expect(html.headers.get("preference-applied")).toBeNull();
    expect(((await html.json()) as Page<Message>).value[0]!.body!.contentType).toBe("html");
  });

  it("finds a message through its folder, and not through another folder", async () => {
    const inboxMessage = (await get<Page<Message>>("/me/mailFolders/inbox/messages?$top=1&$select=id")).value[0]!;
    expect((await get<Message>(`/me/mailFolders/inbox/messages/${inboxMessage.id}`)).id).toBe(inboxMessage.id);
    expect((await errorOf(`/me/mailFolders/sentitems/messages/${inboxMessage.id}`)).status).toBe(404);
  });

  it("answers 404 ErrorItemNotFound for an unknown id", async () => {
    const response = await graph(emulator.url, token, "/me/messages/AAMkAGI2DoesNotExistAAA=");
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as GraphErrorBody;
    expect(error.code).toBe("ErrorItemNotFound");
    expect(error.innerError["request-id"]).toBe(response.headers.get("request-id"));
  });
});

describe("attachments", () => {
  const withAttachments = () => everything.filter((message) => message.hasAttachments);

  it("lists file attachments with their content, and leaves contentBytes out when not selected", async () => {
    const message = withAttachments()[0]!;
    const list = await get<Page<FileAttachment & { "@odata.type": string }>>(`/me/messages/${message.id}/attachments`);
    expect(list.value.length).toBeGreaterThan(0);
    for (const attachment of list.value) {
      expect(attachment["@odata.type"]).toBe("#microsoft.graph.fileAttachment");
      expect(Buffer.from(attachment.contentBytes!, "base64").length).toBe(attachment.size);
    }
    const light = await get<Page<Record<string, unknown>>>(
      `/me/messages/${message.id}/attachments?$select=name,size,contentType`,
    );
    expect(Object.keys(light.value[0]!).sort()).toEqual(["@odata.type", "contentType", "id", "name", "size"]);
  });

  it("serves each attachment and its raw bytes", async () => {
    const message = withAttachments()[1]!;
    const [listed] = (await get<Page<FileAttachment>>(`/me/messages/${message.id}/attachments`)).value;
    const one = await get<FileAttachment>(`/me/messages/${message.id}/attachments/${listed!.id}`);
    expect(one).toMatchObject({ id: listed!.id, name: listed!.name, contentBytes: listed!.contentBytes });
    const raw = await graph(emulator.url, token, `/me/messages/${message.id}/attachments/${listed!.id}/$value`);
    expect(raw.headers.get("content-type")).toBe(listed!.contentType);
    expect(Buffer.from(await raw.arrayBuffer()).equals(Buffer.from(listed!.contentBytes!, "base64"))).toBe(true);
    expect((await errorOf(`/me/messages/${message.id}/attachments/AAMkAGI2nopeAAA=`)).status).toBe(404);
  });

  it("seeds pdf, docx, png, txt and csv files whose bytes match their type", async () => {
    const files = new Map<string, Buffer>();
    for (const message of withAttachments().slice(0, 60)) {
      for (const attachment of (await get<Page<FileAttachment>>(`/me/messages/${message.id}/attachments`)).value) {
        files.set(attachment.contentType!, Buffer.from(attachment.contentBytes!, "base64"));
      }
    }
    const magic = (type: string) => files.get(type)?.subarray(0, 4).toString("latin1");
    expect(magic("application/pdf")).toBe("%PDF");
    expect(magic("image/png")).toBe("\x89PNG");
    expect(magic("application/vnd.openxmlformats-officedocument.wordprocessingml.document")).toBe("PK\x03\x04");
    expect(files.get("text/csv")?.toString("utf8")).toMatch(/^date,region,channel,amount_usd\n\d{4}-/);
    expect(files.get("text/plain")?.toString("utf8").length).toBeGreaterThan(100);
  });

  it("expands attachments with $expand=attachments", async () => {
    const message = withAttachments()[2]!;
    const expanded = await get<Message>(`/me/messages/${message.id}?$select=subject&$expand=attachments`);
    expect(expanded.attachments!.length).toBeGreaterThan(0);
    expect((expanded.attachments![0] as FileAttachment).contentBytes).toBeTruthy();
    expect((await errorOf(`/me/messages/${message.id}?$expand=mentions`)).status).toBe(400);
  });

  it("keeps inline images out of hasAttachments, as Outlook does", async () => {
    const page = await get<Page<Message>>(
      '/me/messages?$search="attachment:image001.png"&$top=50&$select=hasAttachments,body',
    );
    const inlineOnly = page.value.find((message) => !message.hasAttachments)!;
    expect(inlineOnly.body!.content).toContain('src="cid:');
    const attachments = (
      await get<Page<FileAttachment>>(`/me/messages/${inlineOnly.id}/attachments?$select=isInline,contentId`)
    ).value;
    expect(attachments).toEqual([
      expect.objectContaining({ isInline: true, contentId: expect.stringContaining("image001.png") }),
    ]);
  });
});

describe("what the mail tools lean on", () => {
  const bySubject = (subject: string) => everything.find((message) => message.subject === subject)!;

  it("seeds large attachments of several types, and JSON and XML files", async () => {
    const assets = bySubject("Mark 8 launch assets for review");
    const files = (
      await get<Page<FileAttachment>>(`/me/messages/${assets.id}/attachments?$select=name,contentType,size`)
    ).value;
    expect(files.map((file) => file.contentType)).toEqual([
      "image/png",
      "application/pdf",
      "application/json",
      "application/xml",
    ]);
    expect(files.filter((file) => file.size! > 1024 * 1024)).toHaveLength(2);
    const json = files.find((file) => file.contentType === "application/json")!;
    const raw = await graph(emulator.url, token, `/me/messages/${assets.id}/attachments/${json.id}/$value`);
    expect(JSON.parse(await raw.text())).toMatchObject({ campaign: "Mark 8 launch assets for review" });
  });

  it("converts HTML to text as Exchange does: no styles, links as text<url>, inline images as [cid:]", async () => {
    const newsletter = bySubject("This month at Litware Events");
    const response = await graph(emulator.url, token, `/me/messages/${newsletter.id}?$select=body`, {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    const text = ((await response.json()) as Message).body!.content!;
    expect(text).toContain(
      "registration page<https://events.litware.example/register?utm_source=newsletter&utm_medium=email>",
    );
    expect(text).toContain("* Designing for accessibility");
    expect(text).not.toMatch(/font-family|<\/?(p|a|li|style)\b/);
    const inline = await get<Page<Message>>('/me/messages?$search="attachment:image001.png"&$top=1&$select=id');
    const withImage = await graph(emulator.url, token, `/me/messages/${inline.value[0]!.id}?$select=body`, {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    expect(((await withImage.json()) as Message).body!.content).toMatch(/\[cid:image001\.png@[^\]]+\]/);
  });

  it("has a message whose text is longer than 20,000 characters", async () => {
    const notes = bySubject("Notes from the customer advisory board");
    const response = await graph(emulator.url, token, `/me/messages/${notes.id}?$select=body`, {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    expect(((await response.json()) as Message).body!.content!.length).toBeGreaterThan(25_000);
  });

  it("registers the Microsoft Search provider for messages: newest first, highlighted, no body", async () => {
    const provider = searchProvider("message");
    expect(provider).toBeDefined();
    const state = new EmulatorState(3600);
    const context = { state, user: ADELE } as unknown as GraphContext;
    const hits = provider!(context, "budget");
    const expected = everything.filter((message) =>
      `${message.subject} ${message.body?.content} ${message.from?.emailAddress?.name}`
        .toLowerCase()
        .includes("budget"),
    );
    expect(hits.map((hit) => hit.hitId).sort()).toEqual(ids(expected));
    expect(isDescending(hits.map((hit) => hit.resource.receivedDateTime as string))).toBe(true);
    expect(hits.map((hit) => hit.rank)).toEqual(hits.map((_hit, index) => index + 1));
    expect(hits[0]!.resource).toMatchObject({ "@odata.type": "#microsoft.graph.message", subject: expect.any(String) });
    expect(hits[0]!.resource).not.toHaveProperty("body");
    expect(hits.some((hit) => /<c0>budget<\/c0>/i.test(hit.summary))).toBe(true);
    const invoices = provider!(context, "subject:invoice");
    expect(invoices.length).toBeGreaterThan(0);
    expect(invoices.every((hit) => /invoice/i.test(hit.resource.subject as string))).toBe(true);
  });
});
