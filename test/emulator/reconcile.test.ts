/**
 * What the server relies on to find out whether a write took effect, as
 * Graph documents it (emulator/README.md, "Finding a write again"), and
 * faults on single items of a $batch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn } from "./helpers.ts";

const SCOPE =
  "openid profile email offline_access User.Read Mail.ReadWrite Mail.Send Calendars.ReadWrite Contacts.ReadWrite Tasks.ReadWrite OnlineMeetings.ReadWrite";
const PROPERTY = "String {8b0c5e2a-3f71-4d0e-a6c9-5d2b7e14f093} Name m365McpIdempotencyMarker";

let emulator: RunningEmulator;
let adele: string;
let megan: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  adele = (await signIn(emulator.url, "adele@contoso.example", SCOPE)).access_token;
  megan = (await signIn(emulator.url, "megan@contoso.example", SCOPE)).access_token;
});

const marked = (value: string) =>
  `$filter=${encodeURIComponent(`singleValueExtendedProperties/any(ep: ep/id eq '${PROPERTY}' and ep/value eq '${value}')`)}`;

describe("single-value extended properties", () => {
  it("go with a sent message to the sender's Sent Items copy, are found by $filter there, and are not shown", async () => {
    const sent = await postJson(emulator.url, adele, "/me/sendMail", {
      message: {
        subject: "marked mail",
        body: { contentType: "Text", content: "x" },
        toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
        singleValueExtendedProperties: [{ id: PROPERTY, value: "abc123" }],
      },
    });
    expect(sent.status).toBe(202);
    const found = await graphJson<{ value: { subject: string }[] }>(
      emulator.url,
      adele,
      `/me/messages?${marked("ABC123")}&$select=subject`,
    );
    // Values match case-insensitively, as Graph documents.
    expect(found.value.map((message) => message.subject)).toEqual(["marked mail"]);
    const whole = await graphJson<{ value: Record<string, unknown>[] }>(
      emulator.url,
      adele,
      `/me/messages?${marked("abc123")}`,
    );
    expect(whole.value[0]).not.toHaveProperty("singleValueExtendedProperties");
    // The property is the sender's item's, not the recipient's.
    expect(
      (await graphJson<{ value: unknown[] }>(emulator.url, megan, `/me/messages?${marked("abc123")}`)).value,
    ).toEqual([]);
    expect(
      (await graphJson<{ value: unknown[] }>(emulator.url, adele, `/me/messages?${marked("other")}`)).value,
    ).toEqual([]);
  });

  it("stay with a draft and the message it becomes when sent", async () => {
    const created = await postJson(emulator.url, adele, "/me/messages", {
      subject: "marked draft",
      toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
      singleValueExtendedProperties: [{ id: PROPERTY, value: "draft-1" }],
    });
    const draft = (await created.json()) as { id: string; isDraft: boolean };
    expect(draft.isDraft).toBe(true);
    expect((await postJson(emulator.url, adele, `/me/messages/${draft.id}/send`, undefined)).status).toBe(202);
    const found = await graphJson<{ value: { isDraft: boolean; parentFolderId: string }[] }>(
      emulator.url,
      adele,
      `/me/mailFolders/sentitems/messages?${marked("draft-1")}&$select=isDraft`,
    );
    expect(found.value).toHaveLength(1);
    expect(found.value[0]!.isDraft).toBe(false);
  });

  it("mark contacts, and refuse ids in no documented format", async () => {
    const contact = await postJson(emulator.url, adele, "/me/contacts", {
      givenName: "Marked",
      singleValueExtendedProperties: [{ id: PROPERTY, value: "contact-1" }],
    });
    expect(contact.status).toBe(201);
    expect(await contact.json()).not.toHaveProperty("singleValueExtendedProperties");
    const found = await graphJson<{ value: { givenName: string }[] }>(
      emulator.url,
      adele,
      `/me/contacts?${marked("contact-1")}`,
    );
    expect(found.value.map((entry) => entry.givenName)).toEqual(["Marked"]);
    const bad = await postJson(emulator.url, adele, "/me/contacts", {
      givenName: "Bad",
      singleValueExtendedProperties: [{ id: "my-property", value: "x" }],
    });
    expect(bad.status).toBe(400);
    const unfiltered = await graph(
      emulator.url,
      adele,
      `/me/contacts?$filter=${encodeURIComponent("singleValueExtendedProperties/any(ep: contains(ep/value, 'x'))")}`,
    );
    expect(unfiltered.status).toBe(400);
  });
});

describe("events with a transactionId", () => {
  it("are created once however often the same transactionId is posted", async () => {
    const event = {
      subject: "retried event",
      start: { dateTime: "2027-02-01T10:00:00", timeZone: "UTC" },
      end: { dateTime: "2027-02-01T10:30:00", timeZone: "UTC" },
      transactionId: "txn-1",
    };
    const first = await postJson(emulator.url, adele, "/me/events", event);
    const second = await postJson(emulator.url, adele, "/me/events", event);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    const other = await postJson(emulator.url, adele, "/me/events", { ...event, transactionId: "txn-2" });
    expect(other.status).toBe(201);
    const listed = await graphJson<{ value: unknown[] }>(
      emulator.url,
      adele,
      `/me/events?$filter=${encodeURIComponent("subject eq 'retried event'")}`,
    );
    expect(listed.value).toHaveLength(2);
  });
});

describe("To Do linked resources", () => {
  it("are created with a task, answered with it and listed under it", async () => {
    const lists = await graphJson<{ value: { id: string; wellknownListName: string }[] }>(
      emulator.url,
      adele,
      "/me/todo/lists",
    );
    const list = lists.value.find((entry) => entry.wellknownListName === "defaultList")!;
    const created = await postJson(emulator.url, adele, `/me/todo/lists/${list.id}/tasks`, {
      title: "linked task",
      linkedResources: [{ applicationName: "m365-mcp-server", displayName: "key", externalId: "ext-1" }],
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; linkedResources: { externalId: string; id: string }[] };
    expect(task.linkedResources).toMatchObject([{ externalId: "ext-1", applicationName: "m365-mcp-server" }]);
    const fetched = await graphJson<Record<string, unknown>>(
      emulator.url,
      adele,
      `/me/todo/lists/${list.id}/tasks/${task.id}`,
    );
    expect(fetched).not.toHaveProperty("linkedResources");
    const links = await graphJson<{ value: { externalId: string }[] }>(
      emulator.url,
      adele,
      `/me/todo/lists/${list.id}/tasks/${task.id}/linkedResources`,
    );
    expect(links.value.map((link) => link.externalId)).toEqual(["ext-1"]);
    const wrong = await postJson(emulator.url, adele, `/me/todo/lists/${list.id}/tasks`, {
      title: "bad link",
      linkedResources: [{ externalId: 5 }],
    });
    expect(wrong.status).toBe(400);
  });
});

describe("onlineMeetings createOrGet", () => {
  it("creates a meeting for a new externalId (201) and returns it for the same one (200)", async () => {
    const body = { externalId: "meeting-1", subject: "standup", startDateTime: "2027-02-01T10:00:00Z" };
    const first = await postJson(emulator.url, adele, "/me/onlineMeetings/createOrGet", body);
    const again = await postJson(emulator.url, adele, "/me/onlineMeetings/createOrGet", body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const [a, b] = [(await first.json()) as { id: string }, (await again.json()) as { id: string }];
    expect(b.id).toBe(a.id);
    const other = await postJson(emulator.url, adele, "/me/onlineMeetings/createOrGet", { ...body, externalId: "m-2" });
    expect(((await other.json()) as { id: string }).id).not.toBe(a.id);
    // Another organizer's externalId is theirs.
    const megans = await postJson(emulator.url, megan, "/me/onlineMeetings/createOrGet", body);
    expect(megans.status).toBe(201);
    expect((await postJson(emulator.url, adele, "/me/onlineMeetings/createOrGet", { subject: "x" })).status).toBe(400);
  });
});

describe("faults on $batch items", () => {
  it("answer only the matching items, with their own status and Retry-After, and are used up", async () => {
    await control(emulator.url, "faults", {
      match: "^GET /v1\\.0/me/messages$",
      batchItems: true,
      status: 429,
      retryAfterSeconds: 2,
    });
    const batch = {
      requests: [
        { id: "mail", method: "GET", url: "/me/messages?$top=1" },
        { id: "me", method: "GET", url: "/me" },
      ],
    };
    const first = await postJson(emulator.url, adele, "/$batch", batch);
    expect(first.status).toBe(200);
    const answer = (await first.json()) as {
      responses: { id: string; status: number; headers: Record<string, string>; body: { error?: { code: string } } }[];
    };
    const byId = new Map(answer.responses.map((item) => [item.id, item]));
    expect(byId.get("mail")).toMatchObject({
      status: 429,
      headers: { "Retry-After": "2" },
      body: { error: { code: "TooManyRequests" } },
    });
    expect(byId.get("me")?.status).toBe(200);
    const second = (await (await postJson(emulator.url, adele, "/$batch", batch)).json()) as typeof answer;
    expect(second.responses.map((item) => item.status)).toEqual([200, 200]);
    // A batchItems fault never answers a whole request.
    await control(emulator.url, "faults", { match: "^GET /v1\\.0/me$", batchItems: true, status: 503 });
    expect((await graph(emulator.url, adele, "/me")).status).toBe(200);
    const refused = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ match: "x", batchItems: true, latencyMs: 100 }),
    });
    expect(refused.status).toBe(400);
  });
});
