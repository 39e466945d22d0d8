import type { ChecklistItem, TodoTask, TodoTaskList } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LIST_TASKS } from "../../emulator/data/todo.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

const SCOPE = "openid profile offline_access User.Read Tasks.ReadWrite";
const PACIFIC = { Prefer: 'outlook.timezone="Pacific Standard Time"' };

let emulator: RunningEmulator;
let token: string;

async function tokenFor(user: string, scope = SCOPE): Promise<string> {
  return (await signIn(emulator.url, user, scope)).access_token;
}

const get = <T>(path: string, init?: RequestInit) => graphJson<T>(emulator.url, token, path, init);

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return graph(emulator.url, token, path, {
    method,
    headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

async function lists(): Promise<TodoTaskList[]> {
  return (await get<Page<TodoTaskList>>("/me/todo/lists")).value;
}

async function defaultList(): Promise<TodoTaskList> {
  return (await lists()).find((list) => list.wellknownListName === "defaultList")!;
}

function tasksPath(listId: string, query = ""): string {
  return `/me/todo/lists/${encodeURIComponent(listId)}/tasks${query}`;
}

async function allTasks(listId: string, query: string, init?: RequestInit): Promise<Page<TodoTask>[]> {
  const pages: Page<TodoTask>[] = [];
  let next: string | undefined = tasksPath(listId, query);
  while (next) {
    const page: Page<TodoTask> = await get<Page<TodoTask>>(next, init);
    pages.push(page);
    next = page["@odata.nextLink"];
    if (pages.length > 50) throw new Error("paging does not end");
  }
  return pages;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  token = await tokenFor("adele@contoso.example");
});
afterAll(() => emulator.close());

describe("To Do lists", () => {
  it("has the default list, flagged email, custom lists and one shared list", async () => {
    const all = await lists();
    expect(all.map((list) => list.displayName)).toEqual([
      "Tasks",
      "Flagged email",
      "Groceries",
      "Q4 product launch",
      "Team offsite planning",
    ]);
    expect(all.map((list) => list.wellknownListName)).toEqual(["defaultList", "flaggedEmails", "none", "none", "none"]);
    expect(all[0]).toMatchObject({ isOwner: true, isShared: false });
    expect(all[0]!["@odata.etag" as keyof TodoTaskList]).toMatch(/^W\/"/);
    const shared = all[4]!;
    expect(shared).toMatchObject({ isOwner: true, isShared: true });

    token = await tokenFor("megan@contoso.example");
    const megans = await lists();
    const sharedWithMegan = megans.find((list) => list.displayName === "Team offsite planning")!;
    expect(sharedWithMegan).toMatchObject({ id: shared.id, isOwner: false, isShared: true });
    expect(megans[0]!.id).not.toBe(all[0]!.id);
  });

  it("filters lists and selects properties", async () => {
    const page = await get<Page<TodoTaskList>>(
      "/me/todo/lists?$filter=wellknownListName eq 'defaultList'&$select=id,displayName",
    );
    expect(page.value).toHaveLength(1);
    expect(Object.keys(page.value[0]!).sort()).toEqual(["@odata.etag", "displayName", "id"]);
    expect(page["@odata.context"]).toMatch(/todo\/lists\(id,displayName\)$/);
  });

  it("creates, renames and deletes a list; refuses to delete a well-known one", async () => {
    const created = await send("POST", "/me/todo/lists", { displayName: "Reading list" });
    expect(created.status).toBe(201);
    const list = (await created.json()) as TodoTaskList;
    expect(list).toMatchObject({
      displayName: "Reading list",
      isOwner: true,
      isShared: false,
      wellknownListName: "none",
    });

    const renamed = await send("PATCH", `/me/todo/lists/${encodeURIComponent(list.id!)}`, { displayName: "Books" });
    expect(renamed.status).toBe(200);
    expect((await lists()).map((entry) => entry.displayName)).toContain("Books");

    expect((await send("DELETE", `/me/todo/lists/${encodeURIComponent(list.id!)}`)).status).toBe(204);
    expect((await lists()).map((entry) => entry.id)).not.toContain(list.id);

    const empty = await errorOf(await send("POST", "/me/todo/lists", { displayName: " " }));
    expect(empty).toMatchObject({ status: 400, code: "invalidRequest" });
    const unknown = await errorOf(await send("POST", "/me/todo/lists", { displayName: "x", color: "red" }));
    expect(unknown).toMatchObject({ status: 400 });
    expect(unknown.message).toContain("'color' does not exist on type 'microsoft.graph.todoTaskList'");

    const tasks = await defaultList();
    const refused = await errorOf(await send("DELETE", `/me/todo/lists/${encodeURIComponent(tasks.id!)}`));
    expect(refused).toMatchObject({ status: 400, code: "invalidRequest" });
  });

  it("answers 404 for an unknown list and 400 for a malformed id", async () => {
    const missing = await errorOf(await graph(emulator.url, token, tasksPath("AAMkAGnothere")));
    expect(missing).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
    const malformed = await errorOf(await graph(emulator.url, token, "/me/todo/lists/bad%20id%3F/tasks"));
    expect(malformed).toMatchObject({ status: 400, code: "ErrorInvalidIdMalformed" });
  });
});

describe("To Do tasks", () => {
  it("pages a default list of more than 50 tasks with $top and a $skip nextLink", async () => {
    const list = await defaultList();
    const pages = await allTasks(list.id!, "?$top=50");
    expect(pages.map((page) => page.value.length)).toEqual([50, DEFAULT_LIST_TASKS - 50]);
    expect(pages[0]!["@odata.nextLink"]).toMatch(/\/tasks\?\$top=50&\$skip=50$/);
    const ids = pages.flatMap((page) => page.value.map((task) => task.id));
    expect(new Set(ids).size).toBe(DEFAULT_LIST_TASKS);
    // Ten by default, like Graph.
    expect((await get<Page<TodoTask>>(tasksPath(list.id!))).value).toHaveLength(10);
  });

  it("has realistic tasks: statuses, importance, bodies, categories, reminders", async () => {
    const list = await defaultList();
    const tasks = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100"))).value;
    expect(new Set(tasks.map((task) => task.status))).toEqual(
      new Set(["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"]),
    );
    expect(new Set(tasks.map((task) => task.importance))).toEqual(new Set(["low", "normal", "high"]));
    expect(tasks.filter((task) => task.body?.content).length).toBeGreaterThan(20);
    expect(tasks.some((task) => task.categories?.includes("Personal"))).toBe(true);
    expect(tasks.some((task) => task.isReminderOn && task.reminderDateTime)).toBe(true);
    expect(tasks.filter((task) => task.dueDateTime).length).toBeGreaterThan(30);
    for (const task of tasks.filter((entry) => entry.status === "completed")) {
      expect(task.completedDateTime?.timeZone).toBe("UTC");
    }
    // Newest first, as To Do shows them.
    const created = tasks.map((task) => Date.parse(task.createdDateTime!));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("filters by status, importance and due date, keeping the filter in nextLink", async () => {
    const list = await defaultList();
    const open = (await allTasks(list.id!, "?$top=20&$filter=status ne 'completed'")).flatMap((page) => page.value);
    const completed = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100&$filter=status eq 'completed'"))).value;
    expect(open.length).toBeGreaterThan(50);
    expect(open.length + completed.length).toBe(DEFAULT_LIST_TASKS);
    expect(open.every((task) => task.status !== "completed")).toBe(true);
    expect(completed.every((task) => task.status === "completed")).toBe(true);

    const first = await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=5&$filter=status ne 'completed'"));
    expect(decodeURIComponent(first["@odata.nextLink"]!)).toContain("$filter=status ne 'completed'");

    const high = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100&$filter=importance eq 'high'"))).value;
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((task) => task.importance === "high")).toBe(true);

    const cutoff = "2100-01-01T00:00:00";
    const dueSoon = await allTasks(
      list.id!,
      `?$top=7&$filter=status ne 'completed' and dueDateTime/dateTime lt '${cutoff}'`,
      { headers: PACIFIC },
    );
    const due = dueSoon.flatMap((page) => page.value);
    expect(dueSoon.length).toBeGreaterThan(1);
    expect(decodeURIComponent(dueSoon[0]!["@odata.nextLink"]!)).toContain(`dueDateTime/dateTime lt '${cutoff}'`);
    expect(due.length).toBe(open.filter((task) => task.dueDateTime).length);
    const firstDue = due.map((task) => task.dueDateTime!.dateTime!).sort()[0]!;
    const before = (
      await get<Page<TodoTask>>(
        tasksPath(list.id!, `?$top=100&$filter=dueDateTime/dateTime le '${firstDue.slice(0, 19)}'`),
        { headers: PACIFIC },
      )
    ).value;
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((task) => task.dueDateTime!.dateTime! <= firstDue)).toBe(true);
  });

  it("refuses bad filter values the way Graph does", async () => {
    const list = await defaultList();
    const status = await errorOf(await graph(emulator.url, token, tasksPath(list.id!, "?$filter=status eq 'done'")));
    expect(status).toMatchObject({ status: 400 });
    expect(status.message).toContain("'done' is not a valid enumeration type constant of 'microsoft.graph.taskStatus'");
    const unquoted = await errorOf(
      await graph(emulator.url, token, tasksPath(list.id!, "?$filter=dueDateTime/dateTime lt 2026-01-01T00:00:00Z")),
    );
    expect(unquoted.message).toContain("incompatible types");
    const property = await errorOf(await graph(emulator.url, token, tasksPath(list.id!, "?$filter=color eq 'red'")));
    expect(property.message).toContain("Could not find a property named 'color' on type 'microsoft.graph.todoTask'");
  });

  it("answers dates in UTC and ignores Prefer: outlook.timezone, as the To Do API does", async () => {
    const list = await defaultList();
    const path = tasksPath(list.id!, "?$top=100&$select=title,dueDateTime");
    const utc = (await get<Page<TodoTask>>(path)).value.filter((task) => task.dueDateTime);
    // Adele lives in Pacific time (UTC-8): To Do due dates are her midnights.
    expect(utc.every((task) => task.dueDateTime!.timeZone === "UTC")).toBe(true);
    expect(utc.every((task) => task.dueDateTime!.dateTime!.endsWith("T08:00:00.0000000"))).toBe(true);
    const response = await graph(emulator.url, token, path, { headers: PACIFIC });
    expect(response.headers.get("preference-applied")).toBeNull();
    const local = ((await response.json()) as Page<TodoTask>).value.filter((task) => task.dueDateTime);
    expect(local).toEqual(utc);
    expect(Object.keys(local[0]!).sort()).toEqual(["@odata.etag", "dueDateTime", "id", "title"]);
  });

  it("reads a due date east of UTC as the evening before, in UTC (daylight saving time included)", async () => {
    const list = await defaultList();
    const created = (await (
      await send("POST", tasksPath(list.id!), {
        title: "Berlin summer deadline",
        dueDateTime: { dateTime: "2030-07-15T00:00:00", timeZone: "W. Europe Standard Time" },
      })
    ).json()) as TodoTask;
    // Berlin is UTC+2 in July: local midnight is 22:00 UTC the day before.
    expect(created.dueDateTime).toEqual({ dateTime: "2030-07-14T22:00:00.0000000", timeZone: "UTC" });
    const before = await get<Page<TodoTask>>(
      tasksPath(list.id!, "?$filter=dueDateTime/dateTime lt '2030-07-14T23:00:00'&$select=title"),
      { headers: { Prefer: 'outlook.timezone="W. Europe Standard Time"' } },
    );
    expect(before.value.map((task) => task.title)).toContain("Berlin summer deadline");
  });

  it("creates a task (201) that later reads see first, with its due date converted to UTC", async () => {
    const list = await defaultList();
    const response = await send("POST", tasksPath(list.id!), {
      title: "Write the launch retro",
      body: { content: "What went well, what did not.", contentType: "text" },
      importance: "high",
      categories: ["Launch"],
      dueDateTime: { dateTime: "2030-03-04T00:00:00", timeZone: "Pacific Standard Time" },
      reminderDateTime: { dateTime: "2030-03-03T09:00:00", timeZone: "Pacific Standard Time" },
    });
    expect(response.status).toBe(201);
    const task = (await response.json()) as TodoTask;
    expect(task).toMatchObject({
      title: "Write the launch retro",
      status: "notStarted",
      importance: "high",
      isReminderOn: true,
      categories: ["Launch"],
      dueDateTime: { dateTime: "2030-03-04T08:00:00.0000000", timeZone: "UTC" },
      reminderDateTime: { dateTime: "2030-03-03T17:00:00.0000000", timeZone: "UTC" },
    });
    const first = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=1"))).value[0]!;
    expect(first.id).toBe(task.id);
    const read = await get<TodoTask>(tasksPath(list.id!, `/${encodeURIComponent(task.id!)}`), { headers: PACIFIC });
    expect(read.dueDateTime).toEqual({ dateTime: "2030-03-04T08:00:00.0000000", timeZone: "UTC" });
  });

  it("refuses invalid task bodies with Graph's messages and changes nothing", async () => {
    const list = await defaultList();
    const cases: [unknown, number, string][] = [
      [
        { title: "x", status: "done" },
        400,
        "Cannot convert the literal 'done' to the expected type 'microsoft.graph.taskStatus'",
      ],
      [{ title: "x", importance: "urgent" }, 400, "'microsoft.graph.importance'"],
      [{ title: "x", colour: "red" }, 400, "The property 'colour' does not exist on type 'microsoft.graph.todoTask'"],
      [{ body: { content: "no title" } }, 400, "'title' is required"],
      [
        { title: "x", dueDateTime: { dateTime: "2030-01-01T00:00:00", timeZone: "Mars/Olympus" } },
        400,
        "'Mars/Olympus'",
      ],
      [{ title: "x", dueDateTime: "tomorrow" }, 400, "dateTimeTimeZone"],
    ];
    for (const [body, status, message] of cases) {
      const error = await errorOf(await send("POST", tasksPath(list.id!), body));
      expect(error.status, JSON.stringify(body)).toBe(status);
      expect(error.message).toContain(message);
    }
    const notJson = await graph(emulator.url, token, tasksPath(list.id!), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    const pages = await allTasks(list.id!, "?$top=100");
    expect(pages[0]!.value).toHaveLength(DEFAULT_LIST_TASKS);
  });

  it("completes and reopens a task with PATCH; the open filter follows", async () => {
    const list = await defaultList();
    const openPath = tasksPath(list.id!, "?$top=100&$filter=status ne 'completed'");
    const before = (await get<Page<TodoTask>>(openPath)).value;
    const target = before[0]!;
    const taskPath = tasksPath(list.id!, `/${encodeURIComponent(target.id!)}`);

    const done = await send("PATCH", taskPath, { status: "completed" });
    expect(done.status).toBe(200);
    const completed = (await done.json()) as TodoTask;
    expect(completed.status).toBe("completed");
    expect(completed.completedDateTime?.timeZone).toBe("UTC");
    expect(completed["@odata.etag" as keyof TodoTask]).not.toBe(target["@odata.etag" as keyof TodoTask]);
    const after = (await get<Page<TodoTask>>(openPath)).value;
    expect(after.map((task) => task.id)).not.toContain(target.id);
    expect(after).toHaveLength(before.length - 1);

    // PATCH is idempotent: the same body again leaves it completed.
    expect(((await (await send("PATCH", taskPath, { status: "completed" })).json()) as TodoTask).status).toBe(
      "completed",
    );
    const reopened = (await (await send("PATCH", taskPath, { status: "notStarted" })).json()) as TodoTask;
    expect(reopened.status).toBe("notStarted");
    expect(reopened.completedDateTime).toBeUndefined();
    expect((await get<Page<TodoTask>>(openPath)).value).toHaveLength(before.length);
  });

  it("updates fields, clears a due date with null, and refuses a bad PATCH without changing anything", async () => {
    const list = await defaultList();
    const withDue = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100"))).value.find(
      (task) => task.dueDateTime && task.status !== "completed",
    )!;
    const taskPath = tasksPath(list.id!, `/${encodeURIComponent(withDue.id!)}`);
    const refused = await errorOf(await send("PATCH", taskPath, { title: "Renamed", status: "finished" }));
    expect(refused.status).toBe(400);
    expect((await get<TodoTask>(taskPath)).title).toBe(withDue.title);

    const updated = (await (
      await send("PATCH", taskPath, { title: "Renamed", dueDateTime: null, importance: "low" })
    ).json()) as TodoTask;
    expect(updated).toMatchObject({ title: "Renamed", importance: "low" });
    expect(updated.dueDateTime).toBeUndefined();
    expect((await get<TodoTask>(taskPath)).dueDateTime).toBeUndefined();
  });

  it("deletes a task (204), then answers 404 for it", async () => {
    const list = await defaultList();
    const target = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=1"))).value[0]!;
    const taskPath = tasksPath(list.id!, `/${encodeURIComponent(target.id!)}`);
    expect((await send("DELETE", taskPath)).status).toBe(204);
    expect(await errorOf(await graph(emulator.url, token, taskPath))).toMatchObject({
      status: 404,
      code: "ErrorItemNotFound",
    });
    expect((await errorOf(await send("DELETE", taskPath))).status).toBe(404);
    expect((await allTasks(list.id!, "?$top=100"))[0]!.value).toHaveLength(DEFAULT_LIST_TASKS - 1);
  });

  it("expands and lists checklist items", async () => {
    const list = await defaultList();
    const tasks = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100&$expand=checklistItems"))).value;
    const withChecklist = tasks.find((task) => (task.checklistItems?.length ?? 0) > 0)!;
    expect(withChecklist.checklistItems![0]).toMatchObject({ isChecked: true });
    const items = await get<Page<ChecklistItem>>(
      tasksPath(list.id!, `/${encodeURIComponent(withChecklist.id!)}/checklistItems`),
    );
    expect(items.value.map((item) => item.displayName)).toEqual(
      withChecklist.checklistItems!.map((item) => item.displayName),
    );
    expect(tasks.filter((task) => task.checklistItems?.length === 0).length).toBeGreaterThan(0);
    const badExpand = await errorOf(await graph(emulator.url, token, tasksPath(list.id!, "?$expand=attachments")));
    expect(badExpand.status).toBe(400);
  });

  it("keeps each user's tasks apart and restores the seed on reset", async () => {
    const list = await defaultList();
    await send("POST", tasksPath(list.id!), { title: "Only Adele sees this" });
    const megan = await tokenFor("megan@contoso.example");
    const megansList = (await graphJson<Page<TodoTaskList>>(emulator.url, megan, "/me/todo/lists")).value[0]!;
    const megans = await graphJson<Page<TodoTask>>(emulator.url, megan, tasksPath(megansList.id!, "?$top=100"));
    expect(megans.value.map((task) => task.title)).not.toContain("Only Adele sees this");
    const missing = await graph(emulator.url, megan, tasksPath(list.id!));
    expect(missing.status).toBe(404);

    await control(emulator.url, "reset", {});
    token = await tokenFor("adele@contoso.example");
    const titles = (await get<Page<TodoTask>>(tasksPath(list.id!, "?$top=100"))).value.map((task) => task.title);
    expect(titles).not.toContain("Only Adele sees this");
  });

  it("needs Tasks.Read to read and Tasks.ReadWrite to write", async () => {
    const list = await defaultList();
    const reader = await tokenFor("adele@contoso.example", "openid offline_access User.Read Tasks.Read");
    expect((await graph(emulator.url, reader, tasksPath(list.id!))).status).toBe(200);
    const write = await graph(emulator.url, reader, tasksPath(list.id!), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "nope" }),
    });
    expect(await errorOf(write)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
    const none = await tokenFor("adele@contoso.example", "openid offline_access User.Read");
    expect((await graph(emulator.url, none, "/me/todo/lists")).status).toBe(403);
  });
});
