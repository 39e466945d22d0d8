import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface EventSummary {
  id: string;
  subject: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string;
  organizer: string;
  response: string;
  marks: string[];
}

interface Listing {
  timeZone: string;
  events: EventSummary[];
  nextCursor?: string;
}

interface EventDetails {
  id: string;
  subject: string;
  start: string;
  end: string;
  timeZone: string;
  allDay: boolean;
  location: string;
  organizer: string;
  response: string;
  joinUrl?: string;
  recurrence?: string;
  seriesMasterId?: string;
  attendees: { address: string; type: string; response: string }[];
  body: string;
}

const DAY = 86_400_000;
const ADELE = "adele@contoso.example";
const MEGAN = "megan@contoso.example";
const ALEX = "alex@contoso.example";
const NESTOR = "nestor.wilke@fabrikam.example";

const call = callTool;

const text = resultText;

async function ok<T>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ data: T; text: string }> {
  const result = await call(client, name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return { data: result.structuredContent as T, text: text(result) };
}

async function failure(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError, text(result)).toBe(true);
  return text(result);
}

async function as(user: string): Promise<Client> {
  return connectClient((await signIn(user)).access_token);
}

/** Midnight UTC of the seed day. */
function dayStart(): number {
  return Math.floor(Date.now() / DAY) * DAY;
}

/** The next Monday to Friday after today (UTC): the seed's working-day meetings fall on weekdays. */
function nextWorkday(): number {
  let day = dayStart() + DAY;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += DAY;
  return day;
}

