/** Changing Microsoft To Do tasks: create, update, delete. */
import type { LinkedResource, TodoTask } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { mailboxTimeZone } from "../shared/mailbox-time-zone.ts";
import { createdSince, readForCheck } from "../shared/once-marker.ts";
import { defineTool, type OnceMarker } from "../spec.ts";
import {
  checkId,
  checkLengths,
  dateInput,
  importanceInput,
  listIdInput,
  path,
  resolveList,
  taskIdInput,
} from "./inputs.ts";

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
    const task = await context.graph.post<TodoTask>(path(list), {
      title,
      ...(notes ? { body: { content: notes, contentType: "text" } } : {}),
      ...(dueDate ? { dueDateTime: { dateTime: `${dueDate}T00:00:00`, timeZone } } : {}),
      ...(reminder ? { reminderDateTime: { dateTime: `${reminder}:00`, timeZone }, isReminderOn: true } : {}),
      ...(importance ? { importance } : {}),
      ...(categories?.length ? { categories } : {}),
      ...(context.once ? { linkedResources: [onceLink(context.once)] } : {}),
    });
    return { text: createdText(title, dueDate, reminder, task.id, list) };
  },
  // Tasks take no extended properties: candidates by title and creation time, confirmed by their linked resource.
  async reconcile({ title, listId, dueDate, reminder }, context) {
    const { graph, once } = context;
    const list = await resolveList(listId, context);
    const page = await readForCheck(
      () =>
        graph.get<{ value: TodoTask[] }>(path(list), {
          query: { $filter: `title eq '${title.replace(/'/g, "''")}'`, $select: "id,createdDateTime", $top: 50 },
        }),
      "Tasks.Read",
    );
    for (const task of page.value.filter((candidate) => createdSince(candidate.createdDateTime, once))) {
      const links = await graph.get<{ value: LinkedResource[] }>(`${path(list, task.id ?? "")}/linkedResources`);
      if (links.value.some((link) => link.externalId === once.value)) {
        return { text: createdText(title, dueDate, reminder, task.id, list) };
      }
    }
    return undefined;
  },
});

/** The linked resource a keyed task is created with: how a later call with the key recognizes it. */
function onceLink(once: OnceMarker): LinkedResource {
  return { applicationName: "m365-mcp-server", displayName: "Created through m365-mcp-server", externalId: once.value };
}

function createdText(
  title: string,
  dueDate: string | undefined,
  reminder: string | undefined,
  id: string | null | undefined,
  list: string,
): string {
  const facts = [dueDate ? `due ${dueDate}` : "", reminder ? `reminder ${reminder}` : ""].filter(Boolean);
  return `Created task "${title}"${facts.length ? ` (${facts.join(", ")})` : ""}. id: ${id} | listId: ${list}`;
}

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
    const task = await context.graph.patch<TodoTask>(path(list, checkId("taskId", taskId)), {
      ...(completed !== undefined ? { status: completed ? "completed" : "notStarted" } : {}),
      ...(title ? { title } : {}),
      ...(dueDate !== undefined ? { dueDateTime: dueDate ? { dateTime: `${dueDate}T00:00:00`, timeZone } : null } : {}),
      ...(importance ? { importance } : {}),
      ...(notes !== undefined ? { body: { content: notes, contentType: "text" } } : {}),
    });
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
