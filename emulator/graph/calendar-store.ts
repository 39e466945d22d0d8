/**
 * The calendar store behind the calendar endpoints: building events the way
 * Exchange stores them, expanding series into occurrences (with their
 * exceptions), finding events and occurrences by id, and the links between
 * the organizer's event and the attendees' copies (same iCalUId).
 */
import type { Attendee, DateTimeTimeZone, EmailAddress, Event, ResponseType } from "@microsoft/microsoft-graph-types";
import { randomBytes } from "node:crypto";
import { stableGuid } from "../data/random.ts";
import { isoSeconds } from "../data/time.ts";
import { bodyPreview, escapeHtml, htmlToText } from "../html-text.ts";
import type { StoredCalendar, StoredEvent, UserData } from "../model.ts";
import { DEMO_USERS, findUser, type DemoUser } from "../tenant.ts";
import {
  dateOfDay,
  formatWall,
  instantOf,
  parseWall,
  resolveTimeZone,
  UTC_ZONE,
  wallClock,
  zonedToUtc,
  type TimeZone,
  type WallClock,
} from "../timezones.ts";
import { occurrenceDays } from "./recurrence.ts";
import { GraphFailure } from "./responses.ts";

/** Calendars.ReadBasic reads events without their bodies; Read and ReadWrite (own or shared) read everything. */
export const FULL_READ = [
  "Calendars.Read",
  "Calendars.ReadWrite",
  "Calendars.Read.Shared",
  "Calendars.ReadWrite.Shared",
];
export const READ_CALENDARS = ["Calendars.ReadBasic", ...FULL_READ];

export const NOT_FOUND_MESSAGE = "The specified object was not found in the store.";
const DAY = 86_400_000;
/** Occurrences moved by an exception are found if they moved less than this far. */
const EXCEPTION_REACH = 31 * DAY;
const NEVER = "0001-01-01T00:00:00Z";

export function notFound(): GraphFailure {
  return new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
}

/** A user's time zone as their mailbox settings name it. */
export function userZone(user: DemoUser): TimeZone {
  return resolveTimeZone(user.timeZone) ?? UTC_ZONE;
}

export function defaultCalendar(data: UserData): StoredCalendar {
  const calendar = data.calendars.find((candidate) => candidate.isDefaultCalendar);
  if (!calendar) throw new Error("a user without a default calendar");
  return calendar;
}

export function findCalendar(data: UserData, id: string): StoredCalendar {
  const calendar = data.calendars.find((candidate) => candidate.id === id);
  if (!calendar) throw notFound();
  return calendar;
}

/** "UTC" dateTimeTimeZone of an instant, as the store keeps timed events. */
export function storedDateTime(time: number): DateTimeTimeZone {
  return { dateTime: new Date(time).toISOString().replace(/Z$/, "0000"), timeZone: "UTC" };
}

/** All-day events float: the store keeps their dates as midnight, labelled UTC. */
export function floatingDate(wall: Pick<WallClock, "year" | "month" | "day">): DateTimeTimeZone {
  return { dateTime: `${formatWall({ ...wall, hour: 0, minute: 0, second: 0 })}.0000000`, timeZone: "UTC" };
}

/** The zone a series repeats in: its recurrence time zone, else the zone it was created in. */
export function seriesZone(event: Event): TimeZone {
  return (
    resolveTimeZone(event.recurrence?.range?.recurrenceTimeZone) ??
    resolveTimeZone(event.originalStartTimeZone) ??
    UTC_ZONE
  );
}

/** Start and end instants of a stored event (or override); all-day dates are midnights in `viewZone`. */
export function spanOf(event: Partial<Event>, viewZone: TimeZone): { start: number; end: number } {
  const read = (value: DateTimeTimeZone | null | undefined) => {
    const text = value?.dateTime ?? "";
    if (event.isAllDay) {
      const wall = parseWall(text.slice(0, 10));
      return wall ? zonedToUtc(wall, viewZone.iana) : NaN;
    }
    return instantOf(text, resolveTimeZone(value?.timeZone) ?? UTC_ZONE) ?? NaN;
  };
  return { start: read(event.start), end: read(event.end) };
}

