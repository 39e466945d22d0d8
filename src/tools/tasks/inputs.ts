/** To Do arguments as Graph takes them: list and task ids, the default list, lengths To Do keeps. */
import type { TodoTaskList } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { isId } from "../shared/ids.ts";
import type { GraphPage } from "../shared/paging.ts";
import type { ToolContext } from "../spec.ts";
import { instantOf, resolveZone, UTC, type Zone } from "../calendar/time.ts";

const DEFAULT_LIST_CACHE_SECONDS = 3600;

export const listIdInput = z.string().optional().describe("From listTaskLists; default: the Tasks list");
export const taskIdInput = z.string().describe("Task id from listTasks");
export const dateInput = z.iso.date();
export const importanceInput = z.enum(["low", "normal", "high"]);

const MAX_TITLE_CHARS = 255;
const MAX_NOTES_CHARS = 20_000;
const MAX_CATEGORIES = 25;

/** Refuses a title, notes or categories beyond what To Do keeps. */
export function checkLengths(title: string | undefined, notes: string | undefined, categories?: string[]): void {
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
export function checkId(field: string, id: string): string {
  if (!isId("exchange", id)) {
    throw new ToolError(
      "invalid_input",
      `${field}: "${id.slice(0, 60)}" is not a To Do id; use an id from listTaskLists or listTasks.`,
    );
  }
  return id;
}

/** The Graph path of a list's tasks, or of one task in it. */
export function path(listId: string, taskId?: string): string {
  const list = `/me/todo/lists/${encodeURIComponent(listId)}/tasks`;
  return taskId ? `${list}/${encodeURIComponent(taskId)}` : list;
}

/**
 * The user's mailbox zone, for reading To Do's dates: the To Do API takes no
 * `Prefer: outlook.timezone` and answers due dates and reminders in UTC, so
 * they are moved into the user's zone here. UTC for a zone it cannot read.
 */
export function userZone(timeZone: string): Zone {
  return resolveZone(timeZone) ?? UTC;
}

/**
 * The UTC dateTime a $filter on dueDateTime/dateTime compares with for
 * "due before `date` in the user's zone": that day's local midnight, in UTC
 * (To Do keeps a due date as the local midnight it was set for).
 */
export function utcStartOf(date: string, zone: Zone): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(instantOf({ year, month, day, hour: 0, minute: 0, second: 0 }, zone)).toISOString().slice(0, 19);
}

/** The id of the default "Tasks" list (wellknownListName defaultList). */
async function defaultListId({ graph, cache }: ToolContext): Promise<string> {
  return cache.read("todo:defaultList", DEFAULT_LIST_CACHE_SECONDS, async () => {
    const page = await graph.get<GraphPage<TodoTaskList>>("/me/todo/lists", {
      query: { $select: "id,wellknownListName", $top: 100 },
    });
    const list = page.value.find((candidate) => candidate.wellknownListName === "defaultList");
    if (!list?.id) throw new ToolError("not_found", "This account has no default To Do list (Tasks).");
    return list.id;
  });
}

/** A checked list id, or the default list's when none is given. */
export async function resolveList(listId: string | undefined, context: ToolContext): Promise<string> {
  return listId === undefined ? defaultListId(context) : checkId("listId", listId);
}
