/**
 * Free/busy and meeting suggestions, from the tenant's calendars:
 * POST /me/calendar/getSchedule (availabilityView strings and busy items per
 * person) and POST /me/findMeetingTimes (slots in the organizer's working
 * hours, ranked by how likely everyone can attend).
 */
import type { Attendee, DateTimeTimeZone, FreeBusyStatus } from "@microsoft/microsoft-graph-types";
import type { DemoUser } from "../tenant.ts";
import { localDateTime, UTC_ZONE, wallClock, type TimeZone } from "../timezones.ts";
import {
  invalidRequest,
  isObject,
  objectBody,
  preferenceApplied,
  preferences,
  property,
  readAttendees,
  readWhen,
  rejectUnknown,
  unreadable,
} from "./calendar-input.ts";
import { busyInstances, demoUserOf, effective, READ_CALENDARS, userZone } from "./calendar-store.ts";
import { graphJson } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** getSchedule answers for at most 62 days and 100 schedules at a time. */
const MAX_SCHEDULE_DAYS = 62;
const MAX_SCHEDULES = 100;

/** Mailbox working hours of the demo users (mailboxSettings.workingHours). */
const WORK_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 17;

function workingHours(user: DemoUser) {
  return {
    daysOfWeek: WORK_DAYS,
    startTime: `${String(WORK_START_HOUR).padStart(2, "0")}:00:00.0000000`,
    endTime: `${WORK_END_HOUR}:00:00.0000000`,
    timeZone: { name: user.timeZone },
  };
}

/** Whether [start, end) lies within a user's working hours (a working day, 08:00 to 17:00 local). */
function withinWorkingHours(user: DemoUser, start: number, end: number, weekends: boolean): boolean {
  const zone = userZone(user);
  const from = wallClock(start, zone.iana);
  const to = wallClock(end - 1, zone.iana);
  const weekday = new Date(Date.UTC(from.year, from.month - 1, from.day)).getUTCDay();
  const sameDay = from.year === to.year && from.month === to.month && from.day === to.day;
  const working = weekends || (weekday >= 1 && weekday <= 5);
  return working && sameDay && from.hour >= WORK_START_HOUR && to.hour < WORK_END_HOUR;
}

const STATUS_CODES: Record<string, number> = { free: 0, workingElsewhere: 0, tentative: 1, busy: 2, oof: 3 };
const STATUS_BY_CODE = ["free", "tentative", "busy", "oof"] as const;

interface BusyItem {
  start: number;
  end: number;
  status: FreeBusyStatus;
  subject: string;
  location: string;
  isPrivate: boolean;
}

function busyItems(context: GraphContext, user: DemoUser, from: number, to: number): BusyItem[] {
  return busyInstances(context.state.dataOf(user.id), userZone(user), from, to)
    .map((instance) => {
      const event = effective(instance.event, instance.key);
      return {
        start: instance.start,
        end: instance.end,
        status: (event.showAs ?? "busy") as FreeBusyStatus,
        subject: event.subject ?? "",
        location: event.location?.displayName ?? "",
        isPrivate: event.sensitivity === "private",
      };
    })
    .sort((a, b) => a.start - b.start);
}

/** The worst status of a person during [start, end): oof over busy over tentative over free. */
function statusDuring(items: readonly BusyItem[], start: number, end: number): (typeof STATUS_BY_CODE)[number] {
  let code = 0;
  for (const item of items) {
    if (item.start < end && item.end > start) code = Math.max(code, STATUS_CODES[item.status] ?? 2);
  }
  return STATUS_BY_CODE[code]!;
}

function dateTimeIn(time: number, zone: TimeZone): DateTimeTimeZone {
  return { dateTime: localDateTime(time, zone.iana), timeZone: zone.name };
}

