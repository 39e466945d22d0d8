import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface TaskLists {
  lists: { id: string; name: string; kind: string; isOwner: boolean }[];
}

interface Tasks {
  tasks: { id: string; title: string; status: string; importance: string; due?: string }[];
  nextCursor?: string;
}

const call = callTool;

const text = resultText;

async function tasks(client: Client, args: Record<string, unknown> = {}): Promise<Tasks> {
  const result = await call(client, "listTasks", { fresh: true, ...args });
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent as unknown as Tasks;
}

/** Every task of a listing, following cursors. */
async function allTasks(client: Client, args: Record<string, unknown>): Promise<Tasks["tasks"]> {
  const all: Tasks["tasks"] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const listing = await tasks(client, { ...args, ...(cursor ? { cursor } : {}) });
    all.push(...listing.tasks);
    cursor = listing.nextCursor;
    if (!cursor) return all;
  }
  throw new Error("paging does not end");
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("listTaskLists", () => {
  it("lists the To Do lists with kinds, sharing and ids", async () => {
    const client = await connectClient((await signIn("megan@contoso.example")).access_token);
    const result = await call(client, "listTaskLists");
    expect(result.isError).toBeFalsy();
    const { lists } = result.structuredContent as unknown as TaskLists;
    expect(lists.map((list) => list.name)).toEqual([
      "Tasks",
      "Flagged email",
      "Groceries",
      "Q4 product launch",
      "Team offsite planning",
    ]);
    expect(lists[0]).toMatchObject({ kind: "defaultList", isOwner: true });
    expect(lists[4]).toMatchObject({ kind: "none", isOwner: false });
    const rendered = text(result);
    expect(rendered).toContain("1. Tasks (default) | id: ");
    expect(rendered).toContain("Team offsite planning (shared with you)");
    expect(rendered).toContain(lists[2]!.id);
    expect(rendered).not.toContain("@odata");
    const log = await requestLog();
    expect(log.find((entry) => entry.path === "/v1.0/me/todo/lists")?.query).toContain("%24select=");
  });

  it("answers consent_required naming Tasks.Read when Graph denies access", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "GET /v1.0/me/todo/lists", status: 403 });
    const result = await call(client, "listTaskLists", { fresh: true });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/consent_required.*Tasks\.Read/);
  });
});

