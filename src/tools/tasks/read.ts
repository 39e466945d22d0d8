/** Reading Microsoft To Do: the task lists, and the tasks of one. */
import type { TodoTask, TodoTaskList } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { mailboxTimeZone } from "../shared/mailbox-time-zone.ts";
import { countInput, cursorInput, moreLine, type GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { renderTask, summarize, taskSummary } from "./format.ts";
import type { Zone } from "../calendar/time.ts";
import { checkId, importanceInput, dateInput, listIdInput, path, resolveList, userZone, utcStartOf } from "./inputs.ts";

const TASK_FIELDS = "id,title,status,importance,dueDateTime,reminderDateTime,isReminderOn,categories,body";

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
function taskFilter(status: string, zone: Zone, importance?: string, dueBefore?: string): string | undefined {
  const clauses = [
    status === "open" ? "status ne 'completed'" : status === "completed" ? "status eq 'completed'" : "",
    importance ? `importance eq '${importance}'` : "",
    // To Do compares due dates in UTC; "before the next day's local midnight" includes dueBefore itself.
    dueBefore ? `dueDateTime/dateTime lt '${utcStartOf(nextDay(dueBefore), zone)}'` : "",
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
    const page = await graph.get<GraphPage<TodoTaskList>>("/me/todo/lists", {
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
    status: z.enum(["open", "completed", "all"]).default("open"),
    dueBefore: dateInput.optional().describe("Only tasks due on or before this date"),
    importance: importanceInput.optional().describe("Only this importance"),
    count: countInput(20, 50, "Tasks per page"),
    cursor: cursorInput("nextCursor of the previous call"),
  },
  output: {
    tasks: z.array(taskSummary),
    nextCursor: z.string().optional().describe("Pass as `cursor` to get the next page"),
  },
  scopes: ["Tasks.Read", "MailboxSettings.Read"],
  access: "read",
  cacheKind: "tasks",
  async run({ listId, status, dueBefore, importance, count, cursor }, context) {
    const zone = userZone(await mailboxTimeZone(context));
    // The list is in the cursor (checked to be a tasks link); ids are not repeated in the text: they cost tokens.
    const list = cursor ? listIdOfCursor(cursor) : await resolveList(listId, context);
    const filter = taskFilter(status, zone, importance, dueBefore);
    const page = await context.graph.get<GraphPage<TodoTask>>(cursor ?? path(list), {
      query: cursor ? undefined : { $top: count, $select: TASK_FIELDS, ...(filter ? { $filter: filter } : {}) },
    });
    const tasks = page.value.map((task) => summarize(task, zone));
    const nextCursor = page["@odata.nextLink"];
    const label = cursor
      ? "Tasks"
      : `Tasks (${status}${importance ? `, ${importance} importance` : ""}${dueBefore ? `, due by ${dueBefore}` : ""})`;
    const lines = tasks.length
      ? [`${label}: ${tasks.length} task${tasks.length === 1 ? "" : "s"}.`, ...tasks.flatMap(renderTask)]
      : [`${label}: no tasks.`];
    lines.push(...moreLine(nextCursor, "More tasks"));
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
