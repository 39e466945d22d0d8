/** Events, calendars and free/busy as a model reads them. */
import type { Event, ScheduleInformation } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { timeRange } from "./time.ts";

const BODY_CHARS = 4000;

export const RESPONSE_WORDS: Record<string, string> = {
  organizer: "organizer",
  accepted: "accepted",
  tentativelyAccepted: "tentative",
  declined: "declined",
  notResponded: "not answered",
  none: "not answered",
};

export const eventSummary = z.object({
  id: z.string(),
  subject: z.string(),
  start: z.string(),
  end: z.string(),
  allDay: z.boolean(),
  location: z.string(),
  organizer: z.string(),
  response: z.string(),
  marks: z.array(z.string()),
});
export type EventSummary = z.infer<typeof eventSummary>;

/** An event as a listing shows it. */
export function summarize(event: Event): EventSummary {
  return {
    id: event.id ?? "",
    subject: event.subject || "(no subject)",
    start: (event.start?.dateTime ?? "").slice(0, 16),
    end: (event.end?.dateTime ?? "").slice(0, 16),
    allDay: event.isAllDay ?? false,
    location: event.location?.displayName ?? "",
    organizer: event.organizer?.emailAddress?.name || event.organizer?.emailAddress?.address || "",
    response: event.responseStatus?.response ?? "none",
    marks: [
      event.isOnlineMeeting ? "Teams" : "",
      event.type === "occurrence" || event.type === "exception" || event.type === "seriesMaster" ? "recurring" : "",
      event.isCancelled ? "cancelled" : "",
    ].filter(Boolean),
  };
}

/** One numbered listing line: when, what, where, who, marks, id. */
export function eventLine(event: EventSummary, index: number): string {
  const who =
    event.response === "organizer"
      ? "organizer: me"
      : `by ${event.organizer}, ${RESPONSE_WORDS[event.response] ?? event.response}`;
  return [
    `${index + 1}. ${timeRange(event.start, event.end, event.allDay)}`,
    event.subject,
    event.location,
    who,
    ...event.marks,
    `id: ${event.id}`,
  ]
    .filter(Boolean)
    .join(" | ");
}

const attendeeSummary = z.object({ address: z.string(), type: z.string(), response: z.string() });

export const eventDetailsOutput = {
  id: z.string(),
  subject: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  allDay: z.boolean(),
  location: z.string(),
  organizer: z.string(),
  response: z.string(),
  joinUrl: z.string().optional(),
  recurrence: z.string().optional(),
  seriesMasterId: z.string().optional(),
  attendees: z.array(attendeeSummary),
  body: z.string(),
};
export type EventDetails = z.infer<z.ZodObject<typeof eventDetailsOutput>>;

/** The text of a body as Graph gives it for `outlook.body-content-type="text"`, tidied and bounded. */
export function bodyText(content: string | null | undefined, joinUrl: string | undefined): string {
  let text = content ?? "";
  // The Teams block Exchange appends repeats the join link the result already gives.
  if (joinUrl) text = text.replace(/_{10,}\s*\n\s*Microsoft Teams meeting\s*\n[\s\S]*$/, "");
  text = text
    .replace(/_{10,}/g, "")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS)}… (truncated)` : text;
}

export const calendarSummary = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  owner: z.string(),
  canEdit: z.boolean(),
  isDefault: z.boolean(),
});
export type CalendarSummary = z.infer<typeof calendarSummary>;

const SHORT_DAYS: Record<string, string> = {
  sunday: "Sun",
  monday: "Mon",
  tuesday: "Tue",
  wednesday: "Wed",
  thursday: "Thu",
  friday: "Fri",
  saturday: "Sat",
};

/** "Mon–Fri 08:00–17:00 Pacific Standard Time", or "" when the schedule has no working hours. */
export function workingHoursText(schedule: ScheduleInformation): string {
  const hours = schedule.workingHours;
  if (!hours?.startTime || !hours.endTime) return "";
  const days = (hours.daysOfWeek ?? []).map((day) => SHORT_DAYS[day] ?? day);
  const span = days.join(",") === "Mon,Tue,Wed,Thu,Fri" ? "Mon–Fri" : days.join(",");
  return `${span} ${hours.startTime.slice(0, 5)}–${hours.endTime.slice(0, 5)} ${hours.timeZone?.name ?? ""}`.trim();
}

export interface BusyBlock {
  start: string;
  end: string;
  status: string;
}

const STATUS_RANK: Record<string, number> = { tentative: 1, workingElsewhere: 1, busy: 2, oof: 3 };

/** Busy items merged where they overlap, keeping the stronger status. */
export function busyBlocks(schedule: ScheduleInformation): BusyBlock[] {
  const items = (schedule.scheduleItems ?? [])
    .filter((item) => item.status && item.status !== "free")
    .map((item) => ({
      start: (item.start?.dateTime ?? "").slice(0, 16),
      end: (item.end?.dateTime ?? "").slice(0, 16),
      status: item.status as string,
    }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const blocks: BusyBlock[] = [];
  for (const item of items) {
    const last = blocks.at(-1);
    if (last && item.start <= last.end && item.status === last.status) {
      if (item.end > last.end) last.end = item.end;
    } else if (last && item.start < last.end && (STATUS_RANK[item.status] ?? 2) <= (STATUS_RANK[last.status] ?? 2)) {
      if (item.end > last.end) blocks.push({ start: last.end, end: item.end, status: item.status });
    } else {
      blocks.push({ ...item });
    }
  }
  return blocks;
}
