/**
 * A demo user's seeded calendars: the default calendar with meetings on
 * working days from two weeks back to three weeks ahead in the user's working
 * hours (always some today), one all-day offsite and the tenant's recurring
 * meetings (a standup, a weekly 1:1, a monthly review, a daily check-in and a
 * monthly retro, with exceptions), each in the organizer's and the attendees'
 * calendars alike; a second calendar of personal events (with a series); and
 * the read-only company holidays calendar.
 */
import type {
  Attendee,
  DayOfWeek,
  FreeBusyStatus,
  PatternedRecurrence,
  ResponseType,
} from "@microsoft/microsoft-graph-types";
import { createHash } from "node:crypto";
import { escapeHtml } from "../html-text.ts";
import type { StoredCalendar, StoredEvent } from "../model.ts";
import { ADELE, ALEX, DEMO_USERS, MEGAN, type DemoUser } from "../tenant.ts";
import { dateOfDay, formatWall, resolveTimeZone, zonedToUtc, type TimeZone } from "../timezones.ts";
import { buildEvent, floatingDate, storedDateTime, teamsJoinUrl } from "../graph/calendar-store.ts";
import { occurrenceDays } from "../graph/recurrence.ts";
import { EXTERNAL_PEOPLE, MEETINGS, type MeetingTemplate, type Person } from "./corpus.ts";
import { SeededRandom, stableId } from "./random.ts";
import { DAY, isoSeconds, MINUTE } from "./time.ts";

const DAYS_BACK = 14;
const DAYS_AHEAD = 21;
const NEVER = "0001-01-01T00:00:00Z";

function zoneOf(user: DemoUser): TimeZone {
  const zone = resolveTimeZone(user.timeZone);
  if (!zone) throw new Error(`unknown time zone ${user.timeZone}`);
  return zone;
}

function attendee(person: Person, response: ResponseType, type: Attendee["type"] = "required"): Attendee {
  return {
    type,
    status: { response, time: NEVER },
    emailAddress: { name: person.name, address: person.address },
  };
}

function person(user: DemoUser): Person {
  return { name: user.displayName, address: user.mail };
}

/** A date (yyyy-MM-dd) of the UTC day `day` days from `dayStart`. */
function isoDate(dayStart: number, day: number): string {
  return new Date(dayStart + day * DAY).toISOString().slice(0, 10);
}

/** A recurring meeting of the tenant, seeded in the organizer's and every attendee's calendar. */
interface SeriesTemplate {
  key: string;
  subject: string;
  agenda: string;
  organizer: DemoUser;
  /** Attendees and the answer each gave. */
  attendees: { user: DemoUser; response: ResponseType }[];
  /** Local start time in the organizer's zone, and length. */
  hour: number;
  minute: number;
  minutes: number;
  location: string;
  online: boolean;
  recurrence(dayStart: number): PatternedRecurrence;
  /** Occurrence changes: which occurrence (first on or after `fromDay` days from the seed day) and how. */
  exceptions?: { fromDay: number; change: "delete" | { shiftMinutes: number; subject?: string } }[];
}

