/**
 * Reading event request bodies (POST and PATCH /me/events) and the Prefer
 * header the way Exchange does: dateTimeTimeZone values with Windows or IANA
 * zones, attendees, body, location, recurrence; Graph's errors for the rest.
 */
import type {
  Attendee,
  FreeBusyStatus,
  Importance,
  PatternedRecurrence,
  Sensitivity,
} from "@microsoft/microsoft-graph-types";
import { escapeHtml } from "../html-text.ts";
import { jsonBody } from "../http.ts";
import { instantOf, parseWall, resolveTimeZone, type TimeZone, type WallClock } from "../timezones.ts";
import { attendeeStatus, demoUserOf } from "./calendar-store.ts";
import { readRecurrence } from "./recurrence.ts";
import { GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const SHOW_AS = ["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"] as const;
const IMPORTANCE = ["low", "normal", "high"] as const;
const SENSITIVITY = ["normal", "personal", "private", "confidential"] as const;
const ATTENDEE_TYPES = ["required", "optional", "resource"] as const;

/** Properties of microsoft.graph.event a client may send. */
const WRITABLE = [
  "subject",
  "body",
  "start",
  "end",
  "location",
  "locations",
  "attendees",
  "isAllDay",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "recurrence",
  "reminderMinutesBeforeStart",
  "isReminderOn",
  "showAs",
  "importance",
  "sensitivity",
  "categories",
  "responseRequested",
  "allowNewTimeProposals",
  "hideAttendees",
  "transactionId",
];
/** Read-only properties a client may echo back; Exchange ignores them. */
const IGNORED = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "iCalUId",
  "originalStartTimeZone",
  "originalEndTimeZone",
  "bodyPreview",
  "hasAttachments",
  "isCancelled",
  "isOrganizer",
  "isDraft",
  "seriesMasterId",
  "type",
  "webLink",
  "onlineMeetingUrl",
  "onlineMeeting",
  "organizer",
  "responseStatus",
  "originalStart",
];

export function unreadable(message: string): GraphFailure {
  return new GraphFailure(400, "RequestBodyRead", message);
}

export function invalidRequest(message: string): GraphFailure {
  return new GraphFailure(400, "ErrorInvalidRequest", message);
}

export function unsupportedZone(name: string): GraphFailure {
  return new GraphFailure(
    400,
    "TimeZoneNotSupportedException",
    `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The request's JSON object body. */
export function objectBody(context: GraphContext): Record<string, unknown> {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw unreadable(`Unable to read JSON request payload: ${parsed.error}`);
  if (parsed.value === undefined) return {};
  if (!isObject(parsed.value)) throw unreadable("The request body must be a JSON object.");
  return parsed.value;
}

export function rejectUnknown(body: Record<string, unknown>, known: readonly string[], type: string): void {
  const lower = known.map((name) => name.toLowerCase());
  const unknown = Object.keys(body).find((name) => !name.includes("@odata.") && !lower.includes(name.toLowerCase()));
  if (unknown) {
    throw unreadable(
      `The property '${unknown}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
}

/** A property of the body, matched case-insensitively as Graph does. */
export function property(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/** What `Prefer` asks of a response: a time zone and a body type. */
export interface Preferences {
  zone?: TimeZone;
  bodyType?: "text" | "html";
}

export function preferences(context: GraphContext): Preferences {
  const header = context.request.headers.prefer ?? "";
  const zone = /outlook\.timezone\s*=\s*(?:"([^"]*)"|([^,;\s]+))/i.exec(header);
  const body = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(header);
  const result: Preferences = {};
  if (zone) {
    const name = zone[1] ?? zone[2] ?? "";
    result.zone = resolveTimeZone(name);
    if (!result.zone) throw unsupportedZone(name);
  }
  if (body) result.bodyType = body[1]!.toLowerCase() as "text" | "html";
  return result;
}

/** The Preference-Applied header for what a response honoured. */
export function preferenceApplied(prefs: Preferences, bodyApplies = true): Record<string, string> {
  const applied = [
    ...(prefs.zone ? [`outlook.timezone="${prefs.zone.name}"`] : []),
    ...(prefs.bodyType && bodyApplies ? [`outlook.body-content-type="${prefs.bodyType}"`] : []),
  ];
  return applied.length ? { "Preference-Applied": applied.join(", ") } : {};
}

/** A dateTimeTimeZone of a request: wall-clock time in a zone Exchange knows. */
export interface WhenInput {
  zone: TimeZone;
  wall: WallClock;
  instant: number;
}

export function readWhen(value: unknown, name: string): WhenInput {
  if (!isObject(value))
    throw unreadable(`Cannot read '${name}': a dateTimeTimeZone { dateTime, timeZone } was expected.`);
  const dateTime = property(value, "dateTime");
  const timeZone = property(value, "timeZone");
  if (typeof dateTime !== "string") throw unreadable(`Cannot read '${name}': 'dateTime' must be a string.`);
  const zone = resolveTimeZone(typeof timeZone === "string" ? timeZone : "");
  if (!zone) throw unsupportedZone(typeof timeZone === "string" ? timeZone : "");
  const instant = instantOf(dateTime, zone);
  const wall = parseWall(dateTime.replace(/(Z|[+-]\d{2}:\d{2})$/i, ""));
  if (instant === undefined || !wall) {
    throw unreadable(`Cannot convert the literal '${dateTime}' of '${name}' to the expected type 'Edm.DateTime'.`);
  }
  return { zone, wall, instant };
}

function readEnum<T extends string>(value: unknown, members: readonly T[], name: string, type: string): T {
  const match = members.find((member) => typeof value === "string" && member.toLowerCase() === value.toLowerCase());
  if (!match) throw unreadable(`The value '${String(value)}' of '${name}' is not a member of '${type}'.`);
  return match;
}

function readString(value: unknown, name: string, max = 255): string {
  if (typeof value !== "string") throw unreadable(`Cannot read '${name}': a string was expected.`);
  if (value.length > max) throw invalidRequest(`'${name}' is longer than ${max} characters.`);
  return value;
}

function readBoolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw unreadable(`Cannot read '${name}': a boolean was expected.`);
  return value;
}

