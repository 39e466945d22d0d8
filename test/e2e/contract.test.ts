/**
 * The Graph contract: every request the server sends while a user works
 * through every tool, resource and prompt (through `wrangler dev` and the
 * emulator) is checked against Microsoft's own descriptions of Graph, not
 * against the emulator: paths and query options against the URL templates of
 * Microsoft's Graph SDK packages, property names against the Graph types.
 * Shapes Microsoft publishes no template for are listed, each family with the
 * reason; one outside those families fails the test.
 */
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, inject, it } from "vitest";
import { checkRequests, type CheckedShape, type LoggedGraphRequest } from "../support/graph-contract.ts";
import { graphJson, signIn } from "../emulator/helpers.ts";
import { connectWithSignIn } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");
const emulatorUrl = inject("emulatorUrl");

const ADELE_ID = "4a1c3b1e-8f57-4e2a-9c1d-00000000a001";

/** Request families no SDK package on npm describes, and where Graph documents them instead. */
const UNPUBLISHED: readonly { family: RegExp; reason: string }[] = [
  {
    family: /^\/(me\/drive|drives\/\{id\}|sites\/\{id\}\/drive)(\/|$)/,
    reason: "OneDrive and SharePoint items: Microsoft publishes no @microsoft/msgraph-sdk-drives package",
  },
  {
    family: /^\/groups\/\{id\}\//,
    reason:
      "a group's threads, calendar and drive: @microsoft/msgraph-sdk-groups is not pinned yet (its Graph types are still checked)",
  },
  { family: /^\/search\/query$/, reason: "Microsoft Search: no @microsoft/msgraph-sdk-search package" },
  {
    family: /^\/me\/messages\/\{id\}\/attachments\/\{id\}\/\$value$/,
    reason: "an attachment's raw bytes: documented on the attachment-get page, not in the users package's templates",
  },
];

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

async function requestLog(): Promise<(LoggedGraphRequest & { userId?: string; at: string })[]> {
  const response = await fetch(`${emulatorUrl}/_emulator/requests`);
  return (await response.json()) as (LoggedGraphRequest & { userId?: string; at: string })[];
}