describe("listTasks", () => {
  it("lists open tasks of the default list compactly, with ids, due dates and a cursor", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, "listTasks", { count: 5 });
    expect(result.isError).toBeFalsy();
    const listing = result.structuredContent as unknown as Tasks;
    expect(listing.tasks).toHaveLength(5);
    expect(listing.tasks.every((task) => task.status !== "completed")).toBe(true);
    expect(listing.nextCursor).toMatch(/^[\w-]{12}$/);
    const rendered = text(result);
    expect(rendered).toMatch(/^Tasks \(open\): 5 tasks\.\n/);
    expect(rendered).toContain(`   id: ${listing.tasks[0]!.id}`);
    expect(rendered).toContain("1. [ ] Send Q3 budget numbers to finance");
    expect(rendered).toMatch(/More tasks: call again with cursor "[\w-]{12}"/);
    expect(rendered).not.toContain("@odata");
    const due = listing.tasks.find((task) => task.due);
    expect(due?.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rendered).toContain(`due ${due!.due}`);
  });

  it("pages past 50 tasks with the cursor, open and all", async () => {
    const client = await connectClient((await signIn()).access_token);
    const first = await tasks(client, { count: 50 });
    expect(first.tasks).toHaveLength(50);
    expect(first.nextCursor).toBeDefined();
    const second = await tasks(client, { count: 50, cursor: first.nextCursor });
    expect(second.tasks.length).toBeGreaterThan(0);
    const ids = [...first.tasks, ...second.tasks].map((task) => task.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(second.tasks.every((task) => task.status !== "completed")).toBe(true);

    const all = await allTasks(client, { status: "all", count: 50 });
    const completed = await allTasks(client, { status: "completed", count: 50 });
    expect(all.length).toBe(ids.length + completed.length);
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.every((task) => task.status === "completed")).toBe(true);
  });

  it("filters by importance and due date", async () => {
    const client = await connectClient((await signIn()).access_token);
    const high = await allTasks(client, { importance: "high", status: "all", count: 50 });
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((task) => task.importance === "high")).toBe(true);

    const open = await allTasks(client, { count: 50 });
    const dueDates = open.flatMap((task) => (task.due ? [task.due] : [])).sort();
    const middle = dueDates[Math.floor(dueDates.length / 2)]!;
    const dueByMiddle = await allTasks(client, { dueBefore: middle, count: 50 });
    expect(dueByMiddle.length).toBe(dueDates.filter((date) => date <= middle).length);
    expect(dueByMiddle.every((task) => task.due && task.due <= middle)).toBe(true);
    const rendered = text(await call(client, "listTasks", { dueBefore: middle, fresh: true }));
    expect(rendered).toContain(`due by ${middle}`);
  });

  it("reads another list by id and completed tasks are marked [x]", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { lists } = (await call(client, "listTaskLists")).structuredContent as unknown as TaskLists;
    const groceries = lists.find((list) => list.name === "Groceries")!;
    const result = await call(client, "listTasks", { listId: groceries.id, status: "all" });
    const listing = result.structuredContent as unknown as Tasks;
    expect(listing.tasks.map((task) => task.title)).toContain("Coffee beans");
    expect(text(result)).toMatch(/\d\. \[x\] /);
  });

  it("refuses invalid arguments naming the field, and unknown lists are not_found", async () => {
    const client = await connectClient((await signIn()).access_token);
    const count = await call(client, "listTasks", { count: 51 });
    expect(count.isError).toBe(true);
    expect(text(count)).toMatch(/count/);
    const status = await call(client, "listTasks", { status: "done" });
    expect(text(status)).toMatch(/status/);
    const date = await call(client, "listTasks", { dueBefore: "next friday" });
    expect(text(date)).toMatch(/dueBefore/);
    const badId = await call(client, "listTasks", { listId: "../../users/megan" });
    expect(text(badId)).toMatch(/invalid_input.*listId/);
    const cursor = await call(client, "listTasks", { cursor: "https://attacker.example/v1.0/me/todo/lists/x/tasks" });
    expect(text(cursor)).toContain("invalid_input");
    const missing = await call(client, "listTasks", { listId: "AAMkAGnotalist" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("not_found");
    expect((await requestLog()).some((entry) => entry.path.includes("attacker"))).toBe(false);
  });

  it("shows due dates as days of the user's own time zone", async () => {
    // Megan is in Berlin (UTC+1): a task due 2030-03-04 is due at 2030-03-03T23:00 UTC.
    const client = await connectClient((await signIn("megan@contoso.example")).access_token);
    const created = await call(client, "createTask", { title: "Send the Berlin recap", dueDate: "2030-03-04" });
    expect(created.isError, text(created)).toBeFalsy();
    const listing = await tasks(client, { count: 1 });
    expect(listing.tasks[0]).toMatchObject({ title: "Send the Berlin recap", due: "2030-03-04" });
  });

  it("reads To Do's UTC dates as the user's days east of UTC, summer time included, and filters by them", async () => {
    // Graph's To Do answers in UTC whatever Prefer says: Berlin's midnight of 2030-07-15 is 2030-07-14T22:00 UTC.
    const client = await connectClient((await signIn("megan@contoso.example")).access_token);
    const created = await call(client, "createTask", {
      title: "Summer deadline",
      dueDate: "2030-07-15",
      reminder: "2030-07-14T09:30",
    });
    expect(created.isError, text(created)).toBeFalsy();
    const listing = await call(client, "listTasks", { count: 1, fresh: true });
    expect((listing.structuredContent as unknown as Tasks).tasks[0]).toMatchObject({
      title: "Summer deadline",
      due: "2030-07-15",
    });
    expect(text(listing)).toContain("due 2030-07-15 | reminder 2030-07-14T09:30");
    const onTheDay = await allTasks(client, { dueBefore: "2030-07-15", count: 50 });
    expect(onTheDay.map((task) => task.title)).toContain("Summer deadline");
    const dayBefore = await allTasks(client, { dueBefore: "2030-07-14", count: 50 });
    expect(dayBefore.map((task) => task.title)).not.toContain("Summer deadline");
    const reads = (await requestLog()).filter((entry) => entry.path.includes("/todo/lists/"));
    expect(reads.length).toBeGreaterThan(0);
    // The To Do API documents no Prefer header: none is sent.
    expect(reads.every((entry) => !(entry.headers?.prefer ?? "").includes("outlook.timezone"))).toBe(true);
  });
});

