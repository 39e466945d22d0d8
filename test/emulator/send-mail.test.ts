import type { FileAttachment, Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  value: T[];
}

let emulator: RunningEmulator;
const tokens: Record<"adele" | "megan" | "alex", string> = { adele: "", megan: "", alex: "" };

const PDF = Buffer.from("%PDF-1.4\n% tiny test file\n%%EOF\n");

function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: "Quarterly numbers",
    body: { contentType: "HTML", content: "<p>Hi Megan,</p><p>The numbers are attached.</p>" },
    toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
    importance: "high",
    ...overrides,
  };
}

function send(from: keyof typeof tokens, body: unknown): Promise<Response> {
  return postJson(emulator.url, tokens[from], "/me/sendMail", body);
}

/** The newest messages of a folder, with everything a check needs. */
async function newest(user: keyof typeof tokens, folder: string, top = 5): Promise<Message[]> {
  return (await graphJson<Page<Message>>(emulator.url, tokens[user], `/me/mailFolders/${folder}/messages?$top=${top}`))
    .value;
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  tokens.adele = (await signIn(emulator.url, "adele@contoso.example")).access_token;
  tokens.megan = (await signIn(emulator.url, "megan@contoso.example")).access_token;
  tokens.alex = (await signIn(emulator.url, "alex@contoso.example")).access_token;
});
afterAll(() => emulator.close());

describe("sendMail delivery", () => {
  it("answers 202 with an empty body, keeps a read copy in Sent Items and delivers an unread one", async () => {
    const attachment = {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "numbers.pdf",
      contentType: "application/pdf",
      contentBytes: PDF.toString("base64"),
    };
    const response = await send("adele", { message: message({ attachments: [attachment] }) });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    expect(response.headers.get("request-id")).toBeTruthy();

    const [sent] = await newest("adele", "sentitems", 1);
    expect(sent).toMatchObject({
      subject: "Quarterly numbers",
      isRead: true,
      importance: "high",
      hasAttachments: true,
      from: { emailAddress: { address: "adele@contoso.example", name: "Adele Vance" } },
      toRecipients: [{ emailAddress: { address: "megan@contoso.example", name: "Megan Bowen" } }],
      body: { contentType: "html" },
    });
    expect(sent!.bodyPreview).toBe("Hi Megan, The numbers are attached.");

    const [delivered] = await newest("megan", "inbox", 1);
    expect(delivered).toMatchObject({
      subject: "Quarterly numbers",
      isRead: false,
      hasAttachments: true,
      conversationId: sent!.conversationId,
    });
    expect(delivered!.id).not.toBe(sent!.id);
    expect(Date.now() - Date.parse(delivered!.receivedDateTime!)).toBeLessThan(60_000);
    const files = await graphJson<Page<FileAttachment>>(
      emulator.url,
      tokens.megan,
      `/me/messages/${delivered!.id}/attachments`,
    );
    expect(files.value).toEqual([
      expect.objectContaining({
        name: "numbers.pdf",
        contentType: "application/pdf",
        size: PDF.length,
        contentBytes: PDF.toString("base64"),
      }),
    ]);

    const inboxCounts = await graphJson<{ unreadItemCount: number }>(
      emulator.url,
      tokens.megan,
      "/me/mailFolders/inbox",
    );
    const search = await graphJson<Page<Message>>(
      emulator.url,
      tokens.megan,
      '/me/messages?$search="quarterly numbers"&$select=id',
    );
    expect(search.value.map((found) => found.id)).toContain(delivered!.id);
    expect(inboxCounts.unreadItemCount).toBeGreaterThan(0);
  });

  it("delivers to every tenant recipient in to, cc and bcc, hiding bcc from them", async () => {
    const response = await send("adele", {
      message: message({
        subject: "Offsite carpool",
        ccRecipients: [{ emailAddress: { address: "partner@fabrikam.example", name: "Partner" } }],
        bccRecipients: [{ emailAddress: { address: "ALEX@contoso.example" } }],
      }),
    });
    expect(response.status).toBe(202);
    const [forMegan] = await newest("megan", "inbox", 1);
    const [forAlex] = await newest("alex", "inbox", 1);
    expect(forMegan!.subject).toBe("Offsite carpool");
    expect(forAlex!.subject).toBe("Offsite carpool");
    expect(forAlex!.bccRecipients).toEqual([]);
    const [sent] = await newest("adele", "sentitems", 1);
    expect(sent!.bccRecipients).toEqual([{ emailAddress: { address: "ALEX@contoso.example", name: "Alex Wilber" } }]);
    expect(sent!.ccRecipients).toEqual([{ emailAddress: { address: "partner@fabrikam.example", name: "Partner" } }]);
  });

  it("keeps no copy when saveToSentItems is false, and two when users mail themselves", async () => {
    const before = await graphJson<{ totalItemCount: number }>(emulator.url, tokens.adele, "/me/mailFolders/sentitems");
    expect((await send("adele", { message: message({ subject: "No copy" }), saveToSentItems: false })).status).toBe(
      202,
    );
    expect(
      (await graphJson<{ totalItemCount: number }>(emulator.url, tokens.adele, "/me/mailFolders/sentitems"))
        .totalItemCount,
    ).toBe(before.totalItemCount);
    expect((await newest("megan", "inbox", 1))[0]!.subject).toBe("No copy");

    const toSelf = message({
      subject: "Note to self",
      toRecipients: [{ emailAddress: { address: "adele@contoso.example" } }],
    });
    expect((await send("adele", { message: toSelf })).status).toBe(202);
    const [inboxCopy] = await newest("adele", "inbox", 1);
    const [sentCopy] = await newest("adele", "sentitems", 1);
    expect(inboxCopy).toMatchObject({ subject: "Note to self", isRead: false });
    expect(sentCopy).toMatchObject({ subject: "Note to self", isRead: true });
    expect(inboxCopy!.id).not.toBe(sentCopy!.id);
  });

  it("stores a text body as text and serves it as HTML on request", async () => {
    const text = message({ subject: "Plain", body: { contentType: "Text", content: "Line one\nLine <two>" } });
    expect((await send("adele", { message: text })).status).toBe(202);
    const [received] = await newest("megan", "inbox", 1);
    expect(received!.body).toEqual({ contentType: "text", content: "Line one\nLine <two>" });
    const asHtml = await graph(emulator.url, tokens.megan, `/me/messages/${received!.id}?$select=body`, {
      headers: { Prefer: 'outlook.body-content-type="html"' },
    });
    expect(((await asHtml.json()) as Message).body).toMatchObject({
      contentType: "html",
      content: expect.stringContaining("Line &#60;two&#62;"),
    });
  });

  it("serves an HTML body as text on request, entities decoded", async () => {
    const html = message({
      subject: "Entities",
      body: { contentType: "HTML", content: "<p>Tom &amp; Jerry&#39;s &lt;plan&gt;</p><p>Next&nbsp;step</p>" },
    });
    expect((await send("adele", { message: html })).status).toBe(202);
    const [received] = await newest("megan", "inbox", 1);
    const asText = await graph(emulator.url, tokens.megan, `/me/messages/${received!.id}?$select=body`, {
      headers: { Prefer: 'outlook.body-content-type="text"' },
    });
    expect(((await asText.json()) as Message).body).toEqual({
      contentType: "text",
      content: "Tom & Jerry's <plan>\n\nNext step",
    });
  });

  it("needs Mail.Send", async () => {
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "Mail.Read")).access_token;
    const response = await postJson(emulator.url, readOnly, "/me/sendMail", { message: message() });
    expect(await errorOf(response)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
    expect((await newest("megan", "inbox", 1))[0]!.subject).not.toBe("Quarterly numbers");
  });
});

