/** Changing calendars: create, update, delete, answer invitations. Every one acts at once, as the user. */
import type { Attendee, Event } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { formatAddress } from "../shared/format.ts";
import { inMailbox, mailboxInput } from "../shared/mailbox.ts";
import { defineTool, scopesWith } from "../spec.ts";
import {
  calendarIdInput,
  emailList,
  graphTime,
  idInput,
  idSegment,
  prefer,
  SHARED_WRITE,
  timeZoneInput,
  WRITE,
  zoneFor,
} from "./inputs.ts";
import { describeRecurrence, recurrenceFromRule } from "./recurrence.ts";
import { addDays, instantOf, parseWhen, timeRange, wallFromGraph, wallOf, type When, type Zone } from "./time.ts";

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
    mailbox: mailboxInput,
  },
  ...SHARED_WRITE,
  access: "write",
  idempotencyKey: true,
  invalidates: ["calendar"],
  async run(args, context) {
    const zone = await zoneFor(args.timeZone, context);
    const isAllDay = args.isAllDay ?? false;
    const { start, end } = eventTimes(args, zone, isAllDay);
    const attendees = attendeeList(args.attendees ?? [], args.optionalAttendees ?? []);
    const calendar = args.calendarId ? `/calendars/${idSegment(args.calendarId, "calendarId")}` : "";
    const created = await inMailbox(args.mailbox, (root) =>
      context.graph.post<Event>(
        `${root}${calendar}/events`,
        {
          ...plainFields(args),
          start: graphTime(start, zone),
          end: graphTime(end, zone),
          isAllDay,
          ...(attendees.length ? { attendees } : {}),
          ...(args.recurrence ? { recurrence: recurrenceFromRule(args.recurrence, start, zone) } : {}),
          // Graph itself de-duplicates creations that carry the same transactionId.
          ...(context.once ? { transactionId: context.once.value } : {}),
        },
        { headers: prefer(zone) },
      ),
    );
    const when = timeRange(created.start?.dateTime, created.end?.dateTime, created.isAllDay ?? isAllDay);
    const invited = attendees.map((attendee) => attendee.emailAddress?.address).join(", ");
    const recurring = describeRecurrence(created.recurrence);
    return {
      text: [
        `Created "${created.subject ?? args.subject}" ${when} (${zone.name})${args.mailbox ? ` in the calendar of ${args.mailbox}` : ""}`,
        ...(recurring ? [`repeating ${recurring}`] : []),
        ...(invited ? [`invitations sent to ${invited}`] : []),
        ...(created.onlineMeeting?.joinUrl ? [`Teams link: ${created.onlineMeeting.joinUrl}`] : []),
        `id: ${created.id}`,
      ].join("; "),
    };
  },
  // Nothing to look up: run again with the same transactionId, and Graph answers with the event if it exists.
  async reconcile() {
    return undefined;
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
    mailbox: mailboxInput,
  },
  ...scopesWith(["Calendars.ReadWrite"], { mailbox: ["Calendars.ReadWrite.Shared"] }),
  access: "write",
  idempotent: true,
  invalidates: ["calendar"],
  async run({ id, response, comment, sendResponse, mailbox }, { graph }) {
    const event = await inMailbox(mailbox, async (root) => {
      const path = `${root}/events/${idSegment(id)}`;
      const found = await graph.get<Event>(path, { query: { $select: "subject,isOrganizer,organizer" } });
      if (found.isOrganizer) {
        throw new ToolError("invalid_input", "id: you organize this meeting, so there is no invitation to answer.");
      }
      await graph.post(`${path}/${RESPONSE_ACTIONS[response]}`, {
        ...(comment ? { comment } : {}),
        sendResponse,
      });
      return found;
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