describe("createTask", () => {
  it("creates a task with notes, due date, reminder, importance and categories; listTasks shows it", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, "createTask", {
      title: "Draft the partner newsletter",
      notes: "Lead with the summit dates.",
      dueDate: "2030-05-06",
      reminder: "2030-05-06T09:30",
      importance: "high",
      categories: ["Marketing"],
    });
    expect(result.isError, text(result)).toBeFalsy();
    const id = /id: (\S+)/.exec(text(result))?.[1];
    expect(text(result)).toMatch(
      /^Created task "Draft the partner newsletter" \(due 2030-05-06, reminder 2030-05-06T09:30\)/,
    );
    const listed = await call(client, "listTasks", { count: 1, fresh: true });
    const first = (listed.structuredContent as unknown as Tasks).tasks[0]!;
    expect(first).toMatchObject({ id, title: "Draft the partner newsletter", importance: "high", due: "2030-05-06" });
    expect(text(listed)).toContain("reminder 2030-05-06T09:30");
    expect(text(listed)).toContain("Lead with the summit dates.");
    expect(text(listed)).toContain("Marketing");
    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path.endsWith("/tasks"));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.status).toBe(201);
  });

  it("creates in another list and acts once for a repeated idempotency key", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { lists } = (await call(client, "listTaskLists")).structuredContent as unknown as TaskLists;
    const launch = lists.find((list) => list.name === "Q4 product launch")!;
    const args = { title: "Book the launch venue", listId: launch.id, idempotencyKey: "launch-venue-0001" };
    const first = await call(client, "createTask", args);
    const again = await call(client, "createTask", args);
    expect(text(again)).toBe(text(first));
    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path.endsWith("/tasks"));
    expect(posts).toHaveLength(1);
    const listing = await tasks(client, { listId: launch.id, count: 50 });
    expect(listing.tasks.filter((task) => task.title === "Book the launch venue")).toHaveLength(1);
  });

  it("refuses invalid arguments naming the field", async () => {
    const client = await connectClient((await signIn()).access_token);
    const title = await call(client, "createTask", { title: "  " });
    expect(title.isError).toBe(true);
    expect(text(title)).toMatch(/title/);
    const due = await call(client, "createTask", { title: "x", dueDate: "tomorrow" });
    expect(text(due)).toMatch(/dueDate/);
    const reminder = await call(client, "createTask", { title: "x", reminder: "9am" });
    expect(text(reminder)).toMatch(/invalid_input.*reminder/);
    const importance = await call(client, "createTask", { title: "x", importance: "urgent" });
    expect(text(importance)).toMatch(/importance/);
    expect((await requestLog()).some((entry) => entry.path.includes("/todo/"))).toBe(false);
  });
});

