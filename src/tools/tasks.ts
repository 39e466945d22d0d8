import type { TodoTask, TodoTaskList } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../graph/errors.ts";
import { mailboxTimeZone } from "./mailbox-time-zone.ts";
import { defineTool, type ToolContext } from "./spec.ts";
import { clip } from "./format.ts";

/** Graph ids (To Do lists and tasks are Exchange ids): base64 letters only, never `/..` or `?`. */
const ID = /^[A-Za-z0-9_=+/-]{1,512}$/;
const TASK_FIELDS = "id,title,status,importance,dueDateTime,reminderDateTime,isReminderOn,categories,body";
const BODY_PREVIEW_CHARS = 80;
const DEFAULT_LIST_CACHE_SECONDS = 3600;

const listIdInput = z.string().optional().describe("From listTaskLists; default: the Tasks list");
const taskIdInput = z.string().describe("Task id from listTasks");
const dateInput = z.iso.date();
const importanceInput = z.enum(["low", "normal", "high"]);

const taskSummary = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  importance: z.string(),
  due: z.string().optional(),
});
/** The structured facts of a task, plus what only the text shows. */
type TaskSummary = z.infer<typeof taskSummary> & { reminder?: string; categories?: string[]; notes?: string };

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

const MAX_TITLE_CHARS = 255;
const MAX_NOTES_CHARS = 20_000;
const MAX_CATEGORIES = 25;

/** Refuses a title, notes or categories beyond what To Do keeps. */
function checkLengths(title: string | undefined, notes: string | undefined, categories?: string[]): void {
  if (categories && categories.length > MAX_CATEGORIES) {
    throw new ToolError("invalid_input", `categories: ${categories.length} given; at most ${MAX_CATEGORIES}.`);
  }
  if (title !== undefined && title.length > MAX_TITLE_CHARS) {
    throw new ToolError("invalid_input", `title: ${title.length} characters; at most ${MAX_TITLE_CHARS}.`);
  }
  if (notes !== undefined && notes.length > MAX_NOTES_CHARS) {
    throw new ToolError("invalid_input", `notes: ${notes.length} characters; at most ${MAX_NOTES_CHARS}.`);
  }
}

/** An id safe to put in a Graph path, or a refusal naming the field. */
function checkId(field: string, id: string): string {
  if (!ID.test(id)) {
    throw new ToolError(
      "invalid_input",
      `${field}: "${id.slice(0, 60)}" is not a To Do id; use an id from listTaskLists or listTasks.`,
    );
  }
  return id;
}

function path(listId: string, taskId?: string): string {
  const list = `/me/todo/lists/${encodeURIComponent(listId)}/tasks`;
  return taskId ? `${list}/${encodeURIComponent(taskId)}` : list;
}

function preferZone(timeZone: string): Record<string, string> {
  return { Prefer: `outlook.timezone="${timeZone}"` };
}

/** The id of the default "Tasks" list (wellknownListName defaultList). */
async function defaultListId({ graph, cache }: ToolContext): Promise<string> {
  return cache.read("todo:defaultList", DEFAULT_LIST_CACHE_SECONDS, async () => {
    const page = await graph.get<Page<TodoTaskList>>("/me/todo/lists", {
      query: { $select: "id,wellknownListName", $top: 100 },
    });
    const list = page.value.find((candidate) => candidate.wellknownListName === "defaultList");
    if (!list?.id) throw new ToolError("not_found", "This account has no default To Do list (Tasks).");
    return list.id;
  });
}

async function resolveList(listId: string | undefined, context: ToolContext): Promise<string> {
  return listId === undefined ? defaultListId(context) : checkId("listId", listId);
}

/** "2026-11-25" from a dateTimeTimeZone Graph returned in the user's zone. */
function day(value: TodoTask["dueDateTime"]): string | undefined {
  return value?.dateTime ? value.dateTime.slice(0, 10) : undefined;
}