/** One instance on a calendar: a single event, or one occurrence of a series (`key` set). */
export interface Instance {
  event: StoredEvent;
  /** Occurrences: the original start, wall-clock in the series zone ("2026-11-23T08:45:00"). */
  key?: string;
  start: number;
  end: number;
  /** Occurrences: the original start instant. */
  originalStart?: number;
}

/** The id Graph gives one occurrence of a series. */
export function occurrenceId(masterId: string, key: string): string {
  return `${masterId}OCC${key.replace(/\D/g, "")}=`;
}

function parseOccurrenceId(id: string): { masterId: string; key: string } | undefined {
  const match = /^(.+)OCC(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})=$/.exec(id);
  if (!match) return undefined;
  const [, masterId, year, month, day, hour, minute, second] = match;
  return { masterId: masterId!, key: `${year}-${month}-${day}T${hour}:${minute}:${second}` };
}

/** The effective event of an instance: the master with the occurrence's changes. */
export function effective(event: StoredEvent, key: string | undefined): StoredEvent {
  const override = key ? event.exceptions?.[key] : undefined;
  return override ? { ...event, ...override } : event;
}

/**
 * Every occurrence of a series as (key, original start, start, end), in
 * order, while `until` is not passed by the original start.
 */
function* occurrencesOf(
  event: StoredEvent,
  viewZone: TimeZone,
  until: number,
): Generator<{ key: string; originalStart: number; start: number; end: number; deleted: boolean }> {
  if (!event.recurrence) return;
  const zone = event.isAllDay ? viewZone : seriesZone(event);
  const span = spanOf(event, zone);
  const first = event.isAllDay
    ? parseWall((event.start?.dateTime ?? "").slice(0, 10))
    : wallClock(span.start, zone.iana);
  if (!first || Number.isNaN(span.start)) return;
  const duration = span.end - span.start;
  for (const day of occurrenceDays(event.recurrence)) {
    const wall = { ...dateOfDay(day), hour: first.hour, minute: first.minute, second: first.second };
    const originalStart = zonedToUtc(wall, zone.iana);
    if (originalStart > until) return;
    const key = formatWall(wall);
    const override = event.exceptions?.[key];
    if (override === null) {
      yield { key, originalStart, start: originalStart, end: originalStart + duration, deleted: true };
      continue;
    }
    const moved =
      override?.start || override?.end ? spanOf({ isAllDay: event.isAllDay, ...override }, zone) : undefined;
    const start = override?.start && moved ? moved.start : originalStart;
    const end = override?.end && moved ? moved.end : start + duration;
    yield { key, originalStart, start, end, deleted: false };
  }
}

/** The instances of a stored event that overlap [from, to): itself, or its series' occurrences. */
export function instancesOf(event: StoredEvent, viewZone: TimeZone, from: number, to: number): Instance[] {
  if (!event.recurrence) {
    const { start, end } = spanOf(event, viewZone);
    const overlaps = start < to && (end > from || (end === start && start >= from));
    return overlaps ? [{ event, start, end }] : [];
  }
  const instances: Instance[] = [];
  for (const occurrence of occurrencesOf(event, viewZone, to + EXCEPTION_REACH)) {
    if (occurrence.deleted || occurrence.originalStart < from - EXCEPTION_REACH) continue;
    if (occurrence.start < to && occurrence.end > from) {
      instances.push({
        event,
        key: occurrence.key,
        start: occurrence.start,
        end: occurrence.end,
        originalStart: occurrence.originalStart,
      });
    }
  }
  return instances;
}

/** Whether `key` is an occurrence of the series (not deleted). */
function hasOccurrence(
  event: StoredEvent,
  key: string,
): { originalStart: number; start: number; end: number } | undefined {
  const wall = parseWall(key);
  if (!wall || !event.recurrence) return undefined;
  const zone = event.isAllDay ? UTC_ZONE : seriesZone(event);
  const target = zonedToUtc(wall, zone.iana);
  for (const occurrence of occurrencesOf(event, zone, target)) {
    if (occurrence.key === key) return occurrence.deleted ? undefined : occurrence;
  }
  return undefined;
}

