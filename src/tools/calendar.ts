/**
 * Calendar tools: events in a range (series expanded), one event in full,
 * create / update / delete / respond, free/busy and meeting suggestions, the
 * calendar list; and the `microsoft://calendars` and `microsoft://events/{id}`
 * resources. Times are local to the user's mailbox time zone unless a
 * `timeZone` (IANA or Windows) is given; Graph is asked for that zone with
 * `Prefer: outlook.timezone`.
 */
import type {
  Attendee,
  Calendar,
  Event,
  MeetingTimeSuggestionsResult,
  ScheduleInformation,
} from "@microsoft/microsoft-graph-types";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { GraphClient } from "../graph/client.ts";
import { GraphError, ToolError, toolErrorFromGraph } from "../graph/errors.ts";
import {
  addDays,
  clockOf,
  dateText,
  dateTimeText,
  dayLabel,
  instantOf,
  parseWhen,
  resolveZone,
  startOfToday,
  timeRange,
  UTC,
  wallFromGraph,
  wallOf,
  zoneArgument,
  type When,
  type Zone,
} from "./calendar-time.ts";
import { describeRecurrence, recurrenceFromRule } from "./calendar-recurrence.ts";
import { mailboxTimeZone } from "./mailbox-time-zone.ts";
import { defineTool, type ToolContext } from "./spec.ts";
import { formatAddress } from "./format.ts";

const READ = ["Calendars.Read", "MailboxSettings.Read"];
const WRITE = ["Calendars.ReadWrite", "MailboxSettings.Read"];
const LIST_FIELDS =
  "subject,start,end,isAllDay,location,organizer,isOnlineMeeting,responseStatus,type,isCancelled,showAs";
const EVENT_FIELDS =
  "subject,body,start,end,isAllDay,location,organizer,attendees,isOnlineMeeting,onlineMeeting,responseStatus,recurrence,seriesMasterId,type,showAs,isCancelled,importance,sensitivity,categories";
const BODY_CHARS = 4000;
const DAY_MS = 86_400_000;
/** Graph ids are base64-like; nothing else may reach a path (no `/..`, no `?`). */
const GRAPH_ID = /^[A-Za-z0-9_=+/-]{1,512}$/;

const RESPONSE_WORDS: Record<string, string> = {
  organizer: "organizer",
  accepted: "accepted",
  tentativelyAccepted: "tentative",
  declined: "declined",
  notResponded: "not answered",
  none: "not answered",
};

function idSegment(value: string, field = "id"): string {
  if (!GRAPH_ID.test(value) || /^[.=]+$/.test(value)) {
    throw new ToolError(
      "invalid_input",
      `${field}: "${value.slice(0, 80)}" is not a Microsoft Graph id; pass an id exactly as a previous result gave it.`,
    );
  }
  return encodeURIComponent(value);
}

/** The mailbox's time zone (cached an hour); UTC when the mailbox has none or its setting cannot be read. */
async function mailboxZone(context: ToolContext): Promise<Zone> {
  return resolveZone(await mailboxTimeZone(context)) || UTC;
}

async function zoneFor(timeZone: string | undefined, context: ToolContext): Promise<Zone> {
  return timeZone ? zoneArgument(timeZone) : mailboxZone(context);
}

function prefer(zone: Zone, textBody = false): Record<string, string> {
  return {
    Prefer: `outlook.timezone="${zone.graph}"${textBody ? ', outlook.body-content-type="text"' : ""}`,
  };
}

/** A range's end: a date alone means the whole of that day. */
function rangeEnd(text: string, field: string, zone: Zone): When {
  const when = parseWhen(text, field, zone);
  if (!when.dateOnly) return when;
  const wall = addDays(when.wall, 1);
  return { wall, instant: instantOf(wall, zone), dateOnly: true };
}

/** [start, end) of a range argument pair, with defaults, checked. */
function readRange(
  args: { start?: string; end?: string },
  zone: Zone,
  defaults: { start: () => When; days: number },
  maxDays?: number,
): { start: When; end: When } {
  const start = args.start ? parseWhen(args.start, "start", zone) : defaults.start();
  const end = args.end
    ? rangeEnd(args.end, "end", zone)
    : (() => {
        const wall = addDays(start.wall, defaults.days);
        return { wall, instant: instantOf(wall, zone), dateOnly: start.dateOnly };
      })();
  if (end.instant <= start.instant) throw new ToolError("invalid_input", "end: must be after start.");
  if (maxDays && end.instant - start.instant > maxDays * DAY_MS) {
    throw new ToolError("invalid_input", `end: at most ${maxDays} days after start.`);
  }
  return { start, end };
}