const SERIES: readonly SeriesTemplate[] = [
  {
    key: "standup",
    subject: "Marketing daily standup",
    agenda: "What I did, what I will do, what blocks me. Fifteen minutes, cameras optional.",
    organizer: ADELE,
    attendees: [{ user: ALEX, response: "accepted" }],
    hour: 8,
    minute: 45,
    minutes: 15,
    location: "Microsoft Teams Meeting",
    online: true,
    recurrence: (dayStart) => ({
      pattern: {
        type: "weekly",
        interval: 1,
        daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
        firstDayOfWeek: "sunday",
      },
      range: { type: "noEnd", startDate: isoDate(dayStart, -56), recurrenceTimeZone: ADELE.timeZone },
    }),
    exceptions: [
      { fromDay: 2, change: "delete" },
      { fromDay: 4, change: { shiftMinutes: 30, subject: "Marketing daily standup (late start)" } },
    ],
  },
  {
    key: "one-on-one",
    subject: "1:1 Megan / Alex",
    agenda: "Career goals, current projects and anything on your mind.",
    organizer: MEGAN,
    attendees: [{ user: ALEX, response: "accepted" }],
    hour: 15,
    minute: 0,
    minutes: 30,
    location: "Microsoft Teams Meeting",
    online: true,
    recurrence: (dayStart) => ({
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["thursday"], firstDayOfWeek: "monday" },
      range: { type: "noEnd", startDate: isoDate(dayStart, -70), recurrenceTimeZone: MEGAN.timeZone },
    }),
    exceptions: [{ fromDay: 7, change: { shiftMinutes: 24 * 60 } }],
  },
  {
    key: "monthly-review",
    subject: "Monthly marketing review",
    agenda: "Campaign results, pipeline, budget against plan and next month's priorities.",
    organizer: MEGAN,
    attendees: [
      { user: ADELE, response: "accepted" },
      { user: ALEX, response: "tentativelyAccepted" },
    ],
    hour: 17,
    minute: 0,
    minutes: 60,
    location: "Conference Room 12/3300",
    online: true,
    recurrence: (dayStart) => ({
      pattern: { type: "relativeMonthly", interval: 1, daysOfWeek: ["tuesday"], index: "first" },
      range: { type: "noEnd", startDate: isoDate(dayStart, -180), recurrenceTimeZone: MEGAN.timeZone },
    }),
  },
  {
    key: "launch-check-in",
    subject: "Launch countdown check-in",
    agenda: "Ten minutes on the Mark 8 launch checklist: open items and owners.",
    organizer: MEGAN,
    attendees: [{ user: ADELE, response: "notResponded" }],
    hour: 16,
    minute: 30,
    minutes: 15,
    location: "Microsoft Teams Meeting",
    online: true,
    recurrence: (dayStart) => ({
      pattern: { type: "daily", interval: 1 },
      range: {
        type: "numbered",
        startDate: isoDate(dayStart, -3),
        numberOfOccurrences: 10,
        recurrenceTimeZone: MEGAN.timeZone,
      },
    }),
  },
  {
    key: "design-retro",
    subject: "Design team retro",
    agenda: "What went well, what did not, what we change next month.",
    organizer: ALEX,
    attendees: [{ user: ADELE, response: "accepted" }],
    hour: 14,
    minute: 0,
    minutes: 60,
    location: "Design Studio 131/2000",
    online: false,
    recurrence: (dayStart) => ({
      pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 15 },
      range: {
        type: "numbered",
        startDate: isoDate(dayStart, -100),
        numberOfOccurrences: 12,
        recurrenceTimeZone: ALEX.timeZone,
      },
    }),
  },
];

/** Personal events of each user's second calendar. */
const PERSONAL: Record<string, { name: string; color: StoredCalendar["color"]; hexColor: string }> = {
  [ADELE.id]: { name: "Personal", color: "lightGreen", hexColor: "#87d28e" },
  [MEGAN.id]: { name: "Family", color: "lightPink", hexColor: "#ee9cb0" },
  [ALEX.id]: { name: "Design sprints", color: "lightOrange", hexColor: "#f4b06b" },
};

function calendar(user: DemoUser, key: string, fields: Partial<StoredCalendar>): StoredCalendar {
  return {
    id: stableId("AAMkAGI2", user.id, "calendar", key),
    name: "Calendar",
    color: "auto",
    hexColor: "",
    isDefaultCalendar: false,
    changeKey: stableId("", user.id, "calendar-change", key).slice(0, 40),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    isRemovable: true,
    isTallyingResponses: true,
    allowedOnlineMeetingProviders: ["teamsForBusiness"],
    defaultOnlineMeetingProvider: "teamsForBusiness",
    owner: { name: user.displayName, address: user.mail },
    ...fields,
  };
}

class CalendarSeeder {
  private readonly user: DemoUser;
  private readonly zone: TimeZone;
  private readonly dayStart: number;
  private readonly random: SeededRandom;
  private readonly events: StoredEvent[] = [];
  readonly calendars: StoredCalendar[];

  constructor(user: DemoUser, dayStart: number) {
    this.user = user;
    this.zone = zoneOf(user);
    this.dayStart = dayStart;
    this.random = new SeededRandom(createHash("sha256").update(`${user.id}:calendar`).digest().readUInt32BE(0));
    const personal = PERSONAL[user.id] ?? { name: "Personal", color: "lightGreen", hexColor: "#87d28e" };
    this.calendars = [
      calendar(user, "default", { isDefaultCalendar: true, isRemovable: false }),
      calendar(user, "personal", personal),
      calendar(user, "holidays", {
        name: "Contoso holidays",
        color: "lightGray",
        hexColor: "#c0c0c0",
        canEdit: false,
        canShare: false,
        owner: { name: "Contoso HR", address: "hr@contoso.example" },
      }),
    ];
  }

