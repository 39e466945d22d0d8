/**
 * Calendar endpoints: calendars, calendarView (series expanded into
 * occurrences, in the time zone `Prefer: outlook.timezone` asks for, Windows
 * or IANA), events (list, create, read, update, delete), cancel and the
 * meeting responses, with meetings mirrored into the attendees' calendars and
 * answers reported back to the organizer. Free/busy and meeting suggestions
 * are in scheduling.ts.
 */
import type { Attendee, DateTimeTimeZone, Event, ResponseType } from "@microsoft/microsoft-graph-types";
import { isoSeconds } from "../data/time.ts";
import { bodyPreview, htmlToText, escapeHtml } from "../html-text.ts";
import type { StoredCalendar, StoredEvent, UserData } from "../model.ts";
import type { DemoUser } from "../tenant.ts";
import {
  dateOfDay,
  dayNumber,
  localDateTime,
  parseWall,
  UTC_ZONE,
  wallClock,
  zonedToUtc,
  type TimeZone,
} from "../timezones.ts";
import {
  checkTimes,
  invalidRequest,
  objectBody,
  preferenceApplied,
  preferences,
  property,
  readEventInput,
  rejectUnknown,
  unreadable,
  type EventInput,
  type Preferences,
  type WhenInput,
} from "./calendar-input.ts";
import {
  attendeeCopy,
  attendeeStatus,
  buildEvent,
  changeInstance,
  copiesOf,
  defaultCalendar,
  demoUserOf,
  effective,
  emailOf,
  eventBodyHtml,
  FULL_READ,
  findCalendar,
  findInstance,
  floatingDate,
  instancesOf,
  newEventId,
  occurrenceId,
  READ_CALENDARS,
  removeInstance,
  seriesZone,
  spanOf,
  storedDateTime,
  teamsBlock,
  teamsJoinUrl,
  userZone,
  type Instance,
} from "./calendar-store.ts";
import { queryCollection, type CollectionSpec } from "./odata/collection.ts";
import { parseSearch, type SearchSpec } from "./odata/search.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { occurrenceDays } from "./recurrence.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { schedulingRoutes } from "./scheduling.ts";
import { registerSearchProvider, type SearchHit } from "./search-index.ts";

const WRITE_CALENDARS = ["Calendars.ReadWrite", "Calendars.ReadWrite.Shared"];

export const EVENT_SCHEMA: EntitySchema = {
  type: "microsoft.graph.event",
  properties: [
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "isDraft",
    "hideAttendees",
    "originalStart",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "recurrence",
    "attendees",
    "organizer",
    "onlineMeeting",
  ],
  alwaysSelected: ["id"],
};

const CALENDAR_SCHEMA: EntitySchema = {
  type: "microsoft.graph.calendar",
  properties: [
    "id",
    "name",
    "color",
    "hexColor",
    "isDefaultCalendar",
    "changeKey",
    "canShare",
    "canViewPrivateItems",
    "canEdit",
    "isRemovable",
    "isTallyingResponses",
    "allowedOnlineMeetingProviders",
    "defaultOnlineMeetingProvider",
    "owner",
  ],
  alwaysSelected: ["id"],
};

const EVENT_COLLECTION: CollectionSpec<Record<string, unknown>> = {
  entity: EVENT_SCHEMA,
  filter: {
    subject: { kind: "string" },
    isAllDay: { kind: "boolean" },
    isCancelled: { kind: "boolean" },
    isOrganizer: { kind: "boolean" },
    isOnlineMeeting: { kind: "boolean" },
    showAs: {
      kind: "enum",
      type: "microsoft.graph.freeBusyStatus",
      members: ["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"],
    },
    type: {
      kind: "enum",
      type: "microsoft.graph.eventType",
      members: ["singleInstance", "occurrence", "exception", "seriesMaster"],
    },
    importance: { kind: "enum", type: "microsoft.graph.importance", members: ["low", "normal", "high"] },
    "organizer/emailAddress/address": { kind: "string" },
    "responseStatus/response": {
      kind: "enum",
      type: "microsoft.graph.responseType",
      members: ["none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"],
    },
    seriesMasterId: { kind: "string" },
    iCalUId: { kind: "string" },
    createdDateTime: { kind: "dateTime" },
    lastModifiedDateTime: { kind: "dateTime" },
  },
  sortable: ["start/dateTime", "end/dateTime", "subject", "createdDateTime", "lastModifiedDateTime", "importance"],
  defaultOrder: [{ property: "start/dateTime", descending: false }],
  defaultTop: 10,
  maxTop: 1000,
};