function summarize(task: TodoTask): TaskSummary {
  const notes = clip(task.body?.content, BODY_PREVIEW_CHARS);
  return {
    id: task.id ?? "",
    title: task.title || "(untitled)",
    status: task.status ?? "notStarted",
    importance: task.importance ?? "normal",
    ...(task.dueDateTime ? { due: day(task.dueDateTime) } : {}),
    ...(task.isReminderOn && task.reminderDateTime?.dateTime
      ? { reminder: task.reminderDateTime.dateTime.slice(0, 16) }
      : {}),
    ...(task.categories?.length ? { categories: task.categories } : {}),
    ...(notes ? { notes } : {}),
  };
}

const STATUS_LABELS: Record<string, string> = {
  inProgress: "in progress",
  waitingOnOthers: "waiting on others",
  deferred: "deferred",
};

function renderTask(task: TaskSummary, index: number): string[] {
  const facts = [
    task.due ? `due ${task.due}` : "",
    task.importance === "high" ? "high" : "",
    STATUS_LABELS[task.status] ?? "",
    task.reminder ? `reminder ${task.reminder}` : "",
    task.categories?.join(", ") ?? "",
  ].filter(Boolean);
  const lines = [
    `${index + 1}. [${task.status === "completed" ? "x" : " "}] ${task.title}${facts.length ? ` | ${facts.join(" | ")}` : ""}`,
  ];
  if (task.notes) lines.push(`   ${task.notes}`);
  lines.push(`   id: ${task.id}`);
  return lines;
}

/** The list id inside a tasks nextLink (…/todo/lists/{id}/tasks?…). */
function listIdOfCursor(cursor: string): string {
  const match = /\/todo\/lists\/([^/?]+)\/tasks(?:\?|$)/i.exec(cursor);
  try {
    if (match?.[1]) return checkId("cursor", decodeURIComponent(match[1]));
  } catch {
    // A malformed escape: refused below like any other foreign cursor.
  }
  throw new ToolError("invalid_input", "cursor: not a listTasks cursor; pass back nextCursor exactly as returned.");
}

/** The $filter for a status, importance and due-date choice. */
function taskFilter(status: string, importance?: string, dueBefore?: string): string | undefined {
  const clauses = [
    status === "open" ? "status ne 'completed'" : status === "completed" ? "status eq 'completed'" : "",
    importance ? `importance eq '${importance}'` : "",
    // Due dates come back in the user's zone (Prefer header); "before the next day" includes dueBefore itself.
    dueBefore ? `dueDateTime/dateTime lt '${nextDay(dueBefore)}T00:00:00'` : "",
  ].filter(Boolean);
  return clauses.length ? clauses.join(" and ") : undefined;
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 24 * 3600 * 1000).toISOString().slice(0, 10);
}

export const listTaskLists = defineTool({
  name: "listTaskLists",
  title: "List To Do lists",
  description: "List the user's Microsoft To Do task lists with ids; listTasks shows the tasks of one.",
  input: {},
  output: {
    lists: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), isOwner: z.boolean() })),
  },
  scopes: ["Tasks.Read"],
  access: "read",
  cacheKind: "tasks",
  async run(_args, { graph }) {
    const page = await graph.get<Page<TodoTaskList>>("/me/todo/lists", {
      query: { $select: "id,displayName,isOwner,isShared,wellknownListName", $top: 100 },
    });
    const lists = page.value.map((list) => ({
      id: list.id ?? "",
      name: list.displayName ?? "",
      kind: list.wellknownListName ?? "none",
      isOwner: list.isOwner ?? true,
    }));
    const kinds: Record<string, string> = { defaultList: "default", flaggedEmails: "flagged email" };
    const lines = [`${lists.length} task list${lists.length === 1 ? "" : "s"}:`];
    lists.forEach((list, index) => {
      const shared = page.value[index]?.isShared;
      const marks = [kinds[list.kind] ?? "", shared ? (list.isOwner ? "shared by you" : "shared with you") : ""].filter(
        Boolean,
      );
      lines.push(`${index + 1}. ${list.name}${marks.length ? ` (${marks.join(", ")})` : ""} | id: ${list.id}`);
    });
    if (page["@odata.nextLink"]) lines.push("More lists exist than shown (100).");
    return { text: lines.join("\n"), structured: { lists } };
  },
});