/** Calls every tool of the catalog at least once, the way a user's day would, and every resource and prompt. */
async function tour(client: Client): Promise<Set<string>> {
  const called = new Set<string>();
  const call = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) => {
    called.add(name);
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, `${name}(${JSON.stringify(args)}): ${text(result)}`).toBeFalsy();
    return { data: (result.structuredContent ?? {}) as T, text: text(result) };
  };
  const idIn = (rendered: string) => /\bid:? ([\w!=+/-]+)/.exec(rendered)?.[1] ?? "";
  const soon = (days: number, hour: number) => {
    const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    return `${date}T${String(hour).padStart(2, "0")}:00`;
  };

  await call("authenticate");

  // Mail
  type Messages = { messages: { id: string; hasAttachments: boolean }[]; nextCursor?: string };
  const inbox = await call<Messages>("getEmails", { count: 25 });
  await call("getEmails", { cursor: inbox.data.nextCursor });
  await call("getEmails", { folder: "Archive", unreadOnly: true, count: 3 });
  await call("searchEmails", { query: "budget", count: 3 });
  await call("listMailFolders", { depth: 2 });
  const withFiles = inbox.data.messages.find((message) => message.hasAttachments)!;
  const message = await call<{ attachments: { id: string }[] }>("getEmail", { id: withFiles.id });
  await call("getAttachment", { messageId: withFiles.id, attachmentId: message.data.attachments[0]!.id });
  const draft = await call("createDraft", { to: ["megan@contoso.example"], subject: "Contract draft", body: "Hi" });
  await call("sendDraft", { id: idIn(draft.text) });
  await call("sendEmail", {
    to: ["megan@contoso.example"],
    subject: "Contract mail",
    body: "<p>Notes attached.</p>",
    bodyType: "html",
    attachments: [{ name: "notes.txt", contentBase64: Buffer.from("notes").toString("base64") }],
  });
  const [first, second, third] = inbox.data.messages.filter((candidate) => candidate.id !== withFiles.id);
  await call("replyToEmail", { id: first!.id, comment: "Thanks!" });
  await call("forwardEmail", { id: first!.id, to: ["alex@contoso.example"], comment: "FYI" });
  await call("updateEmail", { id: second!.id, isRead: true, flag: "flagged", categories: ["Blue category"] });
  await call("moveEmail", { id: second!.id, folder: "Archive" });
  await call("deleteEmail", { id: third!.id });

  // Calendar
  type Events = { events: { id: string; organizer: string }[] };
  const events = await call<Events>("getCalendarEvents", { start: soon(0, 0).slice(0, 10) });
  await call("getCalendarEvent", { id: events.data.events[0]!.id, timeZone: "Europe/Berlin" });
  await call("listCalendars");
  await call("findMeetingTimes", { attendees: ["megan@contoso.example"], durationMinutes: 30 });
  await call("getSchedule", { people: ["megan@contoso.example", "alex@contoso.example"] });
  const created = await call("createCalendarEvent", {
    subject: "Contract review",
    start: soon(2, 10),
    end: soon(2, 11),
    attendees: ["megan@contoso.example"],
    isOnlineMeeting: true,
  });
  const eventId = idIn(created.text);
  await call("updateCalendarEvent", { id: eventId, location: "Room 4" });
  await call("deleteCalendarEvent", { id: eventId, message: "Not needed" });
  const invited = events.data.events.find((event) => event.organizer && !event.organizer.startsWith("Adele"));
  await call("respondToEvent", { id: invited!.id, response: "tentative", sendResponse: false });

  // People and contacts
  type Contacts = { contacts: { id: string }[] };
  const contacts = await call<Contacts>("getContacts", { count: 5 });
  await call("getContacts", { query: "sean" });
  await call("getContact", { id: contacts.data.contacts[0]!.id });
  const contact = await call("createContact", { givenName: "Contract", surname: "Tester", emails: ["ct@example.com"] });
  await call("updateContact", { id: idIn(contact.text), jobTitle: "Tester" });
  await call("deleteContact", { id: idIn(contact.text) });
  await call("searchPeople", { query: "meg" });
  await call("searchPeople", {});
  const hannah = await call<{ id: string }>("getUser", { user: "hannah@contoso.example", manager: true });
  await call("getUser", { user: hannah.data.id });
  await call("searchUsers", { query: "sea" });
  await call("searchUsers", { department: "Sales", count: 2 });

  // Teams
  const teams = await call<{ teams: { id: string; name: string }[] }>("listTeams");
  const team = teams.data.teams.find((candidate) => candidate.name === "Mark 8 Launch")!;
  const channels = await call<{ channels: { id: string; name: string }[] }>("listChannels", { teamId: team.id });
  const channel = channels.data.channels.find((candidate) => candidate.name === "Design")!;
  const place = { teamId: team.id, channelId: channel.id };
  const posts = await call<{ messages: { id: string }[] }>("getChannelMessages", { ...place, count: 3 });
  await call("getChannelMessages", { ...place, messageId: posts.data.messages[0]!.id });
  await call("sendTeamsMessage", {
    ...place,
    message: "Banners, @hannah@contoso.example?",
    mentions: [hannah.data.id],
  });
  await call("sendTeamsMessage", { ...place, message: "And sizes", mentions: ["hannah@contoso.example"] });
  await call("replyToChannelMessage", { ...place, messageId: posts.data.messages[0]!.id, message: "Agreed" });
  const chats = await call<{ chats: { id: string }[]; nextCursor?: string }>("listChats", { count: 3 });
  await call("listChats", { cursor: chats.data.nextCursor });
  await call("getChatMessages", { chatId: chats.data.chats[0]!.id, count: 5 });
  await call("sendChatMessage", { chatId: chats.data.chats[0]!.id, message: "On my way" });

  // Microsoft 365 groups, and a shared mailbox
  const groups = await call<{ groups: { id: string; name: string }[] }>("listGroups");
  const marketing = groups.data.groups.find((group) => group.name === "Marketing")!;
  const threads = await call<{ entries: { id: string }[] }>("getGroupConversations", { groupId: marketing.id });
  const threadId = threads.data.entries[0]!.id;
  await call("getGroupConversations", { groupId: marketing.id, threadId });
  await call("replyToGroupThread", { groupId: marketing.id, threadId, comment: "Contract reply" });
  await call("getCalendarEvents", { groupId: marketing.id });
  await call("listFiles", { driveId: marketing.id });
  const support = await call<Messages>("getEmails", { mailbox: "support@contoso.example", count: 3 });
  await call("getEmail", { mailbox: "support@contoso.example", id: support.data.messages[0]!.id });
  await call("searchEmails", { mailbox: "support@contoso.example", query: "order", count: 3 });
  await call("sendEmail", {
    mailbox: "support@contoso.example",
    to: ["megan@contoso.example"],
    subject: "Contract shared mail",
    body: "Hi",
  });
  await call("createTeamsMeeting", {
    subject: "Contract sync",
    start: `${soon(3, 15)}:00Z`,
    end: `${soon(3, 16)}:00Z`,
    attendees: ["alex@contoso.example"],
  });

  // Files
  type Listing = { driveId: string; items: { id: string; name: string }[]; nextCursor?: string };
  const documents = await call<Listing>("listFiles", { path: "/Documents" });
  const invoices = await call<Listing>("listFiles", { path: "/Documents/Invoices", count: 50 });
  await call("listFiles", { cursor: invoices.data.nextCursor });
  const newest = await call<Listing>("listFiles", { path: "/Documents/Invoices", orderBy: "newest", count: 5 });
  await call("listFiles", { cursor: newest.data.nextCursor });
  await call("listFiles", { folderId: documents.data.items.find((item) => item.name === "Reports")!.id });
  const found = await call<Listing>("searchFiles", { query: "invoice", count: 5 });
  await call("searchFiles", { query: "invoice", cursor: found.data.nextCursor });
  await call("getFileMetadata", { path: "/Documents/Reports/Regional targets.csv" });
  await call("readFile", { path: "/Documents/Reports/Regional targets.csv" });
  await call("readFile", { itemId: found.data.items[0]!.id, maxChars: 500 });
  await call("uploadFile", { path: "/Documents/contract/notes.txt", text: "contract notes" });
  await call("uploadFile", {
    path: "/Documents/contract/large.bin",
    sourceUrl: `${emulatorUrl}/_emulator/blob?size=${5 * 1024 * 1024}&seed=contract`,
  });
  const folder = await call("createFolder", { path: "/Documents/contract/archive" });
  const note = await call<{ id: string }>("getFileMetadata", { path: "/Documents/contract/notes.txt" });
  await call("moveItem", { itemId: note.data.id, destination: "/Documents/contract/archive", newName: "old.txt" });
  await call("shareFile", { path: "/Documents/contract/large.bin", type: "view", scope: "organization" });
  await call("deleteItem", { itemId: /id (\S+)/.exec(folder.text)![1] });
  await call("listFiles", { driveId: await marketingSiteId(), path: "/Campaigns" });

  // To Do
  const lists = await call<{ lists: { id: string; kind: string }[] }>("listTaskLists");
  const shared = lists.data.lists.find((list) => list.kind === "none")!;
  const open = await call<{ tasks: { id: string }[]; nextCursor?: string }>("listTasks", { count: 10 });
  await call("listTasks", { cursor: open.data.nextCursor });
  await call("listTasks", {
    listId: shared.id,
    status: "all",
    importance: "high",
    dueBefore: soon(30, 0).slice(0, 10),
  });
  const task = await call("createTask", {
    title: "Contract task",
    dueDate: soon(5, 0).slice(0, 10),
    reminder: soon(4, 9),
  });
  const taskId = /id: (\S+)/.exec(task.text)![1]!;
  await call("updateTask", { taskId, completed: true, dueDate: soon(6, 0).slice(0, 10), notes: "done" });
  await call("deleteTask", { taskId });

  // Search and raw reads
  const results = await call<{ nextCursor?: string }>("searchMicrosoft365", { query: "budget", count: 5 });
  if (results.data.nextCursor) await call("searchMicrosoft365", { query: "budget", cursor: results.data.nextCursor });
  await call("searchMicrosoft365", { query: "roadmap", types: ["file", "site"] });
  await call("graphQuery", { path: "/me/mailFolders", select: "displayName,unreadItemCount", top: 5 });
  await call("graphQuery", { path: "/me/drive/root/children", select: "name,size", orderby: "name" });

  // Resources and prompts: the same pipeline, their own requests.
  for (const resource of (await client.listResources()).resources) await client.readResource({ uri: resource.uri });
  await client.readResource({ uri: `microsoft://messages/${encodeURIComponent(withFiles.id)}` });
  await client.readResource({ uri: `microsoft://events/${encodeURIComponent(events.data.events[0]!.id)}` });
  await client.readResource({ uri: `microsoft://files/${encodeURIComponent(found.data.items[0]!.id)}` });
  for (const prompt of (await client.listPrompts()).prompts) {
    const args = Object.fromEntries(
      (prompt.arguments ?? []).filter((argument) => argument.required).map((argument) => [argument.name, "Megan"]),
    );
    await client.getPrompt({ name: prompt.name, arguments: args });
  }

  await call("logout");
  return called;
}