function getSchedule(context: GraphContext) {
  const prefs = preferences(context);
  const zone = prefs.zone ?? UTC_ZONE;
  const body = objectBody(context);
  rejectUnknown(
    body,
    ["schedules", "startTime", "endTime", "availabilityViewInterval"],
    "microsoft.graph.calendar.getSchedule",
  );
  const schedules = property(body, "schedules");
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((entry) => typeof entry !== "string")) {
    throw invalidRequest("'schedules' must list at least one SMTP address.");
  }
  if (schedules.length > MAX_SCHEDULES)
    throw invalidRequest(`At most ${MAX_SCHEDULES} schedules can be requested at once.`);
  const start = readWhen(property(body, "startTime"), "startTime");
  const end = readWhen(property(body, "endTime"), "endTime");
  const rawInterval = property(body, "availabilityViewInterval") ?? 30;
  const interval = typeof rawInterval === "string" ? Number(rawInterval) : rawInterval;
  if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 5 || interval > 1440) {
    throw invalidRequest("availabilityViewInterval must be an integer number of minutes from 5 to 1440.");
  }
  if (end.instant <= start.instant) throw invalidRequest("The endTime must be later than the startTime.");
  if (end.instant - start.instant > MAX_SCHEDULE_DAYS * DAY) {
    throw invalidRequest(`The requested time window exceeds the ${MAX_SCHEDULE_DAYS} days limit.`);
  }
  const slots = Math.ceil((end.instant - start.instant) / (interval * MINUTE));
  const value = (schedules as string[]).map((address) => {
    const user = demoUserOf(address);
    if (!user) {
      return {
        scheduleId: address,
        availabilityView: "",
        scheduleItems: [],
        error: { message: "The e-mail address cannot be found.", responseCode: "ErrorMailRecipientNotFound" },
      };
    }
    const items = busyItems(context, user, start.instant, end.instant);
    let view = "";
    for (let slot = 0; slot < slots; slot++) {
      const from = start.instant + slot * interval * MINUTE;
      view += String(STATUS_CODES[statusDuring(items, from, Math.min(from + interval * MINUTE, end.instant))] ?? 0);
    }
    const self = user.id === context.user.id;
    return {
      scheduleId: address,
      availabilityView: view,
      scheduleItems: items.map((item) => ({
        isPrivate: item.isPrivate,
        status: item.status,
        // Others' details stay private under the organization's default sharing (free/busy only).
        ...(self && !item.isPrivate ? { subject: item.subject, location: item.location } : {}),
        start: dateTimeIn(item.start, zone),
        end: dateTimeIn(item.end, zone),
      })),
      workingHours: workingHours(user),
    };
  });
  return graphJson(
    context.request,
    200,
    { "@odata.context": `${context.origin}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)`, value },
    preferenceApplied(prefs, false),
  );
}