export const listTasks = defineTool({
  name: "listTasks",
  title: "List To Do tasks",
  description:
    "List tasks of a Microsoft To Do list (default: Tasks), open ones unless status says otherwise, with due dates and ids.",
  input: {
    listId: listIdInput,
    status: z.enum(["open", "completed", "all"]).default("open").describe("Default open"),
    dueBefore: dateInput.optional().describe("Only tasks due on or before this date"),
    importance: importanceInput.optional().describe("Only this importance"),
    count: z.number().int().min(1).max(50).default(20).describe("Tasks per page"),
    cursor: z.string().optional().describe("nextCursor of the previous call"),
  },
  output: {
    tasks: z.array(taskSummary),
    nextCursor: z.string().optional().describe("Pass as `cursor` to get the next page"),
  },
  scopes: ["Tasks.Read", "MailboxSettings.Read"],
  access: "read",
  cacheKind: "tasks",
  async run({ listId, status, dueBefore, importance, count, cursor }, context) {
    const timeZone = await mailboxTimeZone(context);
    // The list is in the cursor (checked to be a tasks link); ids are not repeated in the text: they cost tokens.
    const list = cursor ? listIdOfCursor(cursor) : await resolveList(listId, context);
    const filter = taskFilter(status, importance, dueBefore);
    const page = await context.graph.get<Page<TodoTask>>(cursor ?? path(list), {
      headers: preferZone(timeZone),
      query: cursor ? undefined : { $top: count, $select: TASK_FIELDS, ...(filter ? { $filter: filter } : {}) },
    });
    const tasks = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    const label = cursor
      ? "Tasks"
      : `Tasks (${status}${importance ? `, ${importance} importance` : ""}${dueBefore ? `, due by ${dueBefore}` : ""})`;
    const lines = tasks.length
      ? [`${label}: ${tasks.length} task${tasks.length === 1 ? "" : "s"}.`, ...tasks.flatMap(renderTask)]
      : [`${label}: no tasks.`];
    if (nextCursor) lines.push(`More tasks: call again with cursor "${nextCursor}".`);
    return {
      text: lines.join("\n"),
      structured: {
        tasks: tasks.map(({ id, title, status, importance, due }) => ({
          id,
          title,
          status,
          importance,
          ...(due ? { due } : {}),
        })),
        ...(nextCursor ? { nextCursor } : {}),
      },
    };
  },
});

