import type { FileAttachment, MailFolder, Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

const SCOPE = "openid profile email offline_access User.Read Mail.Read Mail.ReadWrite Mail.Send";

let emulator: RunningEmulator;
const tokens: Record<"adele" | "megan" | "alex", string> = { adele: "", megan: "", alex: "" };

type User = keyof typeof tokens;

const get = <T>(user: User, path: string, init?: RequestInit) => graphJson<T>(emulator.url, tokens[user], path, init);
const post = (user: User, path: string, body?: unknown) =>
  body === undefined
    ? graph(emulator.url, tokens[user], path, { method: "POST" })
    : postJson(emulator.url, tokens[user], path, body);
const patch = (user: User, path: string, body: unknown) =>
  graph(emulator.url, tokens[user], path, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

async function newest(user: User, folder: string, top = 1): Promise<Message[]> {
  return (await get<Page<Message>>(user, `/me/mailFolders/${folder}/messages?$top=${top}`)).value;
}

async function folder(user: User, name: string): Promise<MailFolder> {
  return get<MailFolder>(user, `/me/mailFolders/${name}`);
}

/** The newest inbox message from `address` (a colleague, so replies are delivered). */
async function inboxMessageFrom(user: User, address: string): Promise<Message> {
  const page = await get<Page<Message>>(
    user,
    `/me/mailFolders/inbox/messages?$top=200&$select=id,subject,from,toRecipients,ccRecipients,conversationId,body,replyTo`,
  );
  const found = page.value.find((message) => message.from?.emailAddress?.address === address);
  if (!found) throw new Error(`no inbox message from ${address}`);
  return found;
}

function draftBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: "Agenda for Thursday",
    body: { contentType: "Text", content: "Draft agenda:\n1. Budget\n2. Launch" },
    toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
    importance: "high",
    ...overrides,
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  for (const user of ["adele", "megan", "alex"] as const) {
    tokens[user] = (await signIn(emulator.url, `${user}@contoso.example`, SCOPE)).access_token;
  }
});
afterAll(() => emulator.close());