export function readAttendees(value: unknown): Attendee[] {
  if (!Array.isArray(value))
    throw unreadable("Cannot read 'attendees': a collection of microsoft.graph.attendee was expected.");
  const seen = new Set<string>();
  return value.flatMap((entry: unknown) => {
    const emailAddress = isObject(entry) ? property(entry, "emailAddress") : undefined;
    if (!isObject(emailAddress)) throw unreadable('Each attendee must be { "emailAddress": { "address": "..." } }.');
    const address = property(emailAddress, "address");
    const name = property(emailAddress, "name");
    if (typeof address !== "string" || !ADDRESS.test(address)) {
      throw new GraphFailure(
        400,
        "ErrorInvalidRecipients",
        `At least one recipient isn't valid., Recipient '${String(address ?? "")}' is not resolved.`,
      );
    }
    const type =
      isObject(entry) && property(entry, "type") !== undefined
        ? readEnum(property(entry, "type"), ATTENDEE_TYPES, "type", "microsoft.graph.attendeeType")
        : "required";
    if (seen.has(address.toLowerCase())) return [];
    seen.add(address.toLowerCase());
    return [
      {
        type,
        status: attendeeStatus("none"),
        emailAddress: {
          name: typeof name === "string" && name ? name : (demoUserOf(address)?.displayName ?? address),
          address,
        },
      },
    ];
  });
}

/** What a POST or PATCH body asks for, checked. */
export interface EventInput {
  subject?: string;
  /** HTML inside <body>. */
  bodyHtml?: string;
  start?: WhenInput;
  end?: WhenInput;
  isAllDay?: boolean;
  location?: string;
  attendees?: Attendee[];
  isOnlineMeeting?: boolean;
  recurrence?: PatternedRecurrence | null;
  reminderMinutesBeforeStart?: number;
  isReminderOn?: boolean;
  showAs?: FreeBusyStatus;
  importance?: Importance;
  sensitivity?: Sensitivity;
  categories?: string[];
  responseRequested?: boolean;
  allowNewTimeProposals?: boolean;
  hideAttendees?: boolean;
}

function bodyHtml(value: unknown): string {
  if (!isObject(value)) throw unreadable("Cannot read 'body': an itemBody { contentType, content } was expected.");
  const type = property(value, "contentType") ?? "text";
  const content = property(value, "content") ?? "";
  if (typeof content !== "string") throw unreadable("Cannot read 'body': 'content' must be a string.");
  if (readEnum(type, ["text", "html"] as const, "contentType", "microsoft.graph.bodyType") === "html") {
    return /<body\b[^>]*>([\s\S]*?)<\/body\s*>/i.exec(content)?.[1] ?? content;
  }
  return content
    .split(/\r?\n/)
    .map((line) => `<div>${escapeHtml(line) || "<br>"}</div>`)
    .join("");
}