/**
 * The Marketing site's id, asked of the emulator directly as another user
 * (Alex): no tool lists sites, and this request must not count as the server's.
 */
async function marketingSiteId(): Promise<string> {
  const { access_token } = await signIn(emulatorUrl, "alex@contoso.example", "openid User.Read Sites.Read.All");
  const sites = await graphJson<{ value: { id: string }[] }>(emulatorUrl, access_token, "/sites?search=marketing");
  return sites.value[0]!.id;
}

function describeShape(shape: CheckedShape): string {
  return `${shape.method} ${shape.path}${shape.options.length ? ` ?${shape.options.join("&")}` : ""}`;
}

describe("the Graph contract", () => {
  it("sends only requests that Microsoft's Graph SDK templates and Graph types describe", async () => {
    const started = new Date().toISOString();
    const { client } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
      "adele@contoso.example",
    );
    const toolNames = (await client.listTools()).tools.map((tool) => tool.name);
    const called = await tour(client);
    expect(
      toolNames.filter((name) => !called.has(name)),
      "tools the tour does not call",
    ).toEqual([]);

    const requests = (await requestLog()).filter((entry) => entry.userId === ADELE_ID && entry.at >= started);
    const report = checkRequests(requests);
    const published = report.shapes.filter((shape) => shape.reference);
    const unpublished = report.shapes.filter((shape) => !shape.reference);

    const problems = report.shapes.flatMap((shape) =>
      shape.problems.map((problem) => `${describeShape(shape)}: ${problem}`),
    );
    const unexplained = unpublished.filter((shape) => !UNPUBLISHED.some(({ family }) => family.test(shape.path)));

    const bySource = report.templateSources
      .map((source) => `${published.filter((shape) => shape.reference === source).length} against ${source}`)
      .join(", ");
    console.log(
      [
        `Graph contract: ${report.shapes.length} request shapes from ${requests.length} requests.`,
        `Paths and query options: ${published.length} shapes checked, ${bySource}.`,
        `Property names ($select, $filter, $orderby, $expand, directory $search): ${report.propertyNames} checked against ${report.typesSource}.`,
        `No published template (${unpublished.length} shapes; property names still checked where the type is known):`,
        ...UNPUBLISHED.map(
          ({ family, reason }) =>
            `  ${reason}:\n${unpublished
              .filter((shape) => family.test(shape.path))
              .map((shape) => `    ${describeShape(shape)}${shape.inferredType ? ` [${shape.inferredType}]` : ""}`)
              .join("\n")}`,
        ),
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(unexplained.map(describeShape), "shapes without a published description or a listed reason").toEqual([]);
    expect(published.length).toBeGreaterThan(50);
    expect(report.propertyNames).toBeGreaterThan(100);
    await client.close();
  }, 180_000);

  it("catches what Microsoft's descriptions rule out", () => {
    const report = checkRequests([
      { method: "GET", path: "/v1.0/me/messages", query: "$select=subject,colour&$orderby=receivedDateTime desc" },
      { method: "GET", path: "/v1.0/me/todo/lists/AAMkAD1/tasks", query: "$filter=dueDateTime/date lt '2026-01-01'" },
      { method: "GET", path: "/v1.0/users/abc/manager", query: "$search=x" },
      { method: "GET", path: "/v1.0/me/chats", query: "$expand=participants" },
      { method: "POST", path: "/v1.0/me/findMeetingTimes", query: "$select=meetingTimeSuggestions" },
      { method: "GET", path: "/v1.0/me/secretArea", query: "" },
      {
        method: "POST",
        path: "/v1.0/$batch",
        query: "",
        batch: [{ method: "GET", url: "/me/contacts?$filter=emailAddresses/any(a:a/adress eq 'x')" }],
      },
    ]);
    const problems = report.shapes.flatMap((shape) => shape.problems);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("$select: 'colour' is not a property of Message"),
        expect.stringContaining("$filter: 'date' is not a property of DateTimeTimeZone"),
        expect.stringMatching(/query option '\$search' is not in the template/),
        expect.stringContaining("$expand: 'participants' is not a property of Chat"),
        expect.stringMatching(/query option '\$select' is not in the template \(\)/),
        expect.stringContaining("$filter: 'adress' is not a property of EmailAddress"),
      ]),
    );
    expect(report.shapes.find((shape) => shape.path === "/me/secretArea")?.reference).toBeUndefined();
  });
});