describe("drafts", () => {
  it("creates a draft with 201 in Drafts, readable and counted there", async () => {
    const before = await folder("adele", "drafts");
    const response = await post("adele", "/me/messages", draftBody());
    expect(response.status).toBe(201);
    const draft = (await response.json()) as Message & Record<string, string>;
    expect(draft["@odata.context"]).toMatch(/\/messages\/\$entity$/);
    expect(draft).toMatchObject({
      subject: "Agenda for Thursday",
      isDraft: true,
      isRead: true,
      importance: "high",
      parentFolderId: before.id,
      body: { contentType: "text", content: "Draft agenda:\n1. Budget\n2. Launch" },
      toRecipients: [{ emailAddress: { address: "megan@contoso.example", name: "Megan Bowen" } }],
      from: { emailAddress: { address: "adele@contoso.example" } },
    });
    expect(draft.id).toMatch(/^AAMkAGI2/);
    expect((await folder("adele", "drafts")).totalItemCount).toBe(before.totalItemCount! + 1);
    expect((await get<Message>("adele", `/me/messages/${draft.id}?$select=subject`)).subject).toBe(
      "Agenda for Thursday",
    );
  });

  it("keeps a draft's attachments, and accepts a draft without recipients", async () => {
    const attachment = {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "agenda.txt",
      contentType: "text/plain",
      contentBytes: Buffer.from("1. Budget").toString("base64"),
    };
    const response = await post("adele", "/me/messages", draftBody({ toRecipients: [], attachments: [attachment] }));
    expect(response.status).toBe(201);
    const draft = (await response.json()) as Message;
    expect(draft.hasAttachments).toBe(true);
    const files = await get<Page<FileAttachment>>("adele", `/me/messages/${draft.id}/attachments`);
    expect(files.value).toEqual([expect.objectContaining({ name: "agenda.txt", size: 9 })]);
  });

  it("refuses what sendMail refuses, and needs Mail.ReadWrite", async () => {
    expect(await errorOf(await post("adele", "/me/messages", draftBody({ colour: "blue" })))).toMatchObject({
      status: 400,
      code: "RequestBodyRead",
    });
    expect(await errorOf(await post("adele", "/me/messages"))).toMatchObject({ status: 400 });
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "Mail.Read Mail.Send")).access_token;
    const denied = await postJson(emulator.url, readOnly, "/me/messages", draftBody());
    expect(await errorOf(denied)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
  });

  it("sends a draft with 202: it leaves Drafts, lands in Sent Items under a new id, and is delivered", async () => {
    const draft = (await (await post("adele", "/me/messages", draftBody())).json()) as Message;
    const response = await post("adele", `/me/messages/${draft.id}/send`);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    expect((await graph(emulator.url, tokens.adele, `/me/messages/${draft.id}`)).status).toBe(404);
    const [sent] = await newest("adele", "sentitems");
    expect(sent).toMatchObject({
      subject: "Agenda for Thursday",
      isDraft: false,
      conversationId: draft.conversationId,
    });
    expect(sent!.id).not.toBe(draft.id);
    const [delivered] = await newest("megan", "inbox");
    expect(delivered).toMatchObject({ subject: "Agenda for Thursday", isRead: false, importance: "high" });
  });

  it("answers 404 for sending a message that is not a draft, 400 for a draft without recipients", async () => {
    const [received] = await newest("adele", "inbox");
    expect(await errorOf(await post("adele", `/me/messages/${received!.id}/send`))).toMatchObject({
      status: 404,
      code: "ErrorItemNotFound",
    });
    const lonely = (await (await post("adele", "/me/messages", draftBody({ toRecipients: [] }))).json()) as Message;
    expect(await errorOf(await post("adele", `/me/messages/${lonely.id}/send`))).toMatchObject({
      status: 400,
      code: "ErrorInvalidRecipients",
    });
    // Still a draft, still in Drafts.
    expect((await get<Message>("adele", `/me/messages/${lonely.id}?$select=isDraft`)).isDraft).toBe(true);
  });
});