  private get defaultId(): string {
    return this.calendars[0]!.id;
  }

  build(): StoredEvent[] {
    for (let day = -DAYS_BACK; day <= DAYS_AHEAD; day++) {
      const date = this.dayStart + day * DAY;
      const weekday = new Date(date).getUTCDay();
      const isWeekend = weekday === 0 || weekday === 6;
      if (isWeekend && day !== 0) continue;
      const count = day === 0 ? 3 : this.random.int(0, 3);
      const hours = [9, 10.5, 13, 14.5, 16].filter(() => this.random.chance(0.7));
      for (const hour of hours.slice(0, count)) this.addMeeting(this.random.pick(MEETINGS), date, hour);
    }
    this.addOffsite(this.dayStart + 9 * DAY);
    for (const series of SERIES) this.addSeries(series);
    this.addPersonal();
    this.addHoliday();
    return this.events;
  }

  /** The instant of `localHour` (fractional) in the user's zone on the UTC date of `date`. */
  private localTime(date: number, localHour: number, zone = this.zone): number {
    const { year, month, day } = dateOfDay(Math.floor(date / DAY));
    const minutes = Math.round(localHour * 60);
    return zonedToUtc({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, zone.iana);
  }

  private colleagues(): Person[] {
    return DEMO_USERS.filter((other) => other.id !== this.user.id).map(person);
  }

  /** Adds a meeting at `localHour` of the user's working day on the UTC date of `date`. */
  private addMeeting(template: MeetingTemplate, date: number, localHour: number): void {
    const me = person(this.user);
    const start = this.localTime(date, localHour);
    const guests =
      template.subject.startsWith("Customer") || template.subject.startsWith("Lunch")
        ? [this.random.pick(EXTERNAL_PEOPLE)]
        : this.colleagues().filter(() => this.random.chance(0.7));
    const organizer = this.random.chance(0.5) || guests.length === 0 ? me : this.random.pick(guests);
    const isOrganizer = organizer.address === me.address;
    const response: ResponseType = isOrganizer
      ? "organizer"
      : this.random.pick(["accepted", "accepted", "tentativelyAccepted", "notResponded"] as const);
    const everyone = [me, ...guests];
    const index = this.events.length;
    const joinUrl = template.online ? teamsJoinUrl(`${this.user.id}:${start}`) : undefined;
    this.add({
      subject:
        template.subject === "1:1" && guests[0]
          ? `1:1 ${me.name.split(" ")[0]} / ${guests[0].name.split(" ")[0]}`
          : template.subject,
      html: `<p>${escapeHtml(template.agenda)}</p>`,
      start: storedDateTime(start),
      end: storedDateTime(start + template.minutes * MINUTE),
      isAllDay: false,
      location: template.location,
      organizer,
      attendees: everyone
        .filter((someone) => someone.address !== organizer.address)
        .map((someone) => attendee(someone, someone === me ? response : "accepted")),
      response,
      joinUrl,
      showAs: response === "tentativelyAccepted" || response === "notResponded" ? "tentative" : "busy",
      iCalUId: this.iCalUId("meeting", index),
      created: start,
    });
  }

  private addOffsite(date: number): void {
    const response: ResponseType = this.user.id === MEGAN.id ? "organizer" : "accepted";
    this.add({
      subject: "Marketing offsite",
      html: "<p>Two days of strategy and planning. Agenda to follow.</p>",
      start: floatingDate(dateOfDay(Math.floor(date / DAY))),
      end: floatingDate(dateOfDay(Math.floor(date / DAY) + 2)),
      isAllDay: true,
      location: "Contoso Lodge, Lake Sammamish",
      organizer: person(MEGAN),
      attendees: DEMO_USERS.filter((user) => user.id !== MEGAN.id).map((user) => attendee(person(user), "accepted")),
      response,
      showAs: "oof",
      iCalUId: this.iCalUId("offsite", 0),
      created: date,
    });
  }

  /** The user's copy of a tenant series, when they organize or attend it. */
  private addSeries(series: SeriesTemplate): void {
    const mine = series.attendees.find((entry) => entry.user.id === this.user.id);
    const isOrganizer = series.organizer.id === this.user.id;
    if (!isOrganizer && !mine) return;
    const zone = zoneOf(series.organizer);
    const recurrence = series.recurrence(this.dayStart);
    const firstDay = occurrenceDays(recurrence).next().value;
    if (firstDay === undefined) return;
    const wall = { ...dateOfDay(firstDay), hour: series.hour, minute: series.minute, second: 0 };
    const start = zonedToUtc(wall, zone.iana);
    const exceptions: NonNullable<StoredEvent["exceptions"]> = {};
    for (const exception of series.exceptions ?? []) {
      const threshold = this.dayStart + exception.fromDay * DAY;
      for (const day of occurrenceDays(recurrence)) {
        const occurrence = { ...dateOfDay(day), hour: series.hour, minute: series.minute, second: 0 };
        const originalStart = zonedToUtc(occurrence, zone.iana);
        if (originalStart < threshold) continue;
        const key = formatWall(occurrence);
        // Each exception takes its own occurrence: near a weekend two thresholds
        // can land on the same next weekday, and the second must not undo the first.
        if (key in exceptions) continue;
        if (exception.change === "delete") {
          exceptions[key] = null;
        } else {
          const moved = originalStart + exception.change.shiftMinutes * MINUTE;
          exceptions[key] = {
            start: storedDateTime(moved),
            end: storedDateTime(moved + series.minutes * MINUTE),
            ...(exception.change.subject ? { subject: exception.change.subject } : {}),
          };
        }
        break;
      }
    }
    const response: ResponseType = isOrganizer ? "organizer" : mine!.response;
    this.add({
      subject: series.subject,
      html: `<p>${escapeHtml(series.agenda)}</p>`,
      start: storedDateTime(start),
      end: storedDateTime(start + series.minutes * MINUTE),
      isAllDay: false,
      location: series.location,
      // The series repeats in the organizer's zone (recurrenceTimeZone); the copy is labelled with its owner's.
      timeZone: this.user.timeZone,
      organizer: person(series.organizer),
      attendees: series.attendees.map((entry) =>
        // The organizer's copy knows each answer; an attendee's copy too, as Exchange keeps it in sync.
        attendee(person(entry.user), entry.response === "notResponded" ? "none" : entry.response),
      ),
      response,
      joinUrl: series.online ? teamsJoinUrl(`series:${series.key}`) : undefined,
      showAs: response === "organizer" || response === "accepted" ? "busy" : "tentative",
      recurrence,
      exceptions: Object.keys(exceptions).length ? exceptions : undefined,
      iCalUId: this.iCalUId(`series:${series.key}`),
      created: start - 7 * DAY,
    });
  }

  private addPersonal(): void {
    const me = person(this.user);
    const calendarId = this.calendars[1]!.id;
    const personal = (
      subject: string,
      start: number,
      minutes: number,
      location: string,
      recurrence?: PatternedRecurrence,
    ) =>
      this.add({
        calendarId,
        subject,
        html: "",
        start: storedDateTime(start),
        end: storedDateTime(start + minutes * MINUTE),
        isAllDay: false,
        location,
        organizer: me,
        attendees: [],
        response: "organizer",
        showAs: "busy",
        ...(recurrence ? { recurrence } : {}),
        iCalUId: this.iCalUId("personal", subject),
        created: start - (recurrence ? 7 : 14) * DAY,
      });
    const single = (subject: string, day: number, hour: number, minutes: number, location: string) =>
      personal(subject, this.localTime(this.dayStart + day * DAY, hour), minutes, location);
    const weekly = (subject: string, days: DayOfWeek[], hour: number, minutes: number, location: string) => {
      const recurrence: PatternedRecurrence = {
        pattern: { type: "weekly", interval: 1, daysOfWeek: days, firstDayOfWeek: "sunday" },
        range: { type: "noEnd", startDate: isoDate(this.dayStart, -42), recurrenceTimeZone: this.user.timeZone },
      };
      const firstDay = occurrenceDays(recurrence).next().value!;
      const start = zonedToUtc({ ...dateOfDay(firstDay), hour, minute: 0, second: 0 }, this.zone.iana);
      personal(subject, start, minutes, location, recurrence);
    };
    if (this.user.id === ADELE.id) {
      weekly("Gym", ["tuesday", "thursday"], 18, 60, "Pro Club Bellevue");
      single("Dentist appointment", 5, 16, 60, "Bellevue Dental");
      this.addAllDay(calendarId, "Vacation: Hawaii", 15, 4, "oof");
    } else if (this.user.id === MEGAN.id) {
      weekly("Kids' football practice", ["saturday"], 10, 90, "Sportpark Charlottenburg");
      single("Parents' evening", 6, 18.5, 90, "Grundschule am Park");
    } else {
      const recurrence: PatternedRecurrence = {
        pattern: { type: "weekly", interval: 2, daysOfWeek: ["monday"], firstDayOfWeek: "sunday" },
        range: {
          type: "numbered",
          startDate: isoDate(this.dayStart, -28),
          numberOfOccurrences: 8,
          recurrenceTimeZone: this.user.timeZone,
        },
      };
      const firstDay = occurrenceDays(recurrence).next().value!;
      const start = zonedToUtc({ ...dateOfDay(firstDay), hour: 10, minute: 0, second: 0 }, this.zone.iana);
      this.add({
        calendarId,
        subject: "Sprint planning",
        html: "<p>Pick the stories for the next two weeks.</p>",
        start: storedDateTime(start),
        end: storedDateTime(start + 60 * MINUTE),
        isAllDay: false,
        location: "Design Studio 131/2000",
        organizer: me,
        attendees: [],
        response: "organizer",
        showAs: "busy",
        recurrence,
        iCalUId: this.iCalUId("personal", "sprint"),
        created: start - 7 * DAY,
      });
      single("Design crit", 2, 15, 60, "Design Studio 131/2000");
    }
  }

  private addAllDay(calendarId: string, subject: string, fromDay: number, days: number, showAs: FreeBusyStatus): void {
    const first = Math.floor(this.dayStart / DAY) + fromDay;
    this.add({
      calendarId,
      subject,
      html: "",
      start: floatingDate(dateOfDay(first)),
      end: floatingDate(dateOfDay(first + days)),
      isAllDay: true,
      location: "",
      organizer: person(this.user),
      attendees: [],
      response: "organizer",
      showAs,
      iCalUId: this.iCalUId("all-day", subject),
      created: this.dayStart - 30 * DAY,
    });
  }

  private addHoliday(): void {
    this.addAllDay(this.calendars[2]!.id, "Contoso Founders' Day (office closed)", 12, 1, "free");
    const event = this.events.at(-1)!;
    event.organizer = { emailAddress: { name: "Contoso HR", address: "hr@contoso.example" } };
    event.isOrganizer = false;
    event.responseStatus = { response: "none", time: NEVER };
  }

  private iCalUId(...parts: (string | number)[]): string {
    // Meetings of the tenant share their iCalUId in every calendar they are in.
    const shared = parts[0] === "offsite" || String(parts[0]).startsWith("series:");
    const key = shared ? parts.join("|") : [this.user.id, ...parts].join("|");
    return `040000008200E00074C5B7101A82E008${createHash("sha256").update(key).digest("hex").slice(0, 48).toUpperCase()}`;
  }

  private add(spec: {
    calendarId?: string;
    subject: string;
    html: string;
    start: StoredEvent["start"] & object;
    end: StoredEvent["end"] & object;
    isAllDay: boolean;
    location: string;
    timeZone?: string;
    organizer: Person;
    attendees: Attendee[];
    response: ResponseType;
    joinUrl?: string;
    showAs: FreeBusyStatus;
    recurrence?: PatternedRecurrence;
    exceptions?: StoredEvent["exceptions"];
    iCalUId: string;
    created: number;
  }): void {
    const index = this.events.length;
    const id = stableId("AAMkAGI2", this.user.id, "event", index);
    const event = buildEvent({
      id,
      calendarId: spec.calendarId ?? this.defaultId,
      subject: spec.subject,
      html: spec.html,
      start: spec.start,
      end: spec.end,
      timeZone: spec.timeZone ?? this.user.timeZone,
      isAllDay: spec.isAllDay,
      location: spec.location,
      organizer: { name: spec.organizer.name, address: spec.organizer.address },
      attendees: spec.attendees,
      response: spec.response,
      showAs: spec.showAs,
      joinUrl: spec.joinUrl,
      recurrence: spec.recurrence,
      exceptions: spec.exceptions,
      iCalUId: spec.iCalUId,
      created: isoSeconds(Math.min(spec.created, this.dayStart) - 7 * DAY),
    });
    // Deterministic change keys: the seed is the same on every start.
    event.changeKey = stableId("", this.user.id, "event-change", index).slice(0, 40);
    this.events.push(event);
  }
}

/** The seeded calendars and events of `user` around `dayStart` (epoch ms, midnight UTC). */
export function seedCalendar(user: DemoUser, dayStart: number): { events: StoredEvent[]; calendars: StoredCalendar[] } {
  const seeder = new CalendarSeeder(user, dayStart);
  return { events: seeder.build(), calendars: seeder.calendars };
}