describe("sendMail validation", () => {
  it("refuses a message without recipients, or with an unresolvable address", async () => {
    expect(await errorOf(await send("adele", { message: message({ toRecipients: [] }) }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidRecipients",
    });
    const malformed = await errorOf(
      await send("adele", { message: message({ toRecipients: [{ emailAddress: { address: "megan" } }] }) }),
    );
    expect(malformed).toMatchObject({ status: 400, code: "ErrorInvalidRecipients" });
    expect(malformed.message).toContain("'megan'");
  });

  it("refuses bodies Graph cannot read", async () => {
    const cases: [string, unknown][] = [
      ["unknown parameter", { message: message(), saveToSentItem: true }],
      ["unknown message property", { message: message({ colour: "blue" }) }],
      [
        "recipients not a list",
        { message: message({ toRecipients: { emailAddress: { address: "megan@contoso.example" } } }) },
      ],
      ["bad body type", { message: message({ body: { contentType: "markdown", content: "# hi" } }) }],
      ["bad importance", { message: message({ importance: "urgent" }) }],
      ["saveToSentItems not boolean", { message: message(), saveToSentItems: "yes" }],
      [
        "attachment without @odata.type",
        { message: message({ attachments: [{ name: "a.txt", contentBytes: "aGk=" }] }) },
      ],
      [
        "attachment that is not base64",
        {
          message: message({
            attachments: [
              { "@odata.type": "#microsoft.graph.fileAttachment", name: "a.txt", contentBytes: "not base64!" },
            ],
          }),
        },
      ],
    ];
    for (const [name, body] of cases) {
      expect(await errorOf(await send("adele", body)), name).toMatchObject({ status: 400, code: "RequestBodyRead" });
    }
    const notJson = await graph(emulator.url, tokens.adele, "/me/sendMail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{ message: ",
    });
    expect(await errorOf(notJson)).toMatchObject({ status: 400, code: "RequestBodyRead" });
    const empty = await graph(emulator.url, tokens.adele, "/me/sendMail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
    });
    expect(await errorOf(empty)).toMatchObject({ status: 400, message: "Empty Payload. JSON content expected." });
    expect(await errorOf(await send("adele", { saveToSentItems: true }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidRequest",
    });
    const itemAttachment = { "@odata.type": "#microsoft.graph.itemAttachment", name: "mail" };
    expect(await errorOf(await send("adele", { message: message({ attachments: [itemAttachment] }) }))).toMatchObject({
      status: 400,
      code: "ErrorInvalidRequest",
    });
    // Nothing above was delivered.
    expect((await newest("megan", "inbox", 1))[0]!.subject).not.toBe("Quarterly numbers");
  });

  it("refuses a request over 4 MB with 413", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 200_000, 7).toString("base64");
    const attachment = { "@odata.type": "#microsoft.graph.fileAttachment", name: "big.bin", contentBytes: big };
    const response = await send("adele", { message: message({ attachments: [attachment] }) });
    expect(await errorOf(response)).toMatchObject({ status: 413, code: "ErrorRequestEntityTooLarge" });
    const log = await control<{ path: string; status: number }[]>(emulator.url, "requests");
    expect(log.at(-1)).toMatchObject({ path: "/v1.0/me/sendMail", status: 413 });
    // Just under the limit goes through.
    const fits = Buffer.alloc(2 * 1024 * 1024, 7).toString("base64");
    expect(
      (await send("adele", { message: message({ attachments: [{ ...attachment, contentBytes: fits }] }) })).status,
    ).toBe(202);
  });
});