const CALENDAR_COLLECTION: CollectionSpec<StoredCalendar> = {
  entity: CALENDAR_SCHEMA,
  filter: { name: { kind: "string" }, isDefaultCalendar: { kind: "boolean" }, canEdit: { kind: "boolean" } },
  sortable: ["name"],
  defaultOrder: [],
  defaultTop: 10,
  maxTop: 1000,
};

function dataOf(context: GraphContext): UserData {
  return context.state.dataOf(context.user.id);
}

function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#users('${context.user.id}')/${path}`;
}

function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

function readsBodies(context: GraphContext): boolean {
  return FULL_READ.some((scope) => context.grant.scopes.includes(scope));
}

/**
 * An event or an occurrence as Graph returns it: times in `zone`, the body as
 * the Prefer header asks. All-day events float: their dates are the days of
 * the instance in `viewZone` (the zone their instance times were laid out in).
 */
export function presentEvent(
  context: GraphContext,
  instance: Pick<Instance, "event" | "key"> & Partial<Pick<Instance, "start" | "end">>,
  zone: TimeZone,
  prefs: Preferences,
  viewZone: TimeZone = zone,
): Record<string, unknown> {
  const { event: master, key } = instance;
  const merged = effective(master, key);
  const { calendarId: _calendarId, exceptions: _exceptions, ...stored } = merged;
  const span =
    key && instance.start !== undefined && instance.end !== undefined
      ? { start: instance.start, end: instance.end }
      : spanOf(merged, viewZone);
  const inZone = (which: "start" | "end") =>
    merged.isAllDay
      ? { dateTime: `${localDateTime(span[which], viewZone.iana).slice(0, 10)}T00:00:00.0000000`, timeZone: zone.name }
      : { dateTime: localDateTime(span[which], zone.iana), timeZone: zone.name };
  let body = stored.body;
  if (prefs.bodyType === "text" && body?.contentType === "html") {
    body = { contentType: "text", content: htmlToText(body.content ?? "") };
  }
  const resource: Record<string, unknown> = {
    "@odata.etag": `W/"${merged.changeKey}"`,
    ...stored,
    id: key ? occurrenceId(master.id, key) : master.id,
    type: key
      ? master.exceptions?.[key]
        ? "exception"
        : "occurrence"
      : master.recurrence
        ? "seriesMaster"
        : "singleInstance",
    seriesMasterId: key ? master.id : null,
    recurrence: key ? null : (master.recurrence ?? null),
    body,
    start: inZone("start"),
    end: inZone("end"),
  };
  if (key) {
    const wall = parseWall(key);
    const seriesIn = master.isAllDay ? zone : seriesZone(master);
    if (wall) resource.originalStart = isoSeconds(zonedToUtc(wall, seriesIn.iana));
  }
  if (!readsBodies(context)) {
    delete resource.body;
    delete resource.bodyPreview;
  }
  return resource;
}

/** startDateTime and endDateTime of a calendarView or instances request (required, as Graph requires them). */
function timeWindow(context: GraphContext): { from: number; to: number } {
  const read = (name: string) => {
    const entry = [...context.query].find(([key]) => key.toLowerCase() === name.toLowerCase());
    return entry?.[1];
  };
  const start = read("startDateTime");
  const end = read("endDateTime");
  if (!start || !end) {
    throw new GraphFailure(
      400,
      "ErrorInvalidParameter",
      "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    );
  }
  const parse = (value: string, name: string) => {
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
    const time = iso ? Date.parse(iso[4] ? value.trim() : `${value.trim()}${iso[1] ? "" : "T00:00:00"}Z`) : NaN;
    if (Number.isNaN(time)) {
      throw new GraphFailure(400, "ErrorInvalidParameter", `The value '${value}' of parameter '${name}' is invalid.`);
    }
    return time;
  };
  const from = parse(start, "StartDateTime");
  const to = parse(end, "EndDateTime");
  if (to < from) {
    throw new GraphFailure(
      400,
      "ErrorInvalidParameter",
      "The parameter 'EndDateTime' must be later than 'StartDateTime'.",
    );
  }
  return { from, to };
}

function listPage(context: GraphContext, resources: Record<string, unknown>[], path: string, prefs: Preferences) {
  const select = parseSelect(context.query, EVENT_SCHEMA);
  const page = queryCollection(context.request, resources, EVENT_COLLECTION);
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": metadata(context, `${path}${selection(select)}`),
      ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
      value: page.items.map((resource) => applySelect(resource, EVENT_SCHEMA, select)),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
    },
    preferenceApplied(prefs),
  );
}