/** An event or an occurrence of a series by id, in one user's calendars. */
export function findInstance(data: UserData, id: string): Instance {
  const event = data.events.find((candidate) => candidate.id === id);
  if (event) {
    const { start, end } = spanOf(event, UTC_ZONE);
    return { event, start, end };
  }
  const occurrence = parseOccurrenceId(id);
  const master = occurrence && data.events.find((candidate) => candidate.id === occurrence.masterId);
  const found = master && hasOccurrence(master, occurrence.key);
  if (!master || !found || !occurrence) throw notFound();
  return { event: master, key: occurrence.key, ...found };
}

/** A new changeKey and lastModifiedDateTime: the event changed. */
export function touch(event: Partial<Event>): void {
  event.changeKey = randomBytes(16).toString("base64");
  event.lastModifiedDateTime = isoSeconds(Date.now());
}

/** Applies changes to an instance: the stored event, or the occurrence's exception. */
export function changeInstance(event: StoredEvent, key: string | undefined, changes: Partial<Event>): void {
  if (key) {
    event.exceptions = { ...event.exceptions, [key]: { ...event.exceptions?.[key], ...changes } };
  } else {
    Object.assign(event, changes);
  }
  touch(event);
}

/** Removes an instance: the stored event, or one occurrence of its series. */
export function removeInstance(data: UserData, event: StoredEvent, key: string | undefined): void {
  if (key) {
    event.exceptions = { ...event.exceptions, [key]: null };
    touch(event);
  } else {
    data.events = data.events.filter((candidate) => candidate !== event);
  }
}

/** The other demo users' copies of a meeting (same iCalUId). */
export function copiesOf(
  state: { dataOf(userId: string): UserData },
  ownerId: string,
  event: Event,
): { user: DemoUser; event: StoredEvent }[] {
  if (!event.iCalUId) return [];
  return DEMO_USERS.filter((user) => user.id !== ownerId).flatMap((user) =>
    state
      .dataOf(user.id)
      .events.filter((candidate) => candidate.iCalUId === event.iCalUId)
      .map((copy) => ({ user, event: copy })),
  );
}

/** A new event id, shaped like Exchange's. */
export function newEventId(): string {
  return `AAMkAGI2${randomBytes(90).toString("base64url").slice(0, 120)}AAA=`;
}

export function emailOf(user: DemoUser): EmailAddress {
  return { name: user.displayName, address: user.mail };
}

export function attendeeStatus(response: ResponseType, time = NEVER): Attendee["status"] {
  return { response, time };
}

/** A Teams join link like the ones Teams hands out. */
export function teamsJoinUrl(seed: string): string {
  return `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${stableGuid("meeting", seed).replace(/-/g, "").slice(0, 32)}%40thread.v2/0?context=%7b%22Tid%22%3a%226f1c9e43-2b7d-4c55-9a8e-3d2f0b7a1c00%22%7d`;
}

/** The Teams block Exchange adds to the body of an online meeting. */
export function teamsBlock(joinUrl: string): string {
  return `<div style="width:100%"><span style="white-space:nowrap;color:#5F5F5F;opacity:.36">________________________________________________________________________________</span></div><div class="me-email-text" lang="en-US" style="color:#252424;font-family:'Segoe UI',sans-serif"><div style="margin-top:24px;margin-bottom:20px"><span style="font-size:24px;color:#252424">Microsoft Teams meeting</span></div><div style="margin-bottom:20px"><div style="margin-top:0px;margin-bottom:0px;font-weight:bold"><span style="font-size:14px;color:#252424">Join on your computer, mobile app or room device</span></div><a href="${escapeHtml(joinUrl)}" target="_blank" rel="noreferrer noopener" style="font-size:14px;font-family:'Segoe UI Semibold','Segoe UI',sans-serif;text-decoration:underline;color:#6264a7">Click here to join the meeting</a></div></div>`;
}