export const createTask = defineTool({
  name: "createTask",
  title: "Create To Do task",
  description:
    "Add a task to Microsoft To Do (default list: Tasks) with optional notes, due date, reminder and importance.",
  input: {
    title: z.string().trim().min(1).describe("What needs doing"),
    listId: listIdInput,
    notes: z.string().optional().describe("Details, plain text"),
    dueDate: dateInput.optional().describe("Due date"),
    reminder: z.string().optional().describe("Reminder time YYYY-MM-DDTHH:MM, user's time zone"),
    importance: importanceInput.optional().describe("Default normal"),
    categories: z.array(z.string()).optional().describe("Category names"),
  },
  scopes: ["Tasks.ReadWrite", "MailboxSettings.Read"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["tasks"],
  async run({ title, listId, notes, dueDate, reminder, importance, categories }, context) {
    checkLengths(title, notes, categories);
    if (reminder !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(reminder)) {
      throw new ToolError(
        "invalid_input",
        `reminder: "${reminder.slice(0, 40)}" is not a local time YYYY-MM-DDTHH:MM.`,
      );
    }
    const timeZone = dueDate || reminder ? await mailboxTimeZone(context) : "UTC";
    const list = await resolveList(listId, context);
    const task = await context.graph.post<TodoTask>(
      path(list),
      {
        title,
        ...(notes ? { body: { content: notes, contentType: "text" } } : {}),
        ...(dueDate ? { dueDateTime: { dateTime: `${dueDate}T00:00:00`, timeZone } } : {}),
        ...(reminder ? { reminderDateTime: { dateTime: `${reminder}:00`, timeZone }, isReminderOn: true } : {}),
        ...(importance ? { importance } : {}),
        ...(categories?.length ? { categories } : {}),
      },
      { headers: preferZone(timeZone) },
    );
    const facts = [dueDate ? `due ${dueDate}` : "", reminder ? `reminder ${reminder}` : ""].filter(Boolean);
    return {
      text: `Created task "${title}"${facts.length ? ` (${facts.join(", ")})` : ""}. id: ${task.id} | listId: ${list}`,
    };
  },
});

export const updateTask = defineTool({
  name: "updateTask",
  title: "Update To Do task",
  description:
    "Complete, reopen or edit a Microsoft To Do task (title, due date, importance, notes). Only the fields given change.",
  input: {
    taskId: taskIdInput,
    listId: listIdInput,
    completed: z.boolean().optional().describe("true: mark done; false: reopen"),
    title: z.string().trim().min(1).optional().describe("New title"),
    dueDate: dateInput.nullable().optional().describe("New due date; null removes it"),
    importance: importanceInput.optional().describe("New importance"),
    notes: z.string().optional().describe("New details, replacing the old"),
  },
  scopes: ["Tasks.ReadWrite", "MailboxSettings.Read"],
  access: "write",
  idempotent: true,
  invalidates: ["tasks"],
  async run({ taskId, listId, completed, title, dueDate, importance, notes }, context) {
    checkLengths(title, notes);
    if (completed === undefined && !title && dueDate === undefined && !importance && notes === undefined) {
      throw new ToolError(
        "invalid_input",
        "Nothing to change: give at least one of completed, title, dueDate, importance, notes.",
      );
    }
    const timeZone = dueDate ? await mailboxTimeZone(context) : "UTC";
    const list = await resolveList(listId, context);
    const task = await context.graph.patch<TodoTask>(
      path(list, checkId("taskId", taskId)),
      {
        ...(completed !== undefined ? { status: completed ? "completed" : "notStarted" } : {}),
        ...(title ? { title } : {}),
        ...(dueDate !== undefined
          ? { dueDateTime: dueDate ? { dateTime: `${dueDate}T00:00:00`, timeZone } : null }
          : {}),
        ...(importance ? { importance } : {}),
        ...(notes !== undefined ? { body: { content: notes, contentType: "text" } } : {}),
      },
      { headers: preferZone(timeZone) },
    );
    const changes = [
      completed === true ? "completed" : completed === false ? "reopened" : "",
      title ? "retitled" : "",
      dueDate ? `due ${dueDate}` : dueDate === null ? "due date removed" : "",
      importance ? `${importance} importance` : "",
      notes !== undefined ? "notes replaced" : "",
    ].filter(Boolean);
    return { text: `Updated task "${task.title ?? title ?? ""}": ${changes.join(", ")}. id: ${task.id ?? taskId}` };
  },
});

export const deleteTask = defineTool({
  name: "deleteTask",
  title: "Delete To Do task",
  description:
    "Delete a Microsoft To Do task permanently. To finish a task, use updateTask with completed: true instead.",
  input: { taskId: taskIdInput, listId: listIdInput },
  scopes: ["Tasks.ReadWrite"],
  access: "write",
  destructive: true,
  idempotent: true,
  invalidates: ["tasks"],
  async run({ taskId, listId }, context) {
    const list = await resolveList(listId, context);
    await context.graph.delete(path(list, checkId("taskId", taskId)));
    return { text: `Deleted task ${taskId}.` };
  },
});

export const taskTools = [listTaskLists, listTasks, createTask, updateTask, deleteTask];