function calendarView(context: GraphContext, calendar: StoredCalendar, path: string) {
  const { from, to } = timeWindow(context);
  const prefs = preferences(context);
  const zone = prefs.zone ?? UTC_ZONE;
  // All-day events float: without a preference they fall on the mailbox's days.
  const viewZone = prefs.zone ?? userZone(context.user);
  const instances = dataOf(context)
    .events.filter((event) => event.calendarId === calendar.id)
    .flatMap((event) => instancesOf(event, viewZone, from, to));
  return listPage(
    context,
    instances.map((instance) => presentEvent(context, instance, zone, prefs, viewZone)),
    path,
    prefs,
  );
}

function listEvents(context: GraphContext, calendar: StoredCalendar, path: string) {
  const prefs = preferences(context);
  const zone = prefs.zone ?? UTC_ZONE;
  const events = dataOf(context).events.filter((event) => event.calendarId === calendar.id);
  return listPage(
    context,
    events.map((event) => presentEvent(context, { event }, zone, prefs)),
    path,
    prefs,
  );
}

function presentCalendar(calendar: StoredCalendar, select: readonly string[] | undefined): Record<string, unknown> {
  return applySelect({ ...calendar }, CALENDAR_SCHEMA, select);
}

function writableCalendar(data: UserData, event: StoredEvent): StoredCalendar {
  const calendar = findCalendar(data, event.calendarId);
  if (!calendar.canEdit) {
    throw new GraphFailure(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  return calendar;
}

/** A joinable Teams meeting for an event turned online. */
function onlineFields(event: StoredEvent): Partial<Event> {
  const joinUrl = teamsJoinUrl(`${event.iCalUId}:${Date.now()}`);
  const content = event.body?.content ?? "";
  return {
    isOnlineMeeting: true,
    onlineMeetingProvider: "teamsForBusiness",
    onlineMeeting: { joinUrl },
    body: { contentType: "html", content: content.replace(/<\/body>/i, `${teamsBlock(joinUrl)}</body>`) },
  };
}

function bodyFields(html: string): Partial<Event> {
  const content = eventBodyHtml(html);
  return { body: { contentType: "html", content }, bodyPreview: bodyPreview(htmlToText(content)) };
}

function locationFields(name: string): Partial<Event> {
  const location = name
    ? { displayName: name, locationType: "default" as const, uniqueIdType: "private" as const }
    : { displayName: "", locationType: "default" as const, uniqueIdType: "unknown" as const };
  return { location, locations: name ? [location] : [] };
}

/** The store's start and end for a request's times: UTC instants, or floating dates for all-day events. */
function storedTimes(
  start: WhenInput,
  end: WhenInput,
  isAllDay: boolean,
): { start: DateTimeTimeZone; end: DateTimeTimeZone } {
  return isAllDay
    ? { start: floatingDate(start.wall), end: floatingDate(end.wall) }
    : { start: storedDateTime(start.instant), end: storedDateTime(end.instant) };
}

/** A series starts on its first occurrence: Exchange moves the start to the first date the pattern yields. */
function alignToSeries(input: EventInput, start: WhenInput, end: WhenInput): { start: WhenInput; end: WhenInput } {
  if (!input.recurrence) return { start, end };
  const first = occurrenceDays(input.recurrence).next().value;
  if (first === undefined) throw invalidRequest("The recurrence has no occurrences.");
  const shift = first - dayNumber(start.wall);
  if (shift === 0) return { start, end };
  const move = (when: WhenInput): WhenInput => {
    const date = dateOfDay(dayNumber(when.wall) + shift);
    const wall = { ...when.wall, year: date.year, month: date.month, day: date.day };
    return { zone: when.zone, wall, instant: zonedToUtc(wall, when.zone.iana) };
  };
  return { start: move(start), end: move(end) };
}

/** Invitations: a copy of the meeting in the calendar of each attendee who is a user of the tenant. */
function invite(context: GraphContext, event: StoredEvent, attendees: readonly Attendee[]): void {
  for (const attendee of attendees) {
    const user = demoUserOf(attendee.emailAddress?.address);
    if (!user || user.id === context.user.id) continue;
    const data = context.state.dataOf(user.id);
    if (data.events.some((candidate) => candidate.iCalUId === event.iCalUId)) continue;
    data.events.push(attendeeCopy(event, user, data));
  }
}

function createEvent(context: GraphContext, calendar: StoredCalendar) {
  if (!calendar.canEdit) {
    throw new GraphFailure(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  const prefs = preferences(context);
  const body = objectBody(context);
  const input = readEventInput(body);
  const transactionId = property(body, "transactionId");
  if (transactionId !== undefined && transactionId !== null && typeof transactionId !== "string") {
    throw unreadable("'transactionId' must be a string.");
  }
  if (!input.start || !input.end) {
    throw invalidRequest("Your request can't be completed. An event needs both a start and an end.");
  }
  const isAllDay = input.isAllDay ?? false;
  checkTimes(input.start, input.end, isAllDay);
  const { start, end } = alignToSeries(input, input.start, input.end);
  const recurrence = input.recurrence
    ? {
        ...input.recurrence,
        range: {
          ...input.recurrence.range,
          recurrenceTimeZone: input.recurrence.range?.recurrenceTimeZone ?? start.zone.name,
        },
      }
    : undefined;
  // transactionId: "a custom identifier specified by a client app for the server to avoid redundant POST
  // operations in case of client retries" (event resource type). The docs do not say what a repeat answers;
  // the emulator answers with the event created first, as a fresh creation would.
  const repeated = transactionId
    ? dataOf(context).events.find((event) => event.transactionId === transactionId)
    : undefined;
  if (repeated) {
    return graphJson(
      context.request,
      201,
      {
        "@odata.context": metadata(context, "events/$entity"),
        ...presentEvent(context, { event: repeated }, prefs.zone ?? start.zone, prefs),
      },
      preferenceApplied(prefs),
    );
  }
  const id = newEventId();
  const attendees = input.attendees ?? [];
  const times = storedTimes(start, end, isAllDay);
  const event = buildEvent({
    id,
    calendarId: calendar.id,
    subject: input.subject ?? "",
    html: input.bodyHtml ?? "",
    ...times,
    timeZone: start.zone.name,
    isAllDay,
    location: input.location ?? "",
    organizer: emailOf(context.user),
    attendees,
    response: "organizer",
    showAs: input.showAs ?? "busy",
    joinUrl: input.isOnlineMeeting ? teamsJoinUrl(id) : undefined,
    recurrence,
    iCalUId: `040000008200E00074C5B7101A82E008${Buffer.from(id).toString("hex").slice(16, 64).toUpperCase()}`,
    created: isoSeconds(Date.now()),
    reminderMinutes: input.reminderMinutesBeforeStart,
    importance: input.importance,
    sensitivity: input.sensitivity,
    categories: input.categories,
  });
  if (input.isReminderOn !== undefined) event.isReminderOn = input.isReminderOn;
  if (transactionId) event.transactionId = transactionId;
  for (const flag of ["responseRequested", "allowNewTimeProposals", "hideAttendees"] as const) {
    if (input[flag] !== undefined) event[flag] = input[flag];
  }
  dataOf(context).events.push(event);
  invite(context, event, attendees);
  const zone = prefs.zone ?? start.zone;
  return graphJson(
    context.request,
    201,
    {
      "@odata.context": metadata(context, "events/$entity"),
      ...presentEvent(context, { event }, zone, prefs),
    },
    preferenceApplied(prefs),
  );
}

/** Properties of the organizer's changes that reach the attendees' copies. */
const SHARED_PROPERTIES = [
  "subject",
  "body",
  "bodyPreview",
  "start",
  "end",
  "isAllDay",
  "location",
  "locations",
  "recurrence",
  "attendees",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "onlineMeeting",
  "importance",
  "sensitivity",
  "isCancelled",
] as const;

function sharedChanges(changes: Partial<Event>): Partial<Event> {
  return Object.fromEntries(
    Object.entries(changes).filter(([name]) => (SHARED_PROPERTIES as readonly string[]).includes(name)),
  ) as Partial<Event>;
}

/** A cancelled meeting as it stays in the attendees' calendars. */
function cancellation(event: Event, comment: string | undefined): Partial<Event> {
  const subject = event.subject ?? "";
  const changes: Partial<Event> = {
    isCancelled: true,
    subject: subject.startsWith("Canceled: ") ? subject : `Canceled: ${subject}`,
  };
  if (comment) {
    Object.assign(
      changes,
      bodyFields(
        `<div>${escapeHtml(comment)}</div><hr>${(event.body?.content ?? "").replace(/^[\s\S]*<body[^>]*>|<\/body>[\s\S]*$/gi, "")}`,
      ),
    );
  }
  return changes;
}

/** The organizer changed a meeting: the attendees' copies follow; added attendees are invited, removed ones get a cancellation. */
function propagate(
  context: GraphContext,
  event: StoredEvent,
  key: string | undefined,
  changes: Partial<Event>,
  before: readonly Attendee[],
): void {
  const shared = sharedChanges(changes);
  const copies = copiesOf(context.state, context.user.id, event);
  const after = effective(event, key).attendees ?? [];
  const addresses = (list: readonly Attendee[]) =>
    new Set(list.map((entry) => entry.emailAddress?.address?.toLowerCase()));
  const remaining = addresses(after);
  for (const copy of copies) {
    if (!remaining.has(copy.user.mail.toLowerCase()) && changes.attendees) {
      changeInstance(copy.event, key, cancellation(effective(copy.event, key), undefined));
      continue;
    }
    if (Object.keys(shared).length) changeInstance(copy.event, key, shared);
  }
  if (changes.attendees && !key) {
    const existing = addresses(before);
    invite(
      context,
      event,
      after.filter((entry) => !existing.has(entry.emailAddress?.address?.toLowerCase())),
    );
  }
}

function updateEvent(context: GraphContext) {
  const data = dataOf(context);
  const prefs = preferences(context);
  const instance = findInstance(data, context.params.eventId ?? "");
  const { event, key } = instance;
  writableCalendar(data, event);
  const input = readEventInput(objectBody(context));
  if (key && input.recurrence !== undefined) {
    throw invalidRequest(
      "Your request can't be completed. The recurrence of an occurrence can't be changed; change the series.",
    );
  }
  const current = effective(event, key);
  const changes: Partial<Event> = {};
  if (input.subject !== undefined) changes.subject = input.subject;
  if (input.bodyHtml !== undefined) Object.assign(changes, bodyFields(input.bodyHtml));
  if (input.location !== undefined) Object.assign(changes, locationFields(input.location));
  for (const name of [
    "showAs",
    "importance",
    "sensitivity",
    "categories",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "responseRequested",
    "allowNewTimeProposals",
    "hideAttendees",
  ] as const) {
    if (input[name] !== undefined) (changes as Record<string, unknown>)[name] = input[name];
  }
  if (input.attendees !== undefined) {
    // Answers already given stay with the attendees who remain.
    const known = new Map(
      (current.attendees ?? []).map((entry) => [entry.emailAddress?.address?.toLowerCase(), entry]),
    );
    changes.attendees = input.attendees.map((entry) => ({
      ...entry,
      status: known.get(entry.emailAddress?.address?.toLowerCase())?.status ?? attendeeStatus("none"),
    }));
  }
  const isAllDay = input.isAllDay ?? current.isAllDay ?? false;
  if (input.start || input.end || input.isAllDay !== undefined) {
    const zone = input.start?.zone ?? input.end?.zone ?? UTC_ZONE;
    // An occurrence's times are its own (found with it), not the series'; all-day dates float (found at UTC midnight).
    const span = key ? { start: instance.start, end: instance.end } : spanOf(current, UTC_ZONE);
    const fromStore = (time: number): WhenInput => {
      const wall = wallClock(time, current.isAllDay ? "UTC" : zone.iana);
      return { zone, wall, instant: current.isAllDay ? zonedToUtc(wall, zone.iana) : time };
    };
    const start = input.start ?? fromStore(span.start);
    let end = input.end ?? fromStore(span.end);
    if (input.start && !input.end) {
      // A new start alone moves the event and keeps its length.
      const instant = input.start.instant + (span.end - span.start);
      end = { zone: input.start.zone, wall: wallClock(instant, input.start.zone.iana), instant };
    }
    checkTimes(start, end, isAllDay);
    Object.assign(changes, storedTimes(start, end, isAllDay), { isAllDay });
    if (!key && input.start) {
      changes.originalStartTimeZone = start.zone.name;
      changes.originalEndTimeZone = end.zone.name;
    }
  }
  if (input.recurrence !== undefined) {
    changes.recurrence = input.recurrence
      ? {
          ...input.recurrence,
          range: {
            ...input.recurrence.range,
            recurrenceTimeZone: input.recurrence.range?.recurrenceTimeZone ?? current.originalStartTimeZone ?? "UTC",
          },
        }
      : null;
    if (!key) changes.type = input.recurrence ? "seriesMaster" : "singleInstance";
  }
  if (input.isOnlineMeeting === true && !current.isOnlineMeeting) Object.assign(changes, onlineFields(event));
  if (input.isOnlineMeeting === false && current.isOnlineMeeting) {
    Object.assign(changes, { isOnlineMeeting: false, onlineMeetingProvider: "unknown", onlineMeeting: null });
  }
  const before = current.attendees ?? [];
  changeInstance(event, key, changes);
  if (event.isOrganizer) propagate(context, event, key, changes, before);
  const zone = prefs.zone ?? input.start?.zone ?? UTC_ZONE;
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": metadata(context, "events/$entity"),
      ...presentEvent(context, findInstance(data, context.params.eventId ?? ""), zone, prefs, UTC_ZONE),
    },
    preferenceApplied(prefs),
  );
}

/** The organizer deletes or cancels a meeting: it stays in the attendees' calendars, cancelled. */
function cancelForAttendees(
  context: GraphContext,
  event: StoredEvent,
  key: string | undefined,
  comment?: string,
): number {
  const copies = copiesOf(context.state, context.user.id, event);
  for (const copy of copies) changeInstance(copy.event, key, cancellation(effective(copy.event, key), comment));
  return copies.length;
}

function deleteEvent(context: GraphContext) {
  const data = dataOf(context);
  const { event, key } = findInstance(data, context.params.eventId ?? "");
  writableCalendar(data, event);
  if (event.isOrganizer && (effective(event, key).attendees ?? []).length > 0) cancelForAttendees(context, event, key);
  removeInstance(data, event, key);
  return graphEmpty(context.request, 204);
}

function cancelEvent(context: GraphContext) {
  const data = dataOf(context);
  const { event, key } = findInstance(data, context.params.eventId ?? "");
  const body = objectBody(context);
  rejectUnknown(body, ["comment"], "microsoft.graph.event.cancel");
  const comment = property(body, "comment");
  if (comment !== undefined && comment !== null && typeof comment !== "string") {
    throw new GraphFailure(400, "RequestBodyRead", "Cannot read 'Comment': a string was expected.");
  }
  if (!event.isOrganizer) {
    throw invalidRequest("Your request can't be completed. You need to be an organizer to cancel a meeting.");
  }
  writableCalendar(data, event);
  cancelForAttendees(context, event, key, (comment as string | undefined) ?? undefined);
  removeInstance(data, event, key);
  return graphEmpty(context.request, 202);
}

const RESPONSES: Record<string, ResponseType> = {
  accept: "accepted",
  tentativelyAccept: "tentativelyAccepted",
  decline: "declined",
};

/** The organizer's own event of a meeting, to record an attendee's answer on. */
function organizerEventOf(
  context: GraphContext,
  event: StoredEvent,
): { user: DemoUser; event: StoredEvent } | undefined {
  return copiesOf(context.state, context.user.id, event).find(
    (copy) =>
      copy.event.isOrganizer && copy.user.mail.toLowerCase() === event.organizer?.emailAddress?.address?.toLowerCase(),
  );
}

function respond(context: GraphContext, action: "accept" | "tentativelyAccept" | "decline") {
  const data = dataOf(context);
  const { event, key } = findInstance(data, context.params.eventId ?? "");
  const body = objectBody(context);
  rejectUnknown(body, ["comment", "sendResponse", "proposedNewTime"], `microsoft.graph.event.${action}`);
  const comment = property(body, "comment");
  const sendResponse = property(body, "sendResponse");
  if (comment !== undefined && comment !== null && typeof comment !== "string") {
    throw new GraphFailure(400, "RequestBodyRead", "Cannot read 'Comment': a string was expected.");
  }
  if (sendResponse !== undefined && sendResponse !== null && typeof sendResponse !== "boolean") {
    throw new GraphFailure(400, "RequestBodyRead", "Cannot read 'SendResponse': a boolean was expected.");
  }
  if (property(body, "proposedNewTime") !== undefined && action === "accept") {
    throw invalidRequest("proposedNewTime can be sent only with tentativelyAccept or decline.");
  }
  const current = effective(event, key);
  if (event.isOrganizer) {
    throw invalidRequest("Your request can't be completed. You can't respond to a meeting you organized.");
  }
  if (current.isCancelled) {
    throw invalidRequest("Your request can't be completed. The meeting has been canceled.");
  }
  const response = RESPONSES[action]!;
  const time = isoSeconds(Date.now());
  const organizer = organizerEventOf(context, event);
  if (action === "decline") {
    removeInstance(data, event, key);
  } else {
    const showAs = action === "accept" ? (organizer ? effective(organizer.event, key).showAs : "busy") : "tentative";
    changeInstance(event, key, { responseStatus: { response, time }, showAs });
  }
  if (organizer && sendResponse !== false) {
    const attendees = (effective(organizer.event, key).attendees ?? []).map((entry) =>
      entry.emailAddress?.address?.toLowerCase() === context.user.mail.toLowerCase()
        ? { ...entry, status: attendeeStatus(response, time) }
        : entry,
    );
    changeInstance(organizer.event, key, { attendees });
  }
  return graphEmpty(context.request, 202);
}

function instances(context: GraphContext) {
  const data = dataOf(context);
  const { event, key } = findInstance(data, context.params.eventId ?? "");
  const { from, to } = timeWindow(context);
  const prefs = preferences(context);
  const zone = prefs.zone ?? UTC_ZONE;
  const viewZone = prefs.zone ?? userZone(context.user);
  const found = key ? [] : instancesOf(event, viewZone, from, to);
  return listPage(
    context,
    found.map((instance) => presentEvent(context, instance, zone, prefs, viewZone)),
    `events('${event.id}')/instances`,
    prefs,
  );
}

function getEvent(context: GraphContext) {
  const prefs = preferences(context);
  const instance = findInstance(dataOf(context), context.params.eventId ?? "");
  const select = parseSelect(context.query, EVENT_SCHEMA);
  return graphJson(
    context.request,
    200,
    {
      "@odata.context": metadata(context, `events${selection(select)}/$entity`),
      ...applySelect(presentEvent(context, instance, prefs.zone ?? UTC_ZONE, prefs, UTC_ZONE), EVENT_SCHEMA, select),
    },
    preferenceApplied(prefs),
  );
}

function listCalendars(context: GraphContext) {
  const select = parseSelect(context.query, CALENDAR_SCHEMA);
  const page = queryCollection(context.request, dataOf(context).calendars, CALENDAR_COLLECTION);
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `calendars${selection(select)}`),
    ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
    value: page.items.map((calendar) => presentCalendar(calendar, select)),
    ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
  });
}