/** An ISO 8601 duration ("PT1H30M", "P1D") in milliseconds. */
function readDuration(value: unknown): number {
  if (value === undefined || value === null) return 30 * MINUTE;
  const match = typeof value === "string" ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value) : null;
  const duration = match
    ? ((Number(match[1] ?? 0) * 24 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * MINUTE +
      Number(match[4] ?? 0) * 1000
    : NaN;
  if (!match || !(duration > 0))
    throw unreadable(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Duration'.`);
  return duration;
}

const CHANCE: Record<string, number> = { free: 100, tentative: 50, busy: 0, oof: 0, unknown: 49 };

function findMeetingTimes(context: GraphContext) {
  const prefs = preferences(context);
  const zone = prefs.zone ?? UTC_ZONE;
  const body = objectBody(context);
  rejectUnknown(
    body,
    [
      "attendees",
      "locationConstraint",
      "timeConstraint",
      "meetingDuration",
      "maxCandidates",
      "isOrganizerOptional",
      "returnSuggestionReasons",
      "minimumAttendeePercentage",
    ],
    "microsoft.graph.user.findMeetingTimes",
  );
  const attendees: Attendee[] =
    property(body, "attendees") === undefined ? [] : readAttendees(property(body, "attendees"));
  const duration = readDuration(property(body, "meetingDuration"));
  const maxCandidates = Number(property(body, "maxCandidates") ?? 5);
  if (!Number.isInteger(maxCandidates) || maxCandidates < 1 || maxCandidates > 100) {
    throw invalidRequest("maxCandidates must be an integer from 1 to 100.");
  }
  const minimum = Number(property(body, "minimumAttendeePercentage") ?? 50);
  if (!(minimum >= 0 && minimum <= 100)) throw invalidRequest("minimumAttendeePercentage must be from 0 to 100.");
  const organizerOptional = String(property(body, "isOrganizerOptional") ?? "false").toLowerCase() === "true";
  const reasons = String(property(body, "returnSuggestionReasons") ?? "false").toLowerCase() === "true";
  const constraint = property(body, "timeConstraint");
  if (constraint !== undefined && constraint !== null && !isObject(constraint)) {
    throw unreadable("Cannot read 'timeConstraint': a microsoft.graph.timeConstraint was expected.");
  }
  const domain = String((constraint && property(constraint, "activityDomain")) ?? "work");
  if (!["work", "personal", "unrestricted", "unknown"].includes(domain)) {
    throw unreadable(`The value '${domain}' of 'activityDomain' is not a member of 'microsoft.graph.activityDomain'.`);
  }
  const now = Math.ceil(Date.now() / (30 * MINUTE)) * 30 * MINUTE;
  const rawSlots = constraint ? property(constraint, "timeSlots") : undefined;
  const windows =
    rawSlots === undefined || rawSlots === null
      ? [{ from: now, to: now + 7 * DAY }]
      : Array.isArray(rawSlots)
        ? rawSlots.map((slot: unknown) => {
            if (!isObject(slot)) throw unreadable("Each time slot must be { start, end }.");
            const from = readWhen(property(slot, "start"), "start").instant;
            const to = readWhen(property(slot, "end"), "end").instant;
            if (to <= from) throw invalidRequest("A time slot's end must be later than its start.");
            return { from, to };
          })
        : (() => {
            throw unreadable("Cannot read 'timeSlots': a collection was expected.");
          })();
  const locationConstraint = property(body, "locationConstraint");
  const locations =
    isObject(locationConstraint) && Array.isArray(property(locationConstraint, "locations"))
      ? (property(locationConstraint, "locations") as unknown[])
          .filter(isObject)
          .map((location) => ({ displayName: String(property(location, "displayName") ?? "") }))
      : [];

  const people = attendees.filter((attendee) => attendee.type !== "resource");
  const organizerItems = busyItems(
    context,
    context.user,
    Math.min(...windows.map((w) => w.from)),
    Math.max(...windows.map((w) => w.to)),
  );
  const itemsOf = new Map<string, BusyItem[] | undefined>();
  for (const attendee of people) {
    const address = attendee.emailAddress?.address ?? "";
    const user = demoUserOf(address);
    itemsOf.set(
      address,
      user
        ? busyItems(context, user, Math.min(...windows.map((w) => w.from)), Math.max(...windows.map((w) => w.to)))
        : undefined,
    );
  }
  type Candidate = {
    start: number;
    end: number;
    confidence: number;
    organizer: string;
    availability: { attendee: Attendee; availability: string }[];
  };
  const candidates: Candidate[] = [];
  let organizerFreeSomewhere = false;
  const weekends = domain === "personal";
  for (const window of windows) {
    const first = Math.max(window.from, now);
    for (
      let start = Math.ceil(first / (30 * MINUTE)) * 30 * MINUTE;
      start + duration <= window.to;
      start += 30 * MINUTE
    ) {
      const end = start + duration;
      if (domain !== "unrestricted" && !withinWorkingHours(context.user, start, end, weekends)) continue;
      const organizer = statusDuring(organizerItems, start, end);
      if (!organizerOptional && (organizer === "busy" || organizer === "oof")) continue;
      organizerFreeSomewhere = true;
      const availability = people.map((attendee) => {
        const items = itemsOf.get(attendee.emailAddress?.address ?? "");
        return {
          attendee: { type: attendee.type, emailAddress: { address: attendee.emailAddress?.address } },
          availability: items ? statusDuring(items, start, end) : "unknown",
        };
      });
      const confidence = availability.length
        ? availability.reduce((sum, entry) => sum + (CHANCE[entry.availability] ?? 0), 0) / availability.length
        : 100;
      if (confidence >= minimum) candidates.push({ start, end, confidence, organizer, availability });
    }
  }
  candidates.sort((a, b) => b.confidence - a.confidence || a.start - b.start);
  const chosen: Candidate[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= maxCandidates) break;
    if (chosen.some((other) => other.start < candidate.end && other.end > candidate.start)) continue;
    chosen.push(candidate);
  }
  const suggestions = chosen.map((candidate, index) => ({
    confidence: Math.round(candidate.confidence * 100) / 100,
    order: index + 1,
    organizerAvailability: candidate.organizer,
    ...(reasons
      ? {
          suggestionReason:
            candidate.confidence === 100
              ? "Suggested because it is one of the nearest times when all attendees are available."
              : "Suggested because it is one of the nearest times when most attendees are available.",
        }
      : {}),
    attendeeAvailability: candidate.availability,
    locations,
    meetingTimeSlot: { start: dateTimeIn(candidate.start, zone), end: dateTimeIn(candidate.end, zone) },
  }));
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": `${context.origin}/v1.0/$metadata#microsoft.graph.meetingTimeSuggestionsResult`,
      emptySuggestionsReason: suggestions.length
        ? ""
        : organizerFreeSomewhere
          ? "AttendeesUnavailable"
          : "OrganizerUnavailable",
      meetingTimeSuggestions: suggestions,
    },
    preferenceApplied(prefs, false),
  );
}

export const schedulingRoutes: readonly GraphRoute[] = [
  { method: "POST", path: "/me/calendar/getSchedule", scopes: READ_CALENDARS, handle: getSchedule },
  {
    method: "POST",
    path: "/me/findMeetingTimes",
    // Graph documents only the .Shared permissions here: it reads the attendees' calendars.
    scopes: ["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"],
    handle: findMeetingTimes,
  },
];