describe("updateTask", () => {
  it("completes a task, which leaves the open list, and reopens it", async () => {
    const client = await connectClient((await signIn()).access_token);
    const open = await tasks(client, { count: 10 });
    const target = open.tasks[2]!;
    const done = await call(client, "updateTask", { taskId: target.id, completed: true });
    expect(done.isError, text(done)).toBeFalsy();
    expect(text(done)).toBe(`Updated task "${target.title}": completed. id: ${target.id}`);
    // Without `fresh`: the write invalidated the cached listing.
    const after = (await call(client, "listTasks", { count: 10 })).structuredContent as unknown as Tasks;
    expect(after.tasks.map((task) => task.id)).not.toContain(target.id);
    const completed = await allTasks(client, { status: "completed", count: 50 });
    expect(completed.map((task) => task.id)).toContain(target.id);

    const reopened = await call(client, "updateTask", { taskId: target.id, completed: false });
    expect(text(reopened)).toContain("reopened");
    const back = (await call(client, "listTasks", { count: 10 })).structuredContent as unknown as Tasks;
    expect(back.tasks.map((task) => task.id)).toContain(target.id);
    const patches = (await requestLog()).filter((entry) => entry.method === "PATCH");
    expect(patches.map((entry) => entry.status)).toEqual([200, 200]);
  });

  it("changes title, due date, importance and notes, and removes a due date", async () => {
    const client = await connectClient((await signIn()).access_token);
    const target = (await tasks(client, { count: 1 })).tasks[0]!;
    const result = await call(client, "updateTask", {
      taskId: target.id,
      title: "Send final Q3 numbers",
      dueDate: "2030-01-15",
      importance: "high",
      notes: "Finance needs them by noon.",
    });
    expect(text(result)).toBe(
      `Updated task "Send final Q3 numbers": retitled, due 2030-01-15, high importance, notes replaced. id: ${target.id}`,
    );
    const listing = await call(client, "listTasks", { count: 1, fresh: true });
    expect((listing.structuredContent as unknown as Tasks).tasks[0]).toMatchObject({
      id: target.id,
      title: "Send final Q3 numbers",
      due: "2030-01-15",
      importance: "high",
    });
    expect(text(listing)).toContain("Finance needs them by noon.");
    await call(client, "updateTask", { taskId: target.id, dueDate: null });
    const cleared = (await tasks(client, { count: 1 })).tasks[0]!;
    expect(cleared.id).toBe(target.id);
    expect(cleared.due).toBeUndefined();
  });

  it("refuses an empty update and bad ids; unknown tasks are not_found", async () => {
    const client = await connectClient((await signIn()).access_token);
    const nothing = await call(client, "updateTask", { taskId: "AAMkAGabc" });
    expect(text(nothing)).toMatch(/invalid_input.*completed, title, dueDate, importance, notes/);
    const badId = await call(client, "updateTask", { taskId: "abc/../../x?y", completed: true });
    expect(text(badId)).toMatch(/invalid_input.*taskId/);
    const missing = await call(client, "updateTask", { taskId: "AAMkAGnotatask", completed: true });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("not_found");
    expect((await requestLog()).filter((entry) => entry.method === "PATCH").map((entry) => entry.status)).toEqual([
      404,
    ]);
  });
});

describe("deleteTask", () => {
  it("deletes a task for good; deleting it again is not_found", async () => {
    const client = await connectClient((await signIn()).access_token);
    const target = (await tasks(client, { count: 1 })).tasks[0]!;
    const deleted = await call(client, "deleteTask", { taskId: target.id });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(text(deleted)).toBe(`Deleted task ${target.id}.`);
    const all = await allTasks(client, { status: "all", count: 50 });
    expect(all.map((task) => task.id)).not.toContain(target.id);
    const again = await call(client, "deleteTask", { taskId: target.id });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain("not_found");
    const deletes = (await requestLog()).filter((entry) => entry.method === "DELETE");
    expect(deletes.map((entry) => entry.status)).toEqual([204, 404]);
  });

  it("is marked destructive and idempotent; refuses a bad id", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { tools } = await client.listTools();
    const deleteTool = tools.find((tool) => tool.name === "deleteTask")!;
    // Destructive and not read-only are MCP's defaults, so only idempotentHint is listed.
    expect(deleteTool.annotations).toEqual({ idempotentHint: true });
    const result = await call(client, "deleteTask", { taskId: "x?$batch" });
    expect(text(result)).toMatch(/invalid_input.*taskId/);
  });
});