/** An HTML document around an event body, as Exchange stores it. */
export function eventBodyHtml(inner: string): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${inner}</body></html>`;
}

export interface NewEvent {
  id: string;
  calendarId: string;
  subject: string;
  /** HTML inside <body>. */
  html: string;
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  /** The zone the organizer created it in (Windows or IANA name). */
  timeZone: string;
  isAllDay: boolean;
  location: string;
  organizer: EmailAddress;
  attendees: Attendee[];
  response: ResponseType;
  responseTime?: string;
  showAs: NonNullable<Event["showAs"]>;
  joinUrl?: string;
  recurrence?: Event["recurrence"];
  exceptions?: StoredEvent["exceptions"];
  iCalUId: string;
  created: string;
  reminderMinutes?: number;
  importance?: Event["importance"];
  sensitivity?: Event["sensitivity"];
  categories?: string[];
}

/** An event with every property Exchange keeps, as the store holds it. */
export function buildEvent(spec: NewEvent): StoredEvent {
  const content = eventBodyHtml(`${spec.html}${spec.joinUrl ? teamsBlock(spec.joinUrl) : ""}`);
  const location = spec.location
    ? {
        displayName: spec.location,
        locationType: "default" as const,
        uniqueIdType: "private" as const,
        uniqueId: stableGuid(spec.location),
      }
    : { displayName: "", locationType: "default" as const, uniqueIdType: "unknown" as const };
  return {
    id: spec.id,
    calendarId: spec.calendarId,
    createdDateTime: spec.created,
    lastModifiedDateTime: spec.created,
    changeKey: randomBytes(16).toString("base64"),
    categories: spec.categories ?? [],
    transactionId: null,
    originalStartTimeZone: spec.timeZone,
    originalEndTimeZone: spec.timeZone,
    iCalUId: spec.iCalUId,
    reminderMinutesBeforeStart: spec.reminderMinutes ?? (spec.isAllDay ? 1080 : 15),
    isReminderOn: spec.reminderMinutes !== undefined ? spec.reminderMinutes >= 0 : !spec.isAllDay,
    hasAttachments: false,
    subject: spec.subject,
    bodyPreview: bodyPreview(htmlToText(content)),
    importance: spec.importance ?? "normal",
    sensitivity: spec.sensitivity ?? "normal",
    isAllDay: spec.isAllDay,
    isCancelled: false,
    isOrganizer: spec.response === "organizer",
    responseRequested: true,
    seriesMasterId: null,
    showAs: spec.showAs,
    type: spec.recurrence ? "seriesMaster" : "singleInstance",
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(spec.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: spec.joinUrl !== undefined,
    onlineMeetingProvider: spec.joinUrl ? "teamsForBusiness" : "unknown",
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { response: spec.response, time: spec.responseTime ?? NEVER },
    body: { contentType: "html", content },
    start: spec.start,
    end: spec.end,
    location,
    locations: spec.location ? [location] : [],
    recurrence: spec.recurrence ?? null,
    attendees: spec.attendees,
    organizer: { emailAddress: spec.organizer },
    onlineMeeting: spec.joinUrl ? { joinUrl: spec.joinUrl } : null,
    ...(spec.exceptions ? { exceptions: spec.exceptions } : {}),
  };
}

/**
 * An attendee's copy of a meeting: the same meeting (iCalUId, times,
 * attendees) in their default calendar, not yet answered (shown tentative).
 */
export function attendeeCopy(
  organizerEvent: StoredEvent,
  attendee: DemoUser,
  data: UserData,
  response: ResponseType = "notResponded",
): StoredEvent {
  const copy = structuredClone(organizerEvent);
  const id = newEventId();
  return {
    ...copy,
    id,
    calendarId: defaultCalendar(data).id,
    changeKey: randomBytes(16).toString("base64"),
    isOrganizer: false,
    responseStatus: { response, time: NEVER },
    showAs: response === "accepted" ? organizerEvent.showAs : "tentative",
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
  };
}

/** The demo user an address belongs to, if any. */
export function demoUserOf(address: string | null | undefined): DemoUser | undefined {
  return address ? findUser(address) : undefined;
}

/** A user's default-calendar instances in [from, to) that take time (not cancelled, not shown free). */
export function busyInstances(data: UserData, viewZone: TimeZone, from: number, to: number): Instance[] {
  const calendar = defaultCalendar(data);
  return data.events
    .filter((event) => event.calendarId === calendar.id)
    .flatMap((event) => instancesOf(event, viewZone, from, to))
    .filter((instance) => {
      const event = effective(instance.event, instance.key);
      return !event.isCancelled && event.showAs !== "free";
    });
}
