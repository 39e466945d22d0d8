/** Reading calendars: events in a range (series expanded), one event in full, the calendar list. */
import type { Attendee, Calendar, Event } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import type { GraphClient } from "../../graph/client.ts";
import { formatAddress } from "../shared/format.ts";
import { countInput, cursorInput, moreLine, nextCursorOutput, type GraphPage } from "../shared/paging.ts";
import { defineTool, scopesWith } from "../spec.ts";
import {
  bodyText,
  calendarSummary,
  eventDetailsOutput,
  eventLine,
  eventSummary,
  RESPONSE_WORDS,
  summarize,
  type CalendarSummary,
  type EventDetails,
} from "./format.ts";
import { ToolError } from "../../graph/errors.ts";
import { inGroup } from "../groups/inputs.ts";
import { isId } from "../shared/ids.ts";
import { inMailbox, mailboxInput } from "../shared/mailbox.ts";
import {
  calendarIdInput,
  idInput,
  idSegment,
  prefer,
  READ,
  readRange,
  SHARED_READ,
  timeZoneInput,
  zoneFor,
} from "./inputs.ts";
import { describeRecurrence } from "./recurrence.ts";
import { clockOf, dateText, dateTimeText, startOfToday, timeRange, type Zone } from "./time.ts";

const LIST_FIELDS =
  "subject,start,end,isAllDay,location,organizer,isOnlineMeeting,responseStatus,type,isCancelled,showAs";
const EVENT_FIELDS =
  "subject,body,start,end,isAllDay,location,organizer,attendees,isOnlineMeeting,onlineMeeting,responseStatus,recurrence,seriesMasterId,type,showAs,isCancelled,importance,sensitivity,categories";

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
    count: countInput(20, 50, "Events per page"),
    cursor: cursorInput("nextCursor of the previous call"),
    mailbox: mailboxInput,
    groupId: z.string().optional().describe("Group id: its calendar"),
  },
  output: {
    timeZone: z.string(),
    events: z.array(eventSummary),
    nextCursor: nextCursorOutput(),
  },
  ...scopesWith(READ, { mailbox: ["Calendars.Read.Shared"], groupId: ["Group.Read.All"] }),
  access: "read",
  cacheKind: "calendar",
  async run({ start, end, timeZone, calendarId, count, cursor, mailbox, groupId }, context) {
    if (groupId && (mailbox || calendarId)) {
      throw new ToolError("invalid_input", "groupId: pass it alone, without mailbox or calendarId.");
    }
    if (groupId && !isId("guid", groupId))
      throw new ToolError("invalid_input", "groupId: not a group id; use listGroups.");
    const zone = await zoneFor(timeZone, context);
    const range = readRange({ start, end }, zone, { start: () => startOfToday(zone), days: 7 });
    const calendar = calendarId ? `/calendars/${idSegment(calendarId, "calendarId")}` : "";
    const group = groupId ? `/groups/${groupId}` : undefined;
    const read = (root: string) =>
      context.graph.get<GraphPage<Event>>(cursor ?? `${group ?? root}${calendar}/calendarView`, {
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
    const page = groupId ? await inGroup(groupId, () => read("")) : await inMailbox(mailbox, read);
    const events = page.value.map(summarize);
    const nextCursor = page["@odata.nextLink"];
    const heading = `Calendar${mailbox ? ` of ${mailbox}` : groupId ? ` of group ${groupId}` : ""} ${dateText(range.start.wall)} ${clockOf(dateTimeText(range.start.wall))} → ${dateText(range.end.wall)} ${clockOf(dateTimeText(range.end.wall))} (${zone.name})`;
    const lines = events.length
      ? [
          `${heading}: ${events.length} event${events.length === 1 ? "" : "s"}${cursor ? " (next page)" : ""}.`,
          ...events.map(eventLine),
        ]
      : [`${heading}: no events.`];
    lines.push(...moreLine(nextCursor));
    return {
      text: lines.join("\n"),
      structured: { timeZone: zone.name, events, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

/** One event in full: the structured facts and their text rendering. */
export async function readEvent(
  graph: GraphClient,
  id: string,
  zone: Zone,
  root = "/me",
): Promise<{ details: EventDetails; text: string }> {
  const event = await graph.get<Event>(`${root}/events/${idSegment(id)}`, {
    headers: prefer(zone, true),
    query: { $select: EVENT_FIELDS },
  });
  let recurrence = event.recurrence;
  if (!recurrence && event.seriesMasterId) {
    // An occurrence carries no pattern; its series master does.
    const master = await graph.get<Event>(`${root}/events/${idSegment(event.seriesMasterId, "seriesMasterId")}`, {
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
  input: { id: idInput, timeZone: timeZoneInput, mailbox: mailboxInput },
  output: eventDetailsOutput,
  ...SHARED_READ,
  access: "read",
  cacheKind: "calendar",
  async run({ id, timeZone, mailbox }, context) {
    const zone = await zoneFor(timeZone, context);
    const { details, text } = await inMailbox(mailbox, (root) => readEvent(context.graph, id, zone, root));
    return { text, structured: details };
  },
});

export async function readCalendars(graph: GraphClient): Promise<CalendarSummary[]> {
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