describe("reply, reply-all and forward", () => {
  it("replies with 202: a threaded RE: message in Sent Items, the comment above the quoted original", async () => {
    const original = await inboxMessageFrom("adele", "megan@contoso.example");
    const response = await post("adele", `/me/messages/${original.id}/reply`, { comment: "<p>Works for me.</p>" });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    const [sent] = await newest("adele", "sentitems");
    const subject = original.subject!.startsWith("RE: ") ? original.subject : `RE: ${original.subject}`;
    expect(sent).toMatchObject({
      subject,
      conversationId: original.conversationId,
      toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
      ccRecipients: [],
      isRead: true,
      body: { contentType: "html" },
    });
    const html = sent!.body!.content!;
    expect(html.indexOf("Works for me.")).toBeLessThan(html.indexOf("<b>From:</b>"));
    expect(html).toContain(`<b>Subject:</b> ${original.subject}`);
    const [delivered] = await newest("megan", "inbox");
    expect(delivered).toMatchObject({ subject, isRead: false });
  });

  it("does not double the RE: prefix", async () => {
    const page = await get<Page<Message>>("adele", "/me/mailFolders/inbox/messages?$top=200&$select=id,subject");
    const reply = page.value.find((message) => message.subject!.startsWith("RE: "))!;
    expect((await post("adele", `/me/messages/${reply.id}/reply`, { comment: "ok" })).status).toBe(202);
    expect((await newest("adele", "sentitems"))[0]!.subject).toBe(reply.subject);
  });

  it("replies to all: sender and other recipients in To, Cc kept, the user left out", async () => {
    const original = (
      await post("megan", "/me/sendMail", {
        message: {
          subject: "Team lunch",
          body: { contentType: "Text", content: "Friday?" },
          toRecipients: [
            { emailAddress: { address: "adele@contoso.example" } },
            { emailAddress: { address: "partner@fabrikam.example" } },
          ],
          ccRecipients: [{ emailAddress: { address: "alex@contoso.example" } }],
        },
      })
    ).status;
    expect(original).toBe(202);
    const [received] = await newest("adele", "inbox");
    expect((await post("adele", `/me/messages/${received!.id}/replyAll`, { comment: "Yes!" })).status).toBe(202);
    const [sent] = await newest("adele", "sentitems");
    expect(sent!.subject).toBe("RE: Team lunch");
    expect(sent!.toRecipients!.map((r) => r.emailAddress!.address)).toEqual([
      "megan@contoso.example",
      "partner@fabrikam.example",
    ]);
    expect(sent!.ccRecipients!.map((r) => r.emailAddress!.address)).toEqual(["alex@contoso.example"]);
    // Sent within the same second as the original: either may sort first.
    expect((await newest("alex", "inbox", 2)).map((message) => message.subject)).toContain("RE: Team lunch");
    expect((await newest("megan", "inbox", 2)).map((message) => message.subject)).toContain("RE: Team lunch");
  });

  it("replies to replyTo when the original names one", async () => {
    await post("megan", "/me/sendMail", {
      message: {
        subject: "Replies elsewhere",
        body: { contentType: "Text", content: "Answer Alex, please." },
        toRecipients: [{ emailAddress: { address: "adele@contoso.example" } }],
        replyTo: [{ emailAddress: { address: "alex@contoso.example" } }],
      },
    });
    const [received] = await newest("adele", "inbox");
    expect((await post("adele", `/me/messages/${received!.id}/reply`, { comment: "Done" })).status).toBe(202);
    const [sent] = await newest("adele", "sentitems");
    expect(sent!.toRecipients!.map((r) => r.emailAddress!.address)).toEqual(["alex@contoso.example"]);
  });

  it("forwards with 202: FW: subject, the attachments along, to the given recipients", async () => {
    const page = await get<Page<Message>>(
      "adele",
      "/me/mailFolders/inbox/messages?$top=200&$select=id,subject,hasAttachments&$filter=hasAttachments eq true",
    );
    const original = page.value.find((message) => message.subject === "Mark 8 launch assets for review")!;
    const originalFiles = await get<Page<FileAttachment>>(
      "adele",
      `/me/messages/${original.id}/attachments?$select=name,size`,
    );
    const response = await post("adele", `/me/messages/${original.id}/forward`, {
      comment: "FYI",
      toRecipients: [{ emailAddress: { address: "alex@contoso.example" } }],
    });
    expect(response.status).toBe(202);
    const [sent] = await newest("adele", "sentitems");
    expect(sent).toMatchObject({ subject: "FW: Mark 8 launch assets for review", hasAttachments: true });
    const [delivered] = await newest("alex", "inbox");
    expect(delivered!.subject).toBe("FW: Mark 8 launch assets for review");
    const files = await get<Page<FileAttachment>>(
      "alex",
      `/me/messages/${delivered!.id}/attachments?$select=name,size`,
    );
    expect(files.value.map((file) => [file.name, file.size])).toEqual(
      originalFiles.value.map((file) => [file.name, file.size]),
    );
  });

  it("refuses a forward without recipients, unknown parameters, and a comment with a message body", async () => {
    const [original] = await newest("adele", "inbox");
    const path = `/me/messages/${original!.id}`;
    expect(await errorOf(await post("adele", `${path}/forward`, { comment: "x" }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidRecipients",
    });
    expect(await errorOf(await post("adele", `${path}/reply`, { comment: "x", toRecipients: [] }))).toMatchObject({
      status: 400,
      code: "RequestBodyRead",
    });
    const both = await post("adele", `${path}/reply`, {
      comment: "x",
      message: { body: { contentType: "Text", content: "y" } },
    });
    expect(await errorOf(both)).toMatchObject({ status: 400, code: "ErrorInvalidRequest" });
    expect(await errorOf(await post("adele", "/me/messages/AAMkAGI2nopeAAA=/reply", { comment: "x" }))).toMatchObject({
      status: 404,
      code: "ErrorItemNotFound",
    });
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "Mail.ReadWrite")).access_token;
    const denied = await postJson(emulator.url, readOnly, `${path}/reply`, { comment: "x" });
    expect(await errorOf(denied)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
  });

  it("uses the message body instead of a comment when one is given", async () => {
    const original = await inboxMessageFrom("adele", "megan@contoso.example");
    const response = await post("adele", `/me/messages/${original.id}/reply`, {
      message: { body: { contentType: "Text", content: "Only this." } },
    });
    expect(response.status).toBe(202);
    expect((await newest("adele", "sentitems"))[0]!.body).toEqual({ contentType: "text", content: "Only this." });
  });
});

