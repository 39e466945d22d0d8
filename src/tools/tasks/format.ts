/** Tasks as a model reads them. */
import type { TodoTask } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip } from "../shared/format.ts";
import {
  dateText,
  dateTimeText,
  resolveZone,
  UTC,
  wallFromGraph,
  wallOf,
  instantOf,
  type Zone,
} from "../calendar/time.ts";

const BODY_PREVIEW_CHARS = 80;

export const taskSummary = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  importance: z.string(),
  due: z.string().optional(),
});
/** The structured facts of a task, plus what only the text shows. */
type TaskSummary = z.infer<typeof taskSummary> & { reminder?: string; categories?: string[]; notes?: string };

/** The instant of a dateTimeTimeZone as Graph returns it (To Do: in UTC). */
function instantOfGraph(value: TodoTask["dueDateTime"]): number | undefined {
  const wall = wallFromGraph(value?.dateTime);
  if (!wall) return undefined;
  return instantOf(wall, resolveZone(value?.timeZone ?? "UTC") ?? UTC);
}

/** "2026-11-25": the user's local date of a due date Graph returned (in UTC: a date east of UTC is the evening before). */
export function day(value: TodoTask["dueDateTime"], zone: Zone): string | undefined {
  const instant = instantOfGraph(value);
  return instant === undefined ? undefined : dateText(wallOf(instant, zone));
}

/** "2026-11-25T09:00": a reminder in the user's zone. */
function localTime(value: TodoTask["reminderDateTime"], zone: Zone): string | undefined {
  const instant = instantOfGraph(value);
  return instant === undefined ? undefined : dateTimeText(wallOf(instant, zone)).slice(0, 16);
}

/** A task as a listing shows it, its dates in the user's `zone`. */
export function summarize(task: TodoTask, zone: Zone): TaskSummary {
  const notes = clip(task.body?.content, BODY_PREVIEW_CHARS);
  return {
    id: task.id ?? "",
    title: task.title || "(untitled)",
    status: task.status ?? "notStarted",
    importance: task.importance ?? "normal",
    ...(task.dueDateTime ? { due: day(task.dueDateTime, zone) } : {}),
    ...(task.isReminderOn && task.reminderDateTime?.dateTime
      ? { reminder: localTime(task.reminderDateTime, zone) }
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

/** A task's listing lines: checkbox, title, facts, notes, id. */
export function renderTask(task: TaskSummary, index: number): string[] {
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