function getCalendar(context: GraphContext, calendar: StoredCalendar) {
  const select = parseSelect(context.query, CALENDAR_SCHEMA);
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `calendars${selection(select)}/$entity`),
    ...presentCalendar(calendar, select),
  });
}

const calendarOf = (context: GraphContext) => findCalendar(dataOf(context), context.params.calendarId ?? "");

/** Microsoft Search over the user's events: subject, body, location and people. */
const EVENT_SEARCH: SearchSpec<StoredEvent> = {
  fields: (event) => {
    const people = [event.organizer?.emailAddress, ...(event.attendees ?? []).map((entry) => entry.emailAddress)]
      .map((address) => `${address?.name ?? ""} ${address?.address ?? ""}`)
      .join("\n");
    return {
      subject: event.subject ?? "",
      body: htmlToText(event.body?.content ?? ""),
      location: event.location?.displayName ?? "",
      organizer: `${event.organizer?.emailAddress?.name ?? ""} ${event.organizer?.emailAddress?.address ?? ""}`,
      attendees: people,
      participants: people,
    };
  },
  defaults: ["subject", "body", "location", "participants"],
  properties: ["subject", "body", "location", "organizer", "attendees", "participants"],
};

function searchEvents(context: GraphContext, queryString: string): SearchHit[] {
  const matches = parseSearch(queryString, EVENT_SEARCH);
  return dataOf(context)
    .events.filter(matches)
    .sort((a, b) => spanOf(b, UTC_ZONE).start - spanOf(a, UTC_ZONE).start)
    .map((event, index) => ({
      hitId: event.id,
      rank: index + 1,
      summary: event.bodyPreview ?? "",
      resource: {
        "@odata.type": "#microsoft.graph.event",
        id: event.id,
        subject: event.subject,
        bodyPreview: event.bodyPreview,
        start: event.start,
        end: event.end,
        isAllDay: event.isAllDay,
        isCancelled: event.isCancelled,
        isOrganizer: event.isOrganizer,
        hasAttachments: event.hasAttachments,
        iCalUId: event.iCalUId,
        type: event.recurrence ? "seriesMaster" : "singleInstance",
        location: { displayName: event.location?.displayName ?? "" },
        organizer: event.organizer,
        webLink: event.webLink,
      },
    }));
}