export function readEventInput(body: Record<string, unknown>): EventInput {
  rejectUnknown(body, [...WRITABLE, ...IGNORED], "microsoft.graph.event");
  const get = (name: string) => property(body, name);
  const input: EventInput = {};
  if (get("subject") !== undefined) input.subject = readString(get("subject") ?? "", "subject");
  if (get("body") !== undefined && get("body") !== null) input.bodyHtml = bodyHtml(get("body"));
  if (get("start") !== undefined) input.start = readWhen(get("start"), "start");
  if (get("end") !== undefined) input.end = readWhen(get("end"), "end");
  if (get("isAllDay") !== undefined) input.isAllDay = readBoolean(get("isAllDay"), "isAllDay");
  const location = get("location");
  const locations = get("locations");
  if (location !== undefined || locations !== undefined) {
    const first = location ?? (Array.isArray(locations) ? (locations[0] ?? null) : null);
    if (first !== null && !isObject(first))
      throw unreadable("Cannot read 'location': a microsoft.graph.location was expected.");
    const name = first ? property(first, "displayName") : "";
    input.location = readString(name ?? "", "location/displayName");
  }
  if (get("attendees") !== undefined) input.attendees = readAttendees(get("attendees") ?? []);
  if (get("isOnlineMeeting") !== undefined)
    input.isOnlineMeeting = readBoolean(get("isOnlineMeeting"), "isOnlineMeeting");
  const provider = get("onlineMeetingProvider");
  if (provider !== undefined && provider !== null) {
    readEnum(
      provider,
      ["unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"] as const,
      "onlineMeetingProvider",
      "microsoft.graph.onlineMeetingProviderType",
    );
  }
  if (get("recurrence") !== undefined) input.recurrence = readRecurrence(get("recurrence"));
  const reminder = get("reminderMinutesBeforeStart");
  if (reminder !== undefined) {
    if (!Number.isInteger(reminder) || (reminder as number) < 0 || (reminder as number) > 525_600) {
      throw invalidRequest("reminderMinutesBeforeStart must be an integer from 0 to 525600.");
    }
    input.reminderMinutesBeforeStart = reminder as number;
  }
  if (get("isReminderOn") !== undefined) input.isReminderOn = readBoolean(get("isReminderOn"), "isReminderOn");
  if (get("showAs") !== undefined)
    input.showAs = readEnum(get("showAs"), SHOW_AS, "showAs", "microsoft.graph.freeBusyStatus");
  if (get("importance") !== undefined)
    input.importance = readEnum(get("importance"), IMPORTANCE, "importance", "microsoft.graph.importance");
  if (get("sensitivity") !== undefined)
    input.sensitivity = readEnum(get("sensitivity"), SENSITIVITY, "sensitivity", "microsoft.graph.sensitivity");
  const categories = get("categories");
  if (categories !== undefined) {
    if (!Array.isArray(categories) || categories.some((category) => typeof category !== "string")) {
      throw unreadable("Cannot read 'categories': a collection of strings was expected.");
    }
    input.categories = categories as string[];
  }
  for (const flag of ["responseRequested", "allowNewTimeProposals", "hideAttendees"] as const) {
    if (get(flag) !== undefined) input[flag] = readBoolean(get(flag), flag);
  }
  return input;
}

/** Start and end as the store keeps them, checked: all-day events on midnights, the end after the start. */
export function checkTimes(start: WhenInput, end: WhenInput, isAllDay: boolean): void {
  if (isAllDay) {
    const midnight = (wall: WallClock) => wall.hour === 0 && wall.minute === 0 && wall.second === 0;
    if (!midnight(start.wall) || !midnight(end.wall) || start.zone.iana !== end.zone.iana) {
      throw invalidRequest(
        "Your request can't be completed. If the event is an all-day event, start and end must be midnight in the same time zone.",
      );
    }
  }
  if (end.instant < start.instant) {
    throw new GraphFailure(
      400,
      "ErrorCalendarEndDateIsEarlierThanStartDate",
      "The end date occurs before the start date.",
    );
  }
  if (isAllDay && end.instant === start.instant) {
    throw invalidRequest("Your request can't be completed. An all-day event must last at least one day.");
  }
}