function graphTime(when: When, zone: Zone): { dateTime: string; timeZone: string } {
  return { dateTime: dateTimeText(when.wall), timeZone: zone.graph };
}

/** A window edge for findMeetingTimes and getSchedule, in UTC: every Exchange takes that zone. */
function utcTime(when: When): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(when.instant).toISOString().slice(0, 19), timeZone: "UTC" };
}

// ---------------------------------------------------------------------------
// Shared zod pieces

const timeZoneInput = z.string().optional().describe("IANA or Windows zone; default the user's");
const idInput = z.string().describe("Event id");
const calendarIdInput = z.string().optional().describe("From listCalendars; default the main calendar");
const emailList = z.array(z.email());

// ---------------------------------------------------------------------------
// getCalendarEvents

const eventSummary = z.object({
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
type EventSummary = z.infer<typeof eventSummary>;

interface EventPage {
  value: Event[];
  "@odata.nextLink"?: string;
}

function summarize(event: Event): EventSummary {
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

function eventLine(event: EventSummary, index: number): string {
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

export const getCalendarEvents = defineTool({
  name: "getCalendarEvents",
  title: "List calendar events",
  description:
    "List calendar events in a date range (default the next 7 days), recurring ones expanded; getCalendarEvent has the details.",
  input: {
    start: z.string().optional().describe("Date or date-time, e.g. 2026-11-23; default today"),
    end: z.string().optional().describe("Last day or date-time; default start + 7 days"),
    timeZone: timeZoneInput,
    calendarId: calendarIdInput,
    count: z.number().int().min(1).max(50).default(20).describe("Events per page"),
    cursor: z.string().optional().describe("nextCursor of the previous call"),
  },
  output: {
    timeZone: z.string(),
    events: z.array(eventSummary),
    nextCursor: z.string().optional().describe("Pass as `cursor` to get the next page"),
  },
  scopes: READ,
  access: "read",
  cacheKind: "calendar",
  async run({ start, end, timeZone, calendarId, count, cursor }, context) {
    const zone = await zoneFor(timeZone, context);
    const range = readRange({ start, end }, zone, { start: () => startOfToday(zone), days: 7 });
    const path = calendarId ? `/me/calendars/${idSegment(calendarId, "calendarId")}/calendarView` : "/me/calendarView";
    const page = await context.graph.get<EventPage>(cursor ?? path, {
      headers: prefer(zone),
      query: cursor
        ? undefined
        : {
            startDateTime: new Date(range.start.instant).toISOString(),
            endDateTime: new Date(range.end.instant).toISOString(),
            $select: LIST_FIELDS,
            $orderby: "start/dateTime",
            $top: count,
          },
    });
    const events = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    const heading = `Calendar ${dateText(range.start.wall)} ${clockOf(dateTimeText(range.start.wall))} → ${dateText(range.end.wall)} ${clockOf(dateTimeText(range.end.wall))} (${zone.name})`;
    const lines = events.length
      ? [
          `${heading}: ${events.length} event${events.length === 1 ? "" : "s"}${cursor ? " (next page)" : ""}.`,
          ...events.map(eventLine),
        ]
      : [`${heading}: no events.`];
    if (nextCursor) lines.push(`More: call again with cursor "${nextCursor}".`);
    return {
      text: lines.join("\n"),
      structured: { timeZone: zone.name, events, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

// ---------------------------------------------------------------------------
// getCalendarEvent

const attendeeSummary = z.object({ address: z.string(), type: z.string(), response: z.string() });

const eventDetailsOutput = {
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
type EventDetails = z.infer<z.ZodObject<typeof eventDetailsOutput>>;

/** The text of a body as Graph gives it for `outlook.body-content-type="text"`, tidied and bounded. */
function bodyText(content: string | null | undefined, joinUrl: string | undefined): string {
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

/** One event in full: the structured facts and their text rendering. */
async function readEvent(graph: GraphClient, id: string, zone: Zone): Promise<{ details: EventDetails; text: string }> {
  const event = await graph.get<Event>(`/me/events/${idSegment(id)}`, {
    headers: prefer(zone, true),
    query: { $select: EVENT_FIELDS },
  });
  let recurrence = event.recurrence;
  if (!recurrence && event.seriesMasterId) {
    // An occurrence carries no pattern; its series master does.
    const master = await graph.get<Event>(`/me/events/${idSegment(event.seriesMasterId, "seriesMasterId")}`, {
      query: { $select: "recurrence" },
    });
    recurrence = master.recurrence;
  }
  const words = describeRecurrence(recurrence);
  const attendees: Attendee[] = event.attendees ?? [];
  const details: EventDetails = {
    id: event.id ?? id,
    subject: event.subject || "(no subject)",
    start: (event.start?.dateTime ?? "").slice(0, 16),
    end: (event.end?.dateTime ?? "").slice(0, 16),
    timeZone: zone.name,
    allDay: event.isAllDay ?? false,
    location: event.location?.displayName ?? "",
    organizer: formatAddress(event.organizer?.emailAddress),
    response: event.responseStatus?.response ?? "none",
    ...(event.onlineMeeting?.joinUrl ? { joinUrl: event.onlineMeeting.joinUrl } : {}),
    ...(words ? { recurrence: words } : {}),
    ...(event.seriesMasterId ? { seriesMasterId: event.seriesMasterId } : {}),
    attendees: attendees.map((attendee) => ({
      address: attendee.emailAddress?.address ?? "",
      type: attendee.type ?? "required",
      response: attendee.status?.response ?? "none",
    })),
    body: bodyText(event.body?.content, event.onlineMeeting?.joinUrl ?? undefined),
  };
  const lines = [
    `${event.isCancelled ? "CANCELLED: " : ""}${details.subject}`,
    `When: ${timeRange(details.start, details.end, details.allDay)} (${details.timeZone})`,
    ...(details.location ? [`Where: ${details.location}`] : []),
    `Organizer: ${details.organizer}${details.response === "organizer" ? " (me)" : ""}`,
    `My response: ${RESPONSE_WORDS[details.response] ?? details.response}; shown as ${event.showAs ?? "busy"}`,
    ...(details.joinUrl ? [`Teams: ${details.joinUrl}`] : []),
    ...(details.recurrence ? [`Repeats: ${details.recurrence}`] : []),
    ...(details.seriesMasterId ? [`Occurrence of series ${details.seriesMasterId}`] : []),
  ];
  if (attendees.length) {
    lines.push(`Attendees (${attendees.length}):`);
    for (const attendee of attendees) {
      const response = attendee.status?.response ?? "none";
      const type = attendee.type && attendee.type !== "required" ? ` (${attendee.type})` : "";
      lines.push(`- ${formatAddress(attendee.emailAddress)}${type}: ${RESPONSE_WORDS[response] ?? response}`);
    }
  }
  lines.push(`id: ${details.id}`);
  if (details.body) lines.push("", details.body);
  return { details, text: lines.join("\n") };
}

export const getCalendarEvent = defineTool({
  name: "getCalendarEvent",
  title: "Read calendar event",
  description: "Read one calendar event in full: attendees and their answers, description, Teams link, recurrence.",
  input: { id: idInput, timeZone: timeZoneInput },
  output: eventDetailsOutput,
  scopes: READ,
  access: "read",
  cacheKind: "calendar",
  async run({ id, timeZone }, context) {
    const { details, text } = await readEvent(context.graph, id, await zoneFor(timeZone, context));
    return { text, structured: details };
  },
});

// ---------------------------------------------------------------------------
// createCalendarEvent / updateCalendarEvent

const eventFields = {
  subject: z.string().min(1).max(255),
  start: z.string().describe("Local, e.g. 2026-11-23T09:30 (a date if all-day)"),
  end: z.string().optional().describe("Default start + 30 min; all-day: last day"),
  timeZone: timeZoneInput,
  attendees: emailList.optional().describe("Required attendees"),
  optionalAttendees: emailList.optional(),
  location: z.string().optional(),
  body: z.string().max(100_000).optional().describe("Plain-text description"),
  isOnlineMeeting: z.boolean().optional().describe("Add a Teams link"),
  recurrence: z.string().optional().describe("RRULE, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10"),
  reminderMinutes: z.number().int().min(0).optional(),
  showAs: z.enum(["free", "tentative", "busy", "oof", "workingElsewhere"]).optional(),
  isAllDay: z.boolean().optional(),
};

type EventArgs = {
  [K in keyof typeof eventFields]?: z.infer<(typeof eventFields)[K]>;
};

/** Start and end for Graph from the arguments (and, for an update, the event's current times). */
function eventTimes(
  args: EventArgs,
  zone: Zone,
  isAllDay: boolean,
  current?: { start: When; end: When },
): { start: When; end: When } {
  let start = args.start ? parseWhen(args.start, "start", zone) : current?.start;
  if (!start) throw new ToolError("invalid_input", "start: required.");
  if (isAllDay) {
    if (start.wall.hour || start.wall.minute || start.wall.second) {
      throw new ToolError("invalid_input", "start: an all-day event takes a date, e.g. 2026-11-23.");
    }
    start = { ...start, dateOnly: true };
  } else if (start.dateOnly && args.start) {
    throw new ToolError(
      "invalid_input",
      "start: give a time (2026-11-23T09:30), or set isAllDay for an all-day event.",
    );
  }
  let end: When;
  if (args.end) {
    const parsed = parseWhen(args.end, "end", zone);
    if (isAllDay) {
      if (!parsed.dateOnly)
        throw new ToolError("invalid_input", "end: an all-day event ends on a date, e.g. 2026-11-24.");
      // The last day, inclusive; Graph's end is the midnight after it.
      const wall = addDays(parsed.wall, 1);
      end = { wall, instant: instantOf(wall, zone), dateOnly: true };
    } else {
      if (parsed.dateOnly) throw new ToolError("invalid_input", "end: give a time, e.g. 2026-11-23T10:00.");
      end = parsed;
    }
  } else if (current && !args.start) {
    end = current.end;
  } else if (current && args.start) {
    // A new start alone moves the event and keeps its length.
    const instant = start.instant + (current.end.instant - current.start.instant);
    end = { wall: wallOf(instant, zone), instant, dateOnly: isAllDay };
  } else if (isAllDay) {
    const wall = addDays(start.wall, 1);
    end = { wall, instant: instantOf(wall, zone), dateOnly: true };
  } else {
    const instant = start.instant + 30 * 60_000;
    end = { wall: wallOf(instant, zone), instant, dateOnly: false };
  }
  if (end.instant <= start.instant) throw new ToolError("invalid_input", "end: must be after start.");
  return { start, end };
}

function attendeeList(
  required: readonly string[],
  optional: readonly string[],
  keep: readonly Attendee[] = [],
): Attendee[] {
  return [
    ...required.map((address) => ({ type: "required" as const, emailAddress: { address } })),
    ...optional.map((address) => ({ type: "optional" as const, emailAddress: { address } })),
    ...keep,
  ];
}

/** The Graph body of the fields given, except times and recurrence. */
function plainFields(args: EventArgs): Record<string, unknown> {
  return {
    ...(args.subject !== undefined ? { subject: args.subject } : {}),
    ...(args.body !== undefined ? { body: { contentType: "text", content: args.body } } : {}),
    ...(args.location !== undefined ? { location: { displayName: args.location } } : {}),
    ...(args.isOnlineMeeting !== undefined
      ? {
          isOnlineMeeting: args.isOnlineMeeting,
          ...(args.isOnlineMeeting ? { onlineMeetingProvider: "teamsForBusiness" } : {}),
        }
      : {}),
    ...(args.reminderMinutes !== undefined
      ? { reminderMinutesBeforeStart: args.reminderMinutes, isReminderOn: true }
      : {}),
    ...(args.showAs !== undefined ? { showAs: args.showAs } : {}),
  };
}

export const createCalendarEvent = defineTool({
  name: "createCalendarEvent",
  title: "Create calendar event",
  description:
    "Create a calendar event or meeting; attendees are invited at once. Confirm with the user first; findMeetingTimes finds a free time.",
  input: {
    ...eventFields,
    calendarId: calendarIdInput,
  },
  scopes: WRITE,
  access: "write",
  idempotencyKey: true,
  invalidates: ["calendar"],
  async run(args, context) {
    const zone = await zoneFor(args.timeZone, context);
    const isAllDay = args.isAllDay ?? false;
    const { start, end } = eventTimes(args, zone, isAllDay);
    const attendees = attendeeList(args.attendees ?? [], args.optionalAttendees ?? []);
    const path = args.calendarId ? `/me/calendars/${idSegment(args.calendarId, "calendarId")}/events` : "/me/events";
    const created = await context.graph.post<Event>(
      path,
      {
        ...plainFields(args),
        start: graphTime(start, zone),
        end: graphTime(end, zone),
        isAllDay,
        ...(attendees.length ? { attendees } : {}),
        ...(args.recurrence ? { recurrence: recurrenceFromRule(args.recurrence, start, zone) } : {}),
      },
      { headers: prefer(zone) },
    );
    const when = timeRange(created.start?.dateTime, created.end?.dateTime, created.isAllDay ?? isAllDay);
    const invited = attendees.map((attendee) => attendee.emailAddress?.address).join(", ");
    const recurring = describeRecurrence(created.recurrence);
    return {
      text: [
        `Created "${created.subject ?? args.subject}" ${when} (${zone.name})`,
        ...(recurring ? [`repeating ${recurring}`] : []),
        ...(invited ? [`invitations sent to ${invited}`] : []),
        ...(created.onlineMeeting?.joinUrl ? [`Teams link: ${created.onlineMeeting.joinUrl}`] : []),
        `id: ${created.id}`,
      ].join("; "),
    };
  },
});

function currentTimes(event: Event, zone: Zone): { start: When; end: When } | undefined {
  const start = wallFromGraph(event.start?.dateTime);
  const end = wallFromGraph(event.end?.dateTime);
  if (!start || !end) return undefined;
  const allDay = event.isAllDay ?? false;
  return {
    start: { wall: start, instant: instantOf(start, zone), dateOnly: allDay },
    end: { wall: end, instant: instantOf(end, zone), dateOnly: allDay },
  };
}

export const updateCalendarEvent = defineTool({
  name: "updateCalendarEvent",
  title: "Update calendar event",
  description:
    "Change a calendar event or one occurrence; only the fields given change (a new start alone keeps the length).",
  input: {
    id: idInput,
    ...eventFields,
    subject: eventFields.subject.optional(),
    start: eventFields.start.optional(),
    attendees: emailList.optional().describe("Replaces required attendees"),
    optionalAttendees: emailList.optional().describe("Replaces optional attendees"),
  },
  scopes: WRITE,
  access: "write",
  idempotent: true,
  invalidates: ["calendar"],
  async run(args, context) {
    const path = `/me/events/${idSegment(args.id)}`;
    const zone = await zoneFor(args.timeZone, context);
    const changesTimes = args.start !== undefined || args.end !== undefined || args.isAllDay !== undefined;
    const changesPeople = args.attendees !== undefined || args.optionalAttendees !== undefined;
    const needsCurrent = changesTimes || changesPeople || args.recurrence !== undefined;
    const current = needsCurrent
      ? await context.graph.get<Event>(path, {
          headers: prefer(zone),
          query: { $select: "subject,start,end,isAllDay,attendees" },
        })
      : undefined;
    const body: Record<string, unknown> = plainFields(args);
    let start: When | undefined;
    if (current && (changesTimes || args.recurrence)) {
      const isAllDay = args.isAllDay ?? current.isAllDay ?? false;
      const times = eventTimes(args, zone, isAllDay, currentTimes(current, zone));
      start = times.start;
      if (changesTimes)
        Object.assign(body, { start: graphTime(times.start, zone), end: graphTime(times.end, zone), isAllDay });
    }
    if (args.recurrence && start) body.recurrence = recurrenceFromRule(args.recurrence, start, zone);
    if (current && changesPeople) {
      const existing = current.attendees ?? [];
      const addresses = (type: string) =>
        existing.filter((attendee) => attendee.type === type).map((attendee) => attendee.emailAddress?.address ?? "");
      body.attendees = attendeeList(
        args.attendees ?? addresses("required"),
        args.optionalAttendees ?? addresses("optional"),
        existing.filter((attendee) => attendee.type === "resource"),
      );
    }
    if (Object.keys(body).length === 0) {
      throw new ToolError("invalid_input", "Give at least one field to change (subject, start, end, attendees, ...).");
    }
    const updated = await context.graph.patch<Event>(path, body, { headers: prefer(zone) });
    const when = timeRange(updated.start?.dateTime, updated.end?.dateTime, updated.isAllDay ?? false);
    return {
      text: `Updated "${updated.subject ?? current?.subject ?? ""}" (${Object.keys(body).join(", ")}); now ${when} (${zone.name}). id: ${updated.id ?? args.id}`,
    };
  },
});

// ---------------------------------------------------------------------------
// deleteCalendarEvent / respondToEvent

export const deleteCalendarEvent = defineTool({
  name: "deleteCalendarEvent",
  title: "Delete calendar event",
  description:
    "Delete a calendar event or one occurrence; for your meetings, `message` cancels with a note to attendees. To decline an invitation use respondToEvent.",
  input: {
    id: idInput,
    message: z.string().max(2000).optional().describe("Cancellation note to attendees"),
  },
  scopes: ["Calendars.ReadWrite"],
  access: "write",
  destructive: true,
  idempotent: true,
  invalidates: ["calendar"],
  async run({ id, message }, { graph }) {
    const path = `/me/events/${idSegment(id)}`;
    const event = await graph.get<Event>(path, { query: { $select: "subject,isOrganizer,attendees" } });
    const subject = event.subject || "(no subject)";
    const attendees = (event.attendees ?? []).length;
    if (event.isOrganizer && attendees > 0) {
      if (message) {
        await graph.post(`${path}/cancel`, { comment: message });
        return { text: `Cancelled "${subject}"; its ${attendees} attendee(s) were sent your message. id: ${id}` };
      }
      await graph.delete(path);
      return { text: `Deleted "${subject}"; its ${attendees} attendee(s) were sent a cancellation. id: ${id}` };
    }
    await graph.delete(path);
    const note = event.isOrganizer
      ? message
        ? " (no attendees, so the message went to no one)"
        : ""
      : " from your calendar; the organizer was not told (respondToEvent declines)";
    return { text: `Deleted "${subject}"${note}. id: ${id}` };
  },
});

const RESPONSE_ACTIONS = { accept: "accept", tentative: "tentativelyAccept", decline: "decline" } as const;

export const respondToEvent = defineTool({
  name: "respondToEvent",
  title: "Answer meeting invitation",
  description:
    "Accept, tentatively accept or decline a meeting invitation (or one occurrence), optionally with a comment.",
  input: {
    id: idInput,
    response: z.enum(["accept", "tentative", "decline"]),
    comment: z.string().max(2000).optional().describe("Note to the organizer"),
    sendResponse: z.boolean().default(true).describe("Notify the organizer"),
  },
  scopes: ["Calendars.ReadWrite"],
  access: "write",
  idempotent: true,
  invalidates: ["calendar"],
  async run({ id, response, comment, sendResponse }, { graph }) {
    const path = `/me/events/${idSegment(id)}`;
    const event = await graph.get<Event>(path, { query: { $select: "subject,isOrganizer,organizer" } });
    if (event.isOrganizer) {
      throw new ToolError("invalid_input", "id: you organize this meeting, so there is no invitation to answer.");
    }
    await graph.post(`${path}/${RESPONSE_ACTIONS[response]}`, {
      ...(comment ? { comment } : {}),
      sendResponse,
    });
    const verb = { accept: "Accepted", tentative: "Tentatively accepted", decline: "Declined" }[response];
    const told = sendResponse
      ? `${formatAddress(event.organizer?.emailAddress) || "the organizer"} was told`
      : "the organizer was not told";
    return {
      text: `${verb} "${event.subject || "(no subject)"}"; ${told}.${response === "decline" ? " It is no longer in your calendar." : ""} id: ${id}`,
    };
  },
});

// ---------------------------------------------------------------------------
// findMeetingTimes / getSchedule

const peopleInput = z.array(z.email()).min(1);
const MAX_PEOPLE = 20;

function checkPeople(people: readonly string[], field: string): void {
  if (people.length > MAX_PEOPLE)
    throw new ToolError("invalid_input", `${field}: at most ${MAX_PEOPLE} people at once.`);
}

export const findMeetingTimes = defineTool({
  name: "findMeetingTimes",
  title: "Find meeting times",
  description: "Suggest times when the user and all attendees are free for a meeting of a given length, best first.",
  input: {
    attendees: peopleInput,
    durationMinutes: z.number().int().min(15).max(480).default(30),
    start: z.string().optional().describe("Search from (date or date-time); default now"),
    end: z.string().optional().describe("Search until; default start + 7 days"),
    timeZone: timeZoneInput,
    maxCandidates: z.number().int().min(1).max(20).default(5),
    workHoursOnly: z.boolean().default(true),
  },
  output: {
    timeZone: z.string(),
    suggestions: z.array(
      z.object({ start: z.string(), end: z.string(), confidence: z.number(), unavailable: z.array(z.string()) }),
    ),
    emptyReason: z.string().optional(),
  },
  scopes: READ,
  access: "read",
  cacheKind: "calendar",
  async run({ attendees, durationMinutes, start, end, timeZone, maxCandidates, workHoursOnly }, context) {
    checkPeople(attendees, "attendees");
    const zone = await zoneFor(timeZone, context);
    const now = (): When => {
      const instant = Date.now();
      return { wall: wallOf(instant, zone), instant, dateOnly: false };
    };
    const range = readRange({ start, end }, zone, { start: now, days: 7 }, 62);
    const hours = Math.floor(durationMinutes / 60);
    const minutes = durationMinutes % 60;
    const result = await context.graph.post<MeetingTimeSuggestionsResult>(
      "/me/findMeetingTimes",
      {
        attendees: attendees.map((address) => ({ type: "required", emailAddress: { address } })),
        timeConstraint: {
          activityDomain: workHoursOnly ? "work" : "unrestricted",
          timeSlots: [{ start: utcTime(range.start), end: utcTime(range.end) }],
        },
        meetingDuration: `PT${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}`,
        maxCandidates,
        returnSuggestionReasons: false,
      },
      // A POST that only reads: retried like a GET.
      { headers: prefer(zone), readOnly: true },
    );
    const suggestions = (result.meetingTimeSuggestions ?? []).map((suggestion) => {
      const people = [
        { who: "me", availability: suggestion.organizerAvailability ?? "unknown" },
        ...(suggestion.attendeeAvailability ?? []).map((entry) => ({
          who: entry.attendee?.emailAddress?.address ?? "",
          availability: entry.availability ?? "unknown",
        })),
      ];
      return {
        start: (suggestion.meetingTimeSlot?.start?.dateTime ?? "").slice(0, 16),
        end: (suggestion.meetingTimeSlot?.end?.dateTime ?? "").slice(0, 16),
        confidence: Math.round(suggestion.confidence ?? 0),
        // Who may not make it: everyone not free, with their status.
        unavailable: people
          .filter((person) => person.availability !== "free")
          .map((person) => `${person.who} (${person.availability})`),
      };
    });
    const heading = `Meeting times for ${durationMinutes} min (${zone.name})`;
    const emptyReason = result.emptySuggestionsReason || undefined;
    const text = suggestions.length
      ? [
          `${heading}: ${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"}, best first.`,
          ...suggestions.map(
            (suggestion, index) =>
              `${index + 1}. ${timeRange(suggestion.start, suggestion.end, false)} | ${suggestion.confidence}% | ${suggestion.unavailable.length ? `not free: ${suggestion.unavailable.join(", ")}` : "everyone free"}`,
          ),
        ].join("\n")
      : `${heading}: no time found (${emptyReason ?? "no free slot"}). Try a longer range, a shorter meeting or workHoursOnly false.`;
    return {
      text,
      structured: { timeZone: zone.name, suggestions, ...(emptyReason ? { emptyReason } : {}) },
    };
  },
});

const SHORT_DAYS: Record<string, string> = {
  sunday: "Sun",
  monday: "Mon",
  tuesday: "Tue",
  wednesday: "Wed",
  thursday: "Thu",
  friday: "Fri",
  saturday: "Sat",
};

function workingHoursText(schedule: ScheduleInformation): string {
  const hours = schedule.workingHours;
  if (!hours?.startTime || !hours.endTime) return "";
  const days = (hours.daysOfWeek ?? []).map((day) => SHORT_DAYS[day] ?? day);
  const span = days.join(",") === "Mon,Tue,Wed,Thu,Fri" ? "Mon–Fri" : days.join(",");
  return `${span} ${hours.startTime.slice(0, 5)}–${hours.endTime.slice(0, 5)} ${hours.timeZone?.name ?? ""}`.trim();
}

interface BusyBlock {
  start: string;
  end: string;
  status: string;
}

const STATUS_RANK: Record<string, number> = { tentative: 1, workingElsewhere: 1, busy: 2, oof: 3 };

/** Busy items merged where they overlap, keeping the stronger status. */
function busyBlocks(schedule: ScheduleInformation): BusyBlock[] {
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

export const getSchedule = defineTool({
  name: "getSchedule",
  title: "Check free/busy",
  description:
    "Show when people are busy over a range, with their working hours; check before proposing a meeting time.",
  input: {
    people: peopleInput,
    start: z.string().optional().describe("Date or date-time; default today"),
    end: z.string().optional().describe("Last day or date-time; default end of start day"),
    timeZone: timeZoneInput,
  },
  output: {
    timeZone: z.string(),
    schedules: z.array(
      z.object({
        person: z.string(),
        workingHours: z.string(),
        busy: z.array(z.object({ start: z.string(), end: z.string(), status: z.string() })),
        error: z.string().optional(),
      }),
    ),
  },
  scopes: READ,
  access: "read",
  cacheKind: "calendar",
  async run({ people, start, end, timeZone }, context) {
    checkPeople(people, "people");
    const zone = await zoneFor(timeZone, context);
    const range = readRange({ start, end }, zone, { start: () => startOfToday(zone), days: 1 }, 62);
    const result = await context.graph.post<{ value: ScheduleInformation[] }>(
      "/me/calendar/getSchedule",
      {
        schedules: people,
        startTime: utcTime(range.start),
        endTime: utcTime(range.end),
        availabilityViewInterval: 30,
      },
      // A POST that only reads: retried like a GET.
      { headers: prefer(zone), readOnly: true },
    );
    const oneDay = dateText(range.start.wall) === dateText(wallOf(range.end.instant - 1, zone));
    const schedules = result.value.map((schedule) => ({
      person: schedule.scheduleId ?? "",
      workingHours: workingHoursText(schedule),
      busy: busyBlocks(schedule),
      ...(schedule.error ? { error: schedule.error.message ?? schedule.error.responseCode ?? "unavailable" } : {}),
    }));
    const block = (busy: BusyBlock) => {
      // A block past midnight names the day it ends on: "22:00–11-25 01:00".
      const end =
        busy.end.slice(0, 10) === busy.start.slice(0, 10)
          ? clockOf(busy.end)
          : `${busy.end.slice(5, 10)} ${clockOf(busy.end)}`;
      const text = `${clockOf(busy.start)}–${end}`;
      return busy.status === "busy" ? text : `${text} ${busy.status}`;
    };
    /** "09:00–10:00, 13:00–13:30 tentative" for one day; "Mon 11-23: ...; Tue 11-24: ..." over several. */
    const blocks = (busy: BusyBlock[]) => {
      if (oneDay) return busy.map(block).join(", ");
      const days = new Map<string, string[]>();
      for (const entry of busy) {
        const day = dayLabel(entry.start);
        days.set(day, [...(days.get(day) ?? []), block(entry)]);
      }
      return [...days].map(([day, entries]) => `${day}: ${entries.join(", ")}`).join("; ");
    };
    const lines = [
      `Free/busy ${dateText(range.start.wall)} ${clockOf(dateTimeText(range.start.wall))} → ${dateText(range.end.wall)} ${clockOf(dateTimeText(range.end.wall))} (${zone.name}); free unless listed.`,
      ...schedules.map((schedule) => {
        const works = schedule.workingHours ? ` (works ${schedule.workingHours})` : "";
        if (schedule.error) return `${schedule.person}: unavailable (${schedule.error})`;
        return `${schedule.person}${works}: ${schedule.busy.length ? blocks(schedule.busy) : "free"}`;
      }),
    ];
    return { text: lines.join("\n"), structured: { timeZone: zone.name, schedules } };
  },
});

// ---------------------------------------------------------------------------
// listCalendars and the resources

const calendarSummary = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  owner: z.string(),
  canEdit: z.boolean(),
  isDefault: z.boolean(),
});
type CalendarSummary = z.infer<typeof calendarSummary>;

async function readCalendars(graph: GraphClient): Promise<CalendarSummary[]> {
  const page = await graph.get<{ value: Calendar[] }>("/me/calendars", {
    query: { $select: "id,name,color,hexColor,isDefaultCalendar,canEdit,owner", $top: 100 },
  });
  return page.value.map((calendar) => ({
    id: calendar.id ?? "",
    name: calendar.name ?? "",
    color: calendar.hexColor || calendar.color || "auto",
    owner: formatAddress(calendar.owner),
    canEdit: calendar.canEdit ?? false,
    isDefault: calendar.isDefaultCalendar ?? false,
  }));
}

export const listCalendars = defineTool({
  name: "listCalendars",
  title: "List calendars",
  description: "List the user's calendars: id (for calendarId), owner, color, whether editable.",
  input: {},
  output: { calendars: z.array(calendarSummary) },
  scopes: ["Calendars.Read"],
  access: "read",
  cacheKind: "calendar",
  async run(_args, { graph }) {
    const calendars = await readCalendars(graph);
    const lines = [
      `${calendars.length} calendar${calendars.length === 1 ? "" : "s"}:`,
      ...calendars.map(
        (calendar, index) =>
          `${index + 1}. ${calendar.name}${calendar.isDefault ? " (default)" : ""} | owner ${calendar.owner} | ${calendar.canEdit ? "editable" : "read-only"} | color ${calendar.color} | id: ${calendar.id}`,
      ),
    ];
    return { text: lines.join("\n"), structured: { calendars } };
  },
});

export const calendarTools = [
  getCalendarEvents,
  getCalendarEvent,
  createCalendarEvent,
  updateCalendarEvent,
  deleteCalendarEvent,
  respondToEvent,
  findMeetingTimes,
  getSchedule,
  listCalendars,
];

/** A Graph or tool failure as the MCP error a resource read answers with. */
function resourceError(error: unknown): unknown {
  const toolError =
    error instanceof GraphError
      ? toolErrorFromGraph(error, ["Calendars.Read"])
      : error instanceof ToolError
        ? error
        : undefined;
  if (!toolError) return error;
  // MCP's code for a resource that does not exist is -32002.
  const code =
    toolError.code === "not_found"
      ? -32002
      : toolError.code === "invalid_input"
        ? ErrorCode.InvalidParams
        : ErrorCode.InternalError;
  return new McpError(code, `${toolError.code}: ${toolError.message}`);
}

/** `microsoft://calendars` (the calendar list) and `microsoft://events/{id}` (one event), as JSON. */
export function registerCalendarResources(server: McpServer, context: () => ToolContext): void {
  server.registerResource(
    "calendars",
    "microsoft://calendars",
    {
      title: "My calendars",
      description: "The user's calendars: id, name, owner, color, editable, default",
      mimeType: "application/json",
    },
    async (uri) => {
      try {
        const calendars = await readCalendars(context().graph);
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(calendars) }] };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );
  server.registerResource(
    "event",
    new ResourceTemplate("microsoft://events/{id}", { list: undefined }),
    {
      title: "Calendar event",
      description: "One calendar event in the user's time zone (the getCalendarEvent view)",
      mimeType: "application/json",
    },
    async (uri, variables) => {
      try {
        const toolContext = context();
        const id = decodeURIComponent(String(variables.id ?? ""));
        const { details } = await readEvent(toolContext.graph, id, await mailboxZone(toolContext));
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(details) }] };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );
}