/** An instant `days` from the seed day at `hour` UTC, as an ISO string with Z. */
function utc(days: number, hour = 0): string {
  return new Date(dayStart() + days * DAY + hour * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A unique subject, so cached results of other tests never answer for it. */
function unique(subject: string): string {
  return `${subject} ${crypto.randomUUID().slice(0, 8)}`;
}

function idOf(created: string): string {
  const id = /id: (\S+)$/.exec(created)?.[1];
  expect(id, created).toBeTruthy();
  return id!;
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("getCalendarEvents", () => {
  it("lists the next days in the mailbox time zone, one line per event, recurring occurrences included", async () => {
    const client = await as(ADELE);
    const { data, text: rendered } = await ok<Listing>(client, "getCalendarEvents", { count: 50 });
    expect(data.timeZone).toBe("Pacific Standard Time");
    expect(rendered).toMatch(
      /^Calendar \d{4}-\d{2}-\d{2} 00:00 → \d{4}-\d{2}-\d{2} 00:00 \(Pacific Standard Time\): \d+ events/,
    );
    expect(data.events.length).toBeGreaterThan(3);
    const standup = data.events.find((event) => event.subject === "Marketing daily standup")!;
    expect(standup).toMatchObject({ response: "organizer", marks: ["Teams", "recurring"] });
    // 08:45 in Seattle, whatever the season: the series repeats in Pacific time.
    expect(standup.start.slice(11)).toBe("08:45");
    const line = rendered.split("\n").find((row) => row.includes(standup.id))!;
    expect(line).toMatch(
      /^\d+\. \w{3} \d{4}-\d{2}-\d{2} 08:45–09:00 \| Marketing daily standup \| Microsoft Teams Meeting \| organizer: me \| Teams \| recurring \| id: /,
    );
    const invitation = data.events.find((event) => event.subject === "Launch countdown check-in")!;
    expect(invitation).toMatchObject({ organizer: "Megan Bowen", response: "notResponded" });
    expect(rendered).toContain("by Megan Bowen, not answered");
    expect(rendered).not.toContain("@odata");
    expect(rendered).not.toContain("dateTime");
  });

  it("renders the same range in two time zones with different local times", async () => {
    const client = await as(ADELE);
    const range = { start: utc(1), end: utc(3), count: 50 };
    const berlin = (await ok<Listing>(client, "getCalendarEvents", { ...range, timeZone: "Europe/Berlin" })).data;
    const seattle = (await ok<Listing>(client, "getCalendarEvents", { ...range, timeZone: "Pacific Standard Time" }))
      .data;
    expect(berlin.timeZone).toBe("Europe/Berlin");
    expect(seattle.timeZone).toBe("Pacific Standard Time");
    expect(berlin.events.map((event) => event.id).sort()).toEqual(seattle.events.map((event) => event.id).sort());
    const here = seattle.events.find((event) => !event.allDay)!;
    const there = berlin.events.find((event) => event.id === here.id)!;
    expect(here.start).not.toBe(there.start);
    const hours = (Date.parse(`${there.start}:00Z`) - Date.parse(`${here.start}:00Z`)) / 3_600_000;
    // Berlin is 9 hours ahead of Seattle (8 for a few weeks a year, when only one has daylight saving time).
    expect([8, 9]).toContain(hours);
  });

  it("pages with count and cursor", async () => {
    const client = await as(ADELE);
    const range = { start: utc(-7), end: utc(7) };
    const first = (await ok<Listing>(client, "getCalendarEvents", { ...range, count: 3 })).data;
    expect(first.events).toHaveLength(3);
    expect(first.nextCursor).toMatch(/^[\w-]{12}$/);
    const second = await ok<Listing>(client, "getCalendarEvents", { ...range, count: 3, cursor: first.nextCursor });
    expect(second.data.events).toHaveLength(3);
    expect(second.data.events.map((event) => event.id)).not.toContain(first.events[0]!.id);
    expect(second.data.events[0]!.start >= first.events[2]!.start).toBe(true);
    const calendarViews = (await requestLog()).filter((entry) => entry.path === "/v1.0/me/calendarView");
    expect(calendarViews.at(-1)!.query).toMatch(/(\$|%24)skip=3/);
  });

  it("reads another calendar by calendarId", async () => {
    const client = await as(ADELE);
    const { data } = await ok<{ calendars: { id: string; name: string }[] }>(client, "listCalendars");
    const personal = data.calendars.find((calendar) => calendar.name === "Personal")!;
    const listing = (
      await ok<Listing>(client, "getCalendarEvents", {
        calendarId: personal.id,
        start: utc(-1),
        end: utc(21),
        count: 50,
      })
    ).data;
    const subjects = listing.events.map((event) => event.subject);
    expect(subjects).toContain("Gym");
    expect(subjects).not.toContain("Marketing daily standup");
    const vacation = listing.events.find((event) => event.subject === "Vacation: Hawaii")!;
    expect(vacation.allDay).toBe(true);
  });

  it("refuses invalid dates, time zones and ids with the field named", async () => {
    const client = await as(ADELE);
    expect(await failure(client, "getCalendarEvents", { start: "next tuesday" })).toMatch(/invalid_input.*start:/);
    expect(await failure(client, "getCalendarEvents", { start: "2026-02-30" })).toMatch(/invalid_input.*start:/);
    expect(await failure(client, "getCalendarEvents", { start: "2026-11-23", end: "2026-11-20" })).toMatch(
      /invalid_input.*end: must be after start/,
    );
    expect(await failure(client, "getCalendarEvents", { timeZone: "Mars/Olympus_Mons" })).toMatch(
      /invalid_input.*timeZone: "Mars\/Olympus_Mons" is not a time zone/,
    );
    expect(await failure(client, "getCalendarEvents", { calendarId: "../../users/megan" })).toMatch(
      /invalid_input.*calendarId/,
    );
    expect(await failure(client, "getCalendarEvents", { count: 500 })).toMatch(/count/);
  });

  it("reports Graph being unavailable", async () => {
    const client = await as(ADELE);
    await emulator(env, "faults", { match: "GET /v1.0/me/calendarView", status: 503, retryAfterSeconds: 0, count: 10 });
    expect(await failure(client, "getCalendarEvents", { start: utc(40), fresh: true })).toContain(
      "upstream_unavailable",
    );
  });
});

describe("getCalendarEvent", () => {
  it("reads an occurrence in full: attendees, Teams link, the series' pattern in words", async () => {
    const client = await as(ADELE);
    const listing = (await ok<Listing>(client, "getCalendarEvents", { start: utc(-3), end: utc(40), count: 50 })).data;
    const review = listing.events.find((event) => event.subject === "Monthly marketing review")!;
    const { data, text: rendered } = await ok<EventDetails>(client, "getCalendarEvent", { id: review.id });
    expect(data).toMatchObject({
      id: review.id,
      subject: "Monthly marketing review",
      timeZone: "Pacific Standard Time",
      organizer: "Megan Bowen <megan@contoso.example>",
      response: "accepted",
      recurrence: expect.stringMatching(/^every month on the first Tuesday from \d{4}-\d{2}-\d{2}, no end$/),
    });
    expect(data.seriesMasterId).toBeTruthy();
    expect(data.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    expect(data.attendees).toEqual(
      expect.arrayContaining([
        { address: ADELE, type: "required", response: "accepted" },
        { address: ALEX, type: "required", response: "tentativelyAccepted" },
      ]),
    );
    expect(data.body).toContain("Campaign results");
    expect(rendered).toContain("Repeats: every month on the first Tuesday");
    expect(rendered).toContain("- Alex Wilber <alex@contoso.example>: tentative");
    expect(rendered).not.toMatch(/<\/?(p|div|html)/);
  });

  it("answers not_found for an unknown id and invalid_input for a malformed one", async () => {
    const client = await as(ADELE);
    expect(await failure(client, "getCalendarEvent", { id: "AAMkAGI2doesnotexistAAA=" })).toContain("not_found");
    expect(await failure(client, "getCalendarEvent", { id: "abc?$select=body" })).toMatch(/invalid_input.*id:/);
  });
});

describe("meetings across users", () => {
  it("createCalendarEvent invites attendees: the meeting shows in Megan's calendar, unanswered", async () => {
    const adele = await as(ADELE);
    const subject = unique("Roadmap review");
    const created = await call(adele, "createCalendarEvent", {
      subject,
      start: utc(3, 17).slice(0, 16).replace("Z", ""),
      timeZone: "UTC",
      attendees: [MEGAN],
      optionalAttendees: [ALEX],
      location: "Room 42",
      body: "Agenda: the roadmap.",
      isOnlineMeeting: true,
      reminderMinutes: 10,
    });
    expect(created.isError, text(created)).toBeFalsy();
    const confirmation = text(created);
    expect(confirmation).toMatch(
      new RegExp(
        `^Created "${subject}" \\w{3} \\d{4}-\\d{2}-\\d{2} 17:00–17:30 \\(UTC\\); invitations sent to ${MEGAN}, ${ALEX}; Teams link: https://teams\\.microsoft\\.com/`,
      ),
    );
    const id = idOf(confirmation);
    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path === "/v1.0/me/events");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.status).toBe(201);

    const megan = await as(MEGAN);
    const listing = (await ok<Listing>(megan, "getCalendarEvents", { start: utc(3), end: utc(4), count: 50 })).data;
    const invitation = listing.events.find((event) => event.subject === subject)!;
    expect(invitation).toMatchObject({ organizer: "Adele Vance", response: "notResponded", location: "Room 42" });
    expect(invitation.id).not.toBe(id);
    // Megan's calendar shows it in Berlin time: 17:00 UTC is 18:00 (or 19:00 in summer).
    expect(["18:00", "19:00"]).toContain(invitation.start.slice(11));
  });

  it("respondToEvent records the answer on the organizer's event", async () => {
    const adele = await as(ADELE);
    const subject = unique("Budget sync");
    const id = idOf(
      text(
        await call(adele, "createCalendarEvent", {
          subject,
          start: utc(4, 16).slice(0, 16),
          timeZone: "UTC",
          attendees: [MEGAN],
        }),
      ),
    );
    const megan = await as(MEGAN);
    const invitation = (
      await ok<Listing>(megan, "getCalendarEvents", { start: utc(4), end: utc(5), count: 50 })
    ).data.events.find((event) => event.subject === subject)!;
    const answered = await ok(megan, "respondToEvent", {
      id: invitation.id,
      response: "accept",
      comment: "See you there",
    });
    expect(answered.text).toBe(
      `Accepted "${subject}"; Adele Vance <adele@contoso.example> was told. id: ${invitation.id}`,
    );
    const organizerView = await ok<EventDetails>(adele, "getCalendarEvent", { id, fresh: true });
    expect(organizerView.data.attendees).toEqual([{ address: MEGAN, type: "required", response: "accepted" }]);
    expect(organizerView.text).toContain("- Megan Bowen <megan@contoso.example>: accepted");
    const mine = (
      await ok<Listing>(megan, "getCalendarEvents", { start: utc(4), end: utc(5), count: 50, fresh: true })
    ).data.events.find((event) => event.subject === subject)!;
    expect(mine.response).toBe("accepted");
    // The organizer has nothing to answer.
    expect(await failure(adele, "respondToEvent", { id, response: "decline" })).toMatch(
      /invalid_input.*id: you organize/,
    );
    const accepts = (await requestLog()).filter((entry) => entry.path.endsWith("/accept"));
    expect(accepts).toHaveLength(1);
  });

  it("declining an occurrence without telling the organizer keeps the organizer's view", async () => {
    const adele = await as(ADELE);
    const checkIn = (
      await ok<Listing>(adele, "getCalendarEvents", { start: utc(1), end: utc(2), count: 50 })
    ).data.events.find((event) => event.subject === "Launch countdown check-in")!;
    const declined = await ok(adele, "respondToEvent", { id: checkIn.id, response: "decline", sendResponse: false });
    expect(declined.text).toContain("the organizer was not told");
    const after = (
      await ok<Listing>(adele, "getCalendarEvents", { start: utc(1), end: utc(2), count: 50, fresh: true })
    ).data.events.map((event) => event.id);
    expect(after).not.toContain(checkIn.id);
    const megan = await as(MEGAN);
    const organizers = (
      await ok<Listing>(megan, "getCalendarEvents", { start: utc(1), end: utc(2), count: 50 })
    ).data.events.find((event) => event.subject === "Launch countdown check-in")!;
    const details = (await ok<EventDetails>(megan, "getCalendarEvent", { id: organizers.id })).data;
    expect(details.attendees[0]).toMatchObject({ address: ADELE, response: "none" });
  });

  it("deleteCalendarEvent with a message cancels the meeting for its attendees", async () => {
    const adele = await as(ADELE);
    const subject = unique("Offsite planning");
    const id = idOf(
      text(
        await call(adele, "createCalendarEvent", {
          subject,
          start: utc(5, 15).slice(0, 16),
          timeZone: "UTC",
          attendees: [MEGAN],
        }),
      ),
    );
    const deleted = await ok(adele, "deleteCalendarEvent", { id, message: "Moving this to next month" });
    expect(deleted.text).toBe(`Cancelled "${subject}"; its 1 attendee(s) were sent your message. id: ${id}`);
    const cancels = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path.endsWith("/cancel"));
    expect(cancels).toHaveLength(1);
    expect(await failure(adele, "getCalendarEvent", { id, fresh: true })).toContain("not_found");
    const megan = await as(MEGAN);
    const copy = (
      await ok<Listing>(megan, "getCalendarEvents", { start: utc(5), end: utc(6), count: 50 })
    ).data.events.find((event) => event.subject === `Canceled: ${subject}`)!;
    expect(copy.marks).toContain("cancelled");
    const details = await ok<EventDetails>(megan, "getCalendarEvent", { id: copy.id });
    expect(details.data.body).toContain("Moving this to next month");
    expect(details.text).toMatch(/^CANCELLED: Canceled: /);
  });

  it("deleteCalendarEvent removes an event; an attendee's delete tells no one", async () => {
    const adele = await as(ADELE);
    const subject = unique("Focus time");
    const id = idOf(
      text(await call(adele, "createCalendarEvent", { subject, start: utc(6, 18).slice(0, 16), timeZone: "UTC" })),
    );
    const deleted = await ok(adele, "deleteCalendarEvent", { id });
    expect(deleted.text).toBe(`Deleted "${subject}". id: ${id}`);
    const deletes = (await requestLog()).filter((entry) => entry.method === "DELETE");
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.status).toBe(204);
    const invitation = (
      await ok<Listing>(adele, "getCalendarEvents", { start: utc(1), end: utc(2), count: 50, fresh: true })
    ).data.events.find((event) => event.subject === "Launch countdown check-in")!;
    const removed = await ok(adele, "deleteCalendarEvent", { id: invitation.id });
    expect(removed.text).toContain("from your calendar; the organizer was not told");
    expect(await failure(adele, "deleteCalendarEvent", { id })).toContain("not_found");
  });
});

