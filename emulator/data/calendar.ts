/**
 * A demo user's seeded calendar: meetings on working days from two weeks back
 * to three weeks ahead in the user's working hours, always some today, and
 * one all-day offsite.
 */
import type { Attendee, FreeBusyStatus, ResponseType } from "@microsoft/microsoft-graph-types";
import { createHash } from "node:crypto";
import { bodyPreview, escapeHtml, htmlToText } from "../html-text.ts";
import type { StoredEvent } from "../model.ts";
import { DEMO_USERS, MEGAN, type DemoUser } from "../tenant.ts";
import { EXTERNAL_PEOPLE, MEETINGS, type MeetingTemplate, type Person } from "./corpus.ts";
import { SeededRandom, stableGuid, stableId } from "./random.ts";
import { DAY, HOUR, isoSeconds, MINUTE, utcDateTime } from "./time.ts";

const DAYS_BACK = 14;
const DAYS_AHEAD = 21;

function attendee(person: Person, response: ResponseType): Attendee {
  return {
    type: "required",
    status: { response, time: "0001-01-01T00:00:00Z" },
    emailAddress: { name: person.name, address: person.address },
  };
}

class CalendarSeeder {
  private readonly user: DemoUser;
  private readonly dayStart: number;
  private readonly random: SeededRandom;
  private readonly events: StoredEvent[] = [];

  constructor(user: DemoUser, dayStart: number) {
    this.user = user;
    this.dayStart = dayStart;
    this.random = new SeededRandom(createHash("sha256").update(`${user.id}:calendar`).digest().readUInt32BE(0));
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
    return this.events;
  }

  private colleagues(): Person[] {
    return DEMO_USERS.filter((other) => other.id !== this.user.id).map((other) => ({
      name: other.displayName,
      address: other.mail,
    }));
  }

  /** Adds a meeting at `localHour` of the user's working day that starts at `date` (midnight UTC). */
  private addMeeting(template: MeetingTemplate, date: number, localHour: number): void {
    const me: Person = { name: this.user.displayName, address: this.user.mail };
    const start = date + (localHour - this.user.utcOffsetHours) * HOUR;
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
    const joinUrl = template.online
      ? `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${stableId("", this.user.id, start).slice(0, 32)}%40thread.v2/0`
      : undefined;
    this.addEvent({
      subject:
        template.subject === "1:1" && guests[0]
          ? `1:1 ${me.name.split(" ")[0]} / ${guests[0].name.split(" ")[0]}`
          : template.subject,
      html: `<p>${escapeHtml(template.agenda)}</p>${joinUrl ? `<p><a href="${joinUrl}">Join the meeting now</a></p>` : ""}`,
      start,
      end: start + template.minutes * MINUTE,
      location: template.location,
      isAllDay: false,
      organizer,
      attendees: everyone
        .filter((person) => person.address !== organizer.address)
        .map((person) => attendee(person, person === me ? response : "accepted")),
      response,
      joinUrl,
      showAs: response === "tentativelyAccepted" ? "tentative" : "busy",
    });
  }

  private addOffsite(date: number): void {
    const me: Person = { name: this.user.displayName, address: this.user.mail };
    const response: ResponseType = this.user.id === MEGAN.id ? "organizer" : "accepted";
    this.addEvent({
      subject: "Marketing offsite",
      html: "<p>Two days of strategy and planning. Agenda to follow.</p>",
      start: date,
      end: date + 2 * DAY,
      location: "Contoso Lodge, Lake Sammamish",
      isAllDay: true,
      organizer: { name: MEGAN.displayName, address: MEGAN.mail },
      attendees: response === "organizer" ? [] : [attendee(me, response)],
      response,
      showAs: "oof",
    });
  }

  private addEvent(spec: {
    subject: string;
    html: string;
    start: number;
    end: number;
    location: string;
    isAllDay: boolean;
    organizer: Person;
    attendees: Attendee[];
    response: ResponseType;
    joinUrl?: string;
    showAs: FreeBusyStatus;
  }): void {
    const index = this.events.length;
    const id = stableId("AAMkAGI2", this.user.id, "event", index);
    const created = isoSeconds(Math.min(spec.start, this.dayStart) - 7 * DAY);
    const content = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${spec.html}</body></html>`;
    this.events.push({
      id,
      createdDateTime: created,
      lastModifiedDateTime: created,
      changeKey: stableId("", this.user.id, "event-change", index).slice(0, 40),
      categories: [],
      originalStartTimeZone: this.user.timeZone,
      originalEndTimeZone: this.user.timeZone,
      iCalUId: `040000008200E00074C5B7101A82E008${stableId("", this.user.id, "ical", index).slice(0, 40)}`,
      reminderMinutesBeforeStart: spec.isAllDay ? 1080 : 15,
      isReminderOn: !spec.isAllDay,
      hasAttachments: false,
      subject: spec.subject,
      bodyPreview: bodyPreview(htmlToText(content)),
      importance: "normal",
      sensitivity: "normal",
      isAllDay: spec.isAllDay,
      isCancelled: false,
      isOrganizer: spec.response === "organizer",
      responseRequested: true,
      seriesMasterId: null,
      showAs: spec.showAs,
      type: "singleInstance",
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
      isOnlineMeeting: spec.joinUrl !== undefined,
      onlineMeetingProvider: spec.joinUrl ? "teamsForBusiness" : "unknown",
      onlineMeeting: spec.joinUrl ? { joinUrl: spec.joinUrl } : null,
      allowNewTimeProposals: true,
      responseStatus: { response: spec.response, time: "0001-01-01T00:00:00Z" },
      body: { contentType: "html", content },
      start: utcDateTime(spec.start),
      end: utcDateTime(spec.end),
      location: {
        displayName: spec.location,
        locationType: "default",
        uniqueIdType: "private",
        uniqueId: stableGuid(spec.location),
      },
      locations: [
        {
          displayName: spec.location,
          locationType: "default",
          uniqueIdType: "private",
          uniqueId: stableGuid(spec.location),
        },
      ],
      recurrence: null,
      attendees: spec.attendees,
      organizer: { emailAddress: { name: spec.organizer.name, address: spec.organizer.address } },
    });
  }
}

/** The seeded calendar of `user` around `dayStart` (epoch ms, midnight UTC). */
export function seedCalendar(user: DemoUser, dayStart: number): StoredEvent[] {
  return new CalendarSeeder(user, dayStart).build();
}
