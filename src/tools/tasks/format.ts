/** Tasks as a model reads them. */
import type { TodoTask } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip } from "../shared/format.ts";

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

/** "2026-11-25" from a dateTimeTimeZone Graph returned in the user's zone. */
export function day(value: TodoTask["dueDateTime"]): string | undefined {
  return value?.dateTime ? value.dateTime.slice(0, 10) : undefined;
}

/** A task as a listing shows it. */
export function summarize(task: TodoTask): TaskSummary {
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