describe("createCalendarEvent and updateCalendarEvent", () => {
  it("creates a weekly series from an RRULE; its occurrences show up", async () => {
    const client = await as(ADELE);
    const subject = unique("Team lunch");
    const start = new Date(dayStart() + 8 * DAY).toISOString().slice(0, 10);
    const created = await ok(client, "createCalendarEvent", {
      subject,
      start: `${start}T12:00`,
      end: `${start}T13:00`,
      timeZone: "America/New_York",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
    });
    expect(created.text).toMatch(/repeating every week on Monday, Wednesday from \d{4}-\d{2}-\d{2}, 4 times/);
    const listing = (
      await ok<Listing>(client, "getCalendarEvents", {
        start,
        end: new Date(dayStart() + 30 * DAY).toISOString().slice(0, 10),
        timeZone: "Eastern Standard Time",
        count: 50,
      })
    ).data;
    const lunches = listing.events.filter((event) => event.subject === subject);
    expect(lunches).toHaveLength(4);
    expect(lunches.every((event) => event.start.endsWith("T12:00") && event.marks.includes("recurring"))).toBe(true);
    const details = await ok<EventDetails>(client, "getCalendarEvent", { id: lunches[1]!.id, timeZone: "UTC" });
    expect(details.data.recurrence).toMatch(/^every week on Monday, Wednesday from .*, 4 times$/);
    expect(details.data.timeZone).toBe("UTC");
  });

  it("creates all-day events: dates in, the last day inclusive", async () => {
    const client = await as(ADELE);
    const subject = unique("Conference");
    const first = new Date(dayStart() + 10 * DAY).toISOString().slice(0, 10);
    const last = new Date(dayStart() + 11 * DAY).toISOString().slice(0, 10);
    const created = await ok(client, "createCalendarEvent", {
      subject,
      start: first,
      end: last,
      isAllDay: true,
      showAs: "oof",
    });
    expect(created.text).toContain(`${first} – `);
    expect(created.text).toContain(`${last} all day`);
    const details = (await ok<EventDetails>(client, "getCalendarEvent", { id: idOf(created.text) })).data;
    expect(details).toMatchObject({ allDay: true, start: `${first}T00:00` });
  });

  it("refuses invalid times and rules with the field named", async () => {
    const client = await as(ADELE);
    const base = { subject: "x", start: "2026-12-01T10:00" };
    expect(await failure(client, "createCalendarEvent", { ...base, end: "2026-12-01T09:00" })).toMatch(
      /invalid_input.*end: must be after start/,
    );
    expect(await failure(client, "createCalendarEvent", { ...base, start: "2026-12-01" })).toMatch(
      /invalid_input.*start: give a time/,
    );
    expect(await failure(client, "createCalendarEvent", { ...base, start: "tomorrow 10am" })).toMatch(
      /invalid_input.*start:/,
    );
    expect(await failure(client, "createCalendarEvent", { ...base, timeZone: "Europe/Atlantis" })).toMatch(
      /invalid_input.*timeZone:/,
    );
    expect(await failure(client, "createCalendarEvent", { ...base, recurrence: "FREQ=HOURLY" })).toMatch(
      /invalid_input.*recurrence: FREQ/,
    );
    expect(
      await failure(client, "createCalendarEvent", { ...base, recurrence: "FREQ=DAILY;COUNT=3;UNTIL=20270101" }),
    ).toMatch(/invalid_input.*recurrence: give COUNT or UNTIL/);
    expect(await failure(client, "createCalendarEvent", { ...base, attendees: ["not-an-address"] })).toMatch(
      /attendees/,
    );
    expect((await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/me/events"))).toHaveLength(0);
  });

  it("updateCalendarEvent moves an event keeping its length, and changes only what is given", async () => {
    const client = await as(ADELE);
    const subject = unique("Design sync");
    const id = idOf(
      text(
        await call(client, "createCalendarEvent", {
          subject,
          start: "2026-12-02T09:00",
          end: "2026-12-02T10:30",
          timeZone: "Pacific Standard Time",
          location: "Room 1",
          attendees: [MEGAN],
          optionalAttendees: [ALEX],
        }),
      ),
    );
    const moved = await ok(client, "updateCalendarEvent", {
      id,
      start: "2026-12-03T14:00",
      timeZone: "Pacific Standard Time",
    });
    expect(moved.text).toMatch(/now Thu 2026-12-03 14:00–15:30 \(Pacific Standard Time\)/);
    await ok(client, "updateCalendarEvent", { id, subject: `${subject} (final)`, attendees: [NESTOR] });
    const details = (
      await ok<EventDetails>(client, "getCalendarEvent", { id, timeZone: "Pacific Standard Time", fresh: true })
    ).data;
    expect(details).toMatchObject({
      subject: `${subject} (final)`,
      start: "2026-12-03T14:00",
      end: "2026-12-03T15:30",
      location: "Room 1",
    });
    // The required attendees were replaced; the optional one stayed.
    expect(details.attendees.map((attendee) => [attendee.address, attendee.type])).toEqual([
      [NESTOR, "required"],
      [ALEX, "optional"],
    ]);
    const patches = (await requestLog()).filter((entry) => entry.method === "PATCH");
    expect(patches).toHaveLength(2);
    expect(await failure(client, "updateCalendarEvent", { id })).toMatch(/invalid_input.*at least one field/);
    expect(await failure(client, "updateCalendarEvent", { id: "AAMkAGI2doesnotexistAAA=", subject: "x" })).toContain(
      "not_found",
    );
  });

  it("the organizer's update reaches the attendee's copy", async () => {
    const adele = await as(ADELE);
    const subject = unique("Launch retro");
    const id = idOf(
      text(
        await call(adele, "createCalendarEvent", {
          subject,
          start: utc(9, 17).slice(0, 16),
          timeZone: "UTC",
          attendees: [MEGAN],
        }),
      ),
    );
    await ok(adele, "updateCalendarEvent", { id, location: "Auditorium" });
    const megan = await as(MEGAN);
    const copy = (
      await ok<Listing>(megan, "getCalendarEvents", { start: utc(9), end: utc(10), count: 50 })
    ).data.events.find((event) => event.subject === subject)!;
    expect(copy.location).toBe("Auditorium");
  });
});

describe("scheduling", () => {
  it("findMeetingTimes suggests times when everyone is free", async () => {
    const client = await as(ADELE);
    const { data, text: rendered } = await ok<{
      timeZone: string;
      suggestions: { start: string; end: string; confidence: number; unavailable: string[] }[];
    }>(client, "findMeetingTimes", {
      attendees: [ALEX],
      durationMinutes: 60,
      start: new Date(dayStart() + 7 * DAY).toISOString().slice(0, 10),
      end: new Date(dayStart() + 11 * DAY).toISOString().slice(0, 10),
      maxCandidates: 3,
    });
    expect(data.timeZone).toBe("Pacific Standard Time");
    expect(data.suggestions).toHaveLength(3);
    for (const suggestion of data.suggestions) {
      expect(suggestion.confidence).toBe(100);
      expect(suggestion.unavailable).toEqual([]);
      expect(Number(suggestion.start.slice(11, 13))).toBeGreaterThanOrEqual(8);
      expect(Date.parse(`${suggestion.end}:00Z`) - Date.parse(`${suggestion.start}:00Z`)).toBe(3_600_000);
    }
    expect(rendered).toMatch(
      /^Meeting times for 60 min \(Pacific Standard Time\): 3 suggestions, best first\.\n1\. \w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}–\d{2}:\d{2} \| 100% \| everyone free/,
    );
    expect(await failure(client, "findMeetingTimes", { attendees: [] })).toMatch(/attendees/);
    expect(await failure(client, "findMeetingTimes", { attendees: [ALEX], durationMinutes: 5 })).toMatch(
      /durationMinutes/,
    );
  });

  it("getSchedule shows busy blocks per person and their working hours", async () => {
    const client = await as(ADELE);
    const { data, text: rendered } = await ok<{
      timeZone: string;
      schedules: {
        person: string;
        workingHours: string;
        busy: { start: string; end: string; status: string }[];
        error?: string;
      }[];
    }>(client, "getSchedule", {
      people: [MEGAN, ALEX, "nobody@fabrikam.example"],
      start: new Date(nextWorkday()).toISOString().slice(0, 10),
      timeZone: "Europe/Berlin",
    });
    expect(data.timeZone).toBe("Europe/Berlin");
    const [megan, alex, outsider] = data.schedules;
    expect(megan).toMatchObject({ person: MEGAN, workingHours: "Mon–Fri 08:00–17:00 W. Europe Standard Time" });
    // Megan's daily launch check-in, 16:30-16:45 Berlin time, is inside one of her busy blocks.
    const checkIn = megan!.busy.find((block) => block.start.slice(11) <= "16:30" && block.end.slice(11) >= "16:45");
    expect(checkIn, JSON.stringify(megan!.busy)).toBeTruthy();
    expect(alex!.busy.length).toBeGreaterThan(0);
    expect(outsider!.error).toBeTruthy();
    expect(rendered).toMatch(
      /^Free\/busy \d{4}-\d{2}-\d{2} 00:00 → \d{4}-\d{2}-\d{2} 00:00 \(Europe\/Berlin\); free unless listed\./,
    );
    expect(rendered).toContain(`megan@contoso.example (works Mon–Fri 08:00–17:00 W. Europe Standard Time): `);
    expect(rendered).toContain(`${checkIn!.start.slice(11)}–${checkIn!.end.slice(11)}`);
    expect(rendered).toContain("nobody@fabrikam.example: unavailable");
    expect(await failure(client, "getSchedule", { people: [MEGAN], start: "2026-01-01", end: "2026-06-01" })).toMatch(
      /invalid_input.*end: at most 62 days/,
    );
  });
});

describe("calendars and resources", () => {
  it("listCalendars shows the default, a personal and a read-only calendar", async () => {
    const client = await as(ADELE);
    const { data, text: rendered } = await ok<{
      calendars: { id: string; name: string; owner: string; canEdit: boolean; isDefault: boolean; color: string }[];
    }>(client, "listCalendars");
    expect(data.calendars.map((calendar) => [calendar.name, calendar.isDefault, calendar.canEdit])).toEqual([
      ["Calendar", true, true],
      ["Personal", false, true],
      ["Contoso holidays", false, false],
    ]);
    expect(data.calendars[0]!.owner).toBe("Adele Vance <adele@contoso.example>");
    expect(rendered).toMatch(
      /^3 calendars:\n1\. Calendar \(default\) \| owner Adele Vance <adele@contoso\.example> \| editable \| color auto \| id: /,
    );
    expect(rendered).toContain("Contoso holidays | owner Contoso HR <hr@contoso.example> | read-only");
  });

  it("serves microsoft://calendars and microsoft://events/{id}", async () => {
    const client = await as(ADELE);
    const resources = await client.listResources();
    expect(resources.resources.map((resource) => resource.uri)).toContain("microsoft://calendars");
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((template) => template.uriTemplate)).toContain("microsoft://events/{id}");
    const calendars = await client.readResource({ uri: "microsoft://calendars" });
    const list = JSON.parse((calendars.contents[0] as { text: string }).text) as { name: string }[];
    expect(list.map((calendar) => calendar.name)).toContain("Personal");
    const listing = (await ok<Listing>(client, "getCalendarEvents", { count: 1 })).data;
    const id = listing.events[0]!.id;
    const event = await client.readResource({ uri: `microsoft://events/${encodeURIComponent(id)}` });
    const details = JSON.parse((event.contents[0] as { text: string }).text) as EventDetails;
    expect(details).toMatchObject({ id, timeZone: "Pacific Standard Time" });
    await expect(client.readResource({ uri: "microsoft://events/AAMkAGI2doesnotexistAAA%3D" })).rejects.toThrow(
      /not_found/,
    );
  });
});