describe("move and delete", () => {
  it("moves with 201 under a new id; the old id is gone and folder counts follow", async () => {
    const [message] = await newest("adele", "inbox");
    const [inbox, archive] = [await folder("adele", "inbox"), await folder("adele", "archive")];
    const response = await post("adele", `/me/messages/${message!.id}/move`, { destinationId: "archive" });
    expect(response.status).toBe(201);
    const moved = (await response.json()) as Message;
    expect(moved.id).not.toBe(message!.id);
    expect(moved).toMatchObject({ subject: message!.subject, parentFolderId: archive.id });
    expect((await graph(emulator.url, tokens.adele, `/me/messages/${message!.id}`)).status).toBe(404);
    expect((await get<Message>("adele", `/me/mailFolders/archive/messages/${moved.id}`)).id).toBe(moved.id);
    expect((await folder("adele", "inbox")).totalItemCount).toBe(inbox.totalItemCount! - 1);
    expect((await folder("adele", "archive")).totalItemCount).toBe(archive.totalItemCount! + 1);
  });

  it("moves to a folder id, and refuses unknown or malformed destinations", async () => {
    const projects = (await get<Page<MailFolder>>("adele", "/me/mailFolders/inbox/childFolders")).value[0]!;
    const [message] = await newest("adele", "inbox");
    const moved = (await (
      await post("adele", `/me/messages/${message!.id}/move`, { destinationId: projects.id })
    ).json()) as Message;
    expect(moved.parentFolderId).toBe(projects.id);
    const path = `/me/messages/${moved.id}/move`;
    expect(
      await errorOf(await post("adele", path, { destinationId: "AQMkADAwATM0MDAAMS1nonexistentAAA=" })),
    ).toMatchObject({
      status: 404,
      code: "ErrorItemNotFound",
    });
    expect(await errorOf(await post("adele", path, { destinationId: "no such" }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidIdMalformed",
    });
    expect(await errorOf(await post("adele", path, {}))).toMatchObject({ status: 400 });
    expect(await errorOf(await post("adele", path, { destinationId: "inbox", extra: 1 }))).toMatchObject({
      status: 400,
      code: "RequestBodyRead",
    });
  });

  it("deletes with 204", async () => {
    const [message] = await newest("adele", "inbox");
    const response = await graph(emulator.url, tokens.adele, `/me/messages/${message!.id}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect((await graph(emulator.url, tokens.adele, `/me/messages/${message!.id}`)).status).toBe(404);
  });

  it("needs Mail.ReadWrite to move", async () => {
    const [message] = await newest("adele", "inbox");
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "Mail.Read Mail.Send")).access_token;
    const denied = await postJson(emulator.url, readOnly, `/me/messages/${message!.id}/move`, {
      destinationId: "archive",
    });
    expect(await errorOf(denied)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
  });
});

describe("PATCH a message", () => {
  it("answers 200 with the message: read state, flag, categories, importance; reads see the change", async () => {
    const [message] = await newest("adele", "inbox");
    const unreadBefore = (await folder("adele", "inbox")).unreadItemCount!;
    const response = await patch("adele", `/me/messages/${message!.id}`, {
      isRead: !message!.isRead,
      flag: { flagStatus: "flagged" },
      categories: ["Blue category", "Blue category", "Red category"],
      importance: "low",
    });
    expect(response.status).toBe(200);
    const updated = (await response.json()) as Message & Record<string, string>;
    expect(updated).toMatchObject({
      id: message!.id,
      isRead: !message!.isRead,
      flag: { flagStatus: "flagged" },
      categories: ["Blue category", "Red category"],
      importance: "low",
    });
    expect(updated["@odata.etag"]).not.toBe(`W/"${message!.changeKey}"`);
    expect((await folder("adele", "inbox")).unreadItemCount).toBe(unreadBefore + (message!.isRead ? 1 : -1));
    const completed = (await (
      await patch("adele", `/me/messages/${message!.id}`, { flag: { flagStatus: "complete" } })
    ).json()) as Message;
    expect(completed.flag).toMatchObject({ flagStatus: "complete", completedDateTime: { timeZone: "UTC" } });
    const cleared = (await (
      await patch("adele", `/me/messages/${message!.id}`, { flag: { flagStatus: "notFlagged" } })
    ).json()) as Message;
    expect(cleared.flag).toEqual({ flagStatus: "notFlagged" });
  });

  it("changes a draft's content, but not a received message's", async () => {
    const draft = (await (await post("adele", "/me/messages", draftBody())).json()) as Message;
    const edited = await patch("adele", `/me/messages/${draft.id}`, {
      subject: "New agenda",
      body: { contentType: "HTML", content: "<p>Shorter</p>" },
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ subject: "New agenda", bodyPreview: "Shorter" });
    const [received] = await newest("adele", "inbox");
    expect(await errorOf(await patch("adele", `/me/messages/${received!.id}`, { subject: "Mine now" }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidPropertyUpdateSentMessage",
    });
  });

  it("refuses unknown properties, bad values and read-only properties", async () => {
    const [message] = await newest("adele", "inbox");
    const path = `/me/messages/${message!.id}`;
    const cases: [unknown, string][] = [
      [{ colour: "red" }, "RequestBodyRead"],
      [{ isRead: "yes" }, "RequestBodyRead"],
      [{ importance: "urgent" }, "RequestBodyRead"],
      [{ flag: { flagStatus: "maybe" } }, "RequestBodyRead"],
      [{ categories: "Red" }, "RequestBodyRead"],
      [{ receivedDateTime: "2020-01-01T00:00:00Z" }, "ErrorInvalidPropertySet"],
    ];
    for (const [body, code] of cases) {
      expect(await errorOf(await patch("adele", path, body)), JSON.stringify(body)).toMatchObject({
        status: 400,
        code,
      });
    }
    expect((await patch("adele", "/me/messages/AAMkAGI2nopeAAA=", { isRead: true })).status).toBe(404);
  });
});

describe("reading helpers", () => {
  it("expands attachments with a nested $select, leaving contentBytes out", async () => {
    const page = await get<Page<Message>>(
      "adele",
      "/me/mailFolders/inbox/messages?$top=200&$select=id,subject&$expand=attachments($select=id,name,size,isInline)",
    );
    const assets = page.value.find((message) => message.subject === "Mark 8 launch assets for review")!;
    expect(assets.attachments!.map((attachment) => Object.keys(attachment).sort())).toEqual(
      Array(4).fill(["@odata.type", "id", "isInline", "name", "size"]),
    );
    const bad = await graph(emulator.url, tokens.adele, "/me/messages?$expand=attachments($select=colour)");
    expect(bad.status).toBe(400);
  });
});