registerSearchProvider("event", searchEvents);

export const calendarRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me/calendars", scopes: READ_CALENDARS, handle: listCalendars },
  {
    method: "GET",
    path: "/me/calendar",
    scopes: READ_CALENDARS,
    handle: (c) => getCalendar(c, defaultCalendar(dataOf(c))),
  },
  {
    method: "GET",
    path: "/me/calendars/{calendarId}",
    scopes: READ_CALENDARS,
    handle: (c) => getCalendar(c, calendarOf(c)),
  },
  {
    method: "GET",
    path: "/me/calendarView",
    scopes: READ_CALENDARS,
    handle: (c) => calendarView(c, defaultCalendar(dataOf(c)), "calendarView"),
  },
  {
    method: "GET",
    path: "/me/calendar/calendarView",
    scopes: READ_CALENDARS,
    handle: (c) => calendarView(c, defaultCalendar(dataOf(c)), "calendar/calendarView"),
  },
  {
    method: "GET",
    path: "/me/calendars/{calendarId}/calendarView",
    scopes: READ_CALENDARS,
    handle: (c) => calendarView(c, calendarOf(c), `calendars('${c.params.calendarId}')/calendarView`),
  },
  {
    method: "GET",
    path: "/me/events",
    scopes: READ_CALENDARS,
    handle: (c) => listEvents(c, defaultCalendar(dataOf(c)), "events"),
  },
  {
    method: "POST",
    path: "/me/events",
    scopes: WRITE_CALENDARS,
    handle: (c) => createEvent(c, defaultCalendar(dataOf(c))),
  },
  {
    method: "GET",
    path: "/me/calendar/events",
    scopes: READ_CALENDARS,
    handle: (c) => listEvents(c, defaultCalendar(dataOf(c)), "calendar/events"),
  },
  {
    method: "POST",
    path: "/me/calendar/events",
    scopes: WRITE_CALENDARS,
    handle: (c) => createEvent(c, defaultCalendar(dataOf(c))),
  },
  {
    method: "GET",
    path: "/me/calendars/{calendarId}/events",
    scopes: READ_CALENDARS,
    handle: (c) => listEvents(c, calendarOf(c), `calendars('${c.params.calendarId}')/events`),
  },
  {
    method: "POST",
    path: "/me/calendars/{calendarId}/events",
    scopes: WRITE_CALENDARS,
    handle: (c) => createEvent(c, calendarOf(c)),
  },
  { method: "GET", path: "/me/events/{eventId}", scopes: READ_CALENDARS, handle: getEvent },
  { method: "PATCH", path: "/me/events/{eventId}", scopes: WRITE_CALENDARS, handle: updateEvent },
  { method: "DELETE", path: "/me/events/{eventId}", scopes: WRITE_CALENDARS, handle: deleteEvent },
  ...schedulingRoutes,
  { method: "GET", path: "/me/events/{eventId}/instances", scopes: READ_CALENDARS, handle: instances },
  { method: "POST", path: "/me/events/{eventId}/cancel", scopes: WRITE_CALENDARS, handle: cancelEvent },
  { method: "POST", path: "/me/events/{eventId}/accept", scopes: WRITE_CALENDARS, handle: (c) => respond(c, "accept") },
  {
    method: "POST",
    path: "/me/events/{eventId}/tentativelyAccept",
    scopes: WRITE_CALENDARS,
    handle: (c) => respond(c, "tentativelyAccept"),
  },
  {
    method: "POST",
    path: "/me/events/{eventId}/decline",
    scopes: WRITE_CALENDARS,
    handle: (c) => respond(c, "decline"),
  },
];
