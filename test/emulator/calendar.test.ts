import type {
  Calendar,
  Event,
  MeetingTimeSuggestionsResult,
  ScheduleInformation,
} from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  value: T[];
}

const DAY = 86_400_000;
const SCOPE =
  "openid profile email offline_access User.Read Calendars.ReadWrite Calendars.Read.Shared MailboxSettings.Read";
const ADELE = "adele@contoso.example";
const MEGAN = "megan@contoso.example";
const ALEX = "alex@contoso.example";

let emulator: RunningEmulator;
/** Midnight UTC of the seed day. */
let dayStart: number;
const tokens = new Map<string, string>();

async function tokenOf(user: string, scope = SCOPE): Promise<string> {
  const key = `${user} ${scope}`;
  if (!tokens.has(key)) tokens.set(key, (await signIn(emulator.url, user, scope)).access_token);
  return tokens.get(key)!;
}

async function get<T>(path: string, user = ADELE, headers: Record<string, string> = {}): Promise<T> {
  return graphJson<T>(emulator.url, await tokenOf(user), path, { headers });
}

async function send(
  method: string,
  path: string,
  body: unknown,
  user = ADELE,
  headers: Record<string, string> = {},
): Promise<Response> {
  return graph(emulator.url, await tokenOf(user), path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

function iso(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The calendar view of `user` for [from, to), every page followed. */
async function view(user: string, from: number, to: number, extra = "", headers: Record<string, string> = {}) {
  const events: Event[] = [];
  let next: string | undefined = `/me/calendarView?startDateTime=${iso(from)}&endDateTime=${iso(to)}&$top=50${extra}`;
  while (next) {
    const page: Page<Event> = await get<Page<Event>>(next, user, headers);
    events.push(...page.value);
    next = page["@odata.nextLink"];
  }
  return events;
}

/** A date and time (yyyy-MM-ddTHH:mm:ss) `days` from the seed day at `hour` UTC. */
function utcWall(days: number, hour: number): string {
  return new Date(dayStart + days * DAY + hour * 3_600_000).toISOString().slice(0, 19);
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  tokens.clear();
  dayStart = Math.floor(Date.now() / DAY) * DAY;
});

describe("calendars", () => {
  it("lists the default calendar first, a personal one and the read-only holidays calendar", async () => {
    const calendars = await get<Page<Calendar>>("/me/calendars");
    expect(calendars["@odata.context"]).toMatch(/\/calendars$/);
    expect(calendars.value.map((calendar) => calendar.name)).toEqual(["Calendar", "Personal", "Contoso holidays"]);
    expect(calendars.value[0]).toMatchObject({ isDefaultCalendar: true, canEdit: true, owner: { address: ADELE } });
    expect(calendars.value[2]).toMatchObject({ isDefaultCalendar: false, canEdit: false });
    const selected = await get<Page<Calendar>>("/me/calendars?$select=name");
    expect(Object.keys(selected.value[0]!).sort()).toEqual(["id", "name"]);
    const primary = await get<Calendar>("/me/calendar");
    expect(primary.id).toBe(calendars.value[0]!.id);
    const megans = await get<Page<Calendar>>("/me/calendars", MEGAN);
    expect(megans.value.map((calendar) => calendar.name)).toContain("Family");
  });

  it("answers 404 for an unknown calendar", async () => {
    const response = await graph(emulator.url, await tokenOf(ADELE), "/me/calendars/AAMkAGI2unknown=/calendarView");
    expect(await errorOf(response)).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
  });
});

describe("calendarView", () => {
  it("requires startDateTime and endDateTime, as Graph does", async () => {
    const token = await tokenOf(ADELE);
    for (const path of [
      "/me/calendarView",
      `/me/calendarView?startDateTime=${iso(dayStart)}`,
      `/me/calendarView?endDateTime=${iso(dayStart)}`,
    ]) {
      const error = await errorOf(await graph(emulator.url, token, path));
      expect(error).toMatchObject({ status: 400, code: "ErrorInvalidParameter" });
      expect(error.message).toContain("StartDateTime and EndDateTime");
    }
    const invalid = await graph(
      emulator.url,
      token,
      `/me/calendarView?startDateTime=tomorrow&endDateTime=${iso(dayStart)}`,
    );
    expect(await errorOf(invalid)).toMatchObject({ status: 400, code: "ErrorInvalidParameter" });
  });

  it("expands series into occurrences with their master's id, and keeps the exceptions", async () => {
    const events = await view(ADELE, dayStart - DAY, dayStart + 14 * DAY);
    const standups = events.filter((event) => event.subject?.startsWith("Marketing daily standup"));
    expect(standups.length).toBeGreaterThan(5);
    const masterId = standups[0]!.seriesMasterId!;
    expect(standups.every((event) => event.seriesMasterId === masterId && event.recurrence === null)).toBe(true);
    expect(new Set(standups.map((event) => event.id)).size).toBe(standups.length);
    expect(standups.map((event) => event.type)).toContain("occurrence");
    // One occurrence was moved (an exception), one deleted: a weekday without a standup.
    const moved = standups.find((event) => event.type === "exception")!;
    expect(moved.subject).toBe("Marketing daily standup (late start)");
    expect(Date.parse(`${moved.start!.dateTime}Z`) - Date.parse(moved.originalStart!)).toBe(30 * 60_000);
    const weekdays = new Set(
      standups.map((event) => new Date(Date.parse(event.originalStart!)).toISOString().slice(0, 10)),
    );
    const missing = [...Array(14).keys()]
      .map((day) => new Date(dayStart + day * DAY))
      .filter((date) => date.getUTCDay() >= 1 && date.getUTCDay() <= 5)
      .map((date) => date.toISOString().slice(0, 10))
      .filter((date) => !weekdays.has(date));
    expect(missing).toHaveLength(1);
    // The series master itself is not in a calendar view; it is in /me/events.
    expect(events.map((event) => event.type)).not.toContain("seriesMaster");
    const master = await get<Event>(`/me/events/${encodeURIComponent(masterId)}`);
    expect(master).toMatchObject({ type: "seriesMaster", recurrence: { pattern: { type: "weekly" } } });
  });

  it("expands daily, weekly, absolute and relative monthly patterns", async () => {
    const events = await view(ADELE, dayStart - 70 * DAY, dayStart + 40 * DAY);
    // Daily, ten occurrences from three days ago.
    expect(events.filter((event) => event.subject === "Launch countdown check-in")).toHaveLength(10);
    // Absolute monthly: the 15th of each month, 14:00 in New York.
    const retro = (
      await view(ADELE, dayStart - 70 * DAY, dayStart + 40 * DAY, "", {
        Prefer: 'outlook.timezone="Eastern Standard Time"',
      })
    ).filter((event) => event.subject === "Design team retro");
    expect(retro.length).toBeGreaterThanOrEqual(3);
    expect(retro.every((event) => event.start!.dateTime!.slice(8, 16) === "15T14:00")).toBe(true);
    // Relative monthly: the first Tuesday, 17:00 in Berlin.
    const review = await view(ADELE, dayStart - 70 * DAY, dayStart + 40 * DAY, "", {
      Prefer: 'outlook.timezone="Europe/Berlin"',
    });
    const reviews = review.filter((event) => event.subject === "Monthly marketing review");
    expect(reviews.length).toBeGreaterThanOrEqual(3);
    for (const event of reviews) {
      const date = new Date(`${event.start!.dateTime!.slice(0, 10)}T00:00:00Z`);
      expect(date.getUTCDay()).toBe(2);
      expect(date.getUTCDate()).toBeLessThanOrEqual(7);
      expect(event.start!.dateTime!.slice(11, 16)).toBe("17:00");
    }
  });

  it("answers in the Prefer time zone, IANA or Windows, and says so in Preference-Applied", async () => {
    const token = await tokenOf(ADELE);
    const path = `/me/calendarView?startDateTime=${iso(dayStart)}&endDateTime=${iso(dayStart + 2 * DAY)}&$top=50`;
    const utc = await graph(emulator.url, token, path);
    expect(utc.headers.get("preference-applied")).toBeNull();
    const utcEvents = ((await utc.json()) as Page<Event>).value;
    expect(utcEvents[0]!.start!.timeZone).toBe("UTC");
    for (const [name, offsetHours] of [
      ["Pacific Standard Time", -8],
      ["America/Los_Angeles", -8],
      ["Tokyo Standard Time", 9],
    ] as const) {
      const response = await graph(emulator.url, token, path, { headers: { Prefer: `outlook.timezone="${name}"` } });
      expect(response.headers.get("preference-applied")).toBe(`outlook.timezone="${name}"`);
      const events = ((await response.json()) as Page<Event>).value;
      expect(events.map((event) => event.id)).toEqual(utcEvents.map((event) => event.id));
      const timed = events.findIndex((event) => !event.isAllDay);
      const local = events[timed]!.start!;
      expect(local.timeZone).toBe(name);
      const difference = Date.parse(`${local.dateTime}Z`) - Date.parse(`${utcEvents[timed]!.start!.dateTime}Z`);
      // Daylight saving time may be in effect for Los Angeles: -7 or -8 hours.
      expect([offsetHours, offsetHours + 1]).toContain(difference / 3_600_000);
    }
    const invalid = await graph(emulator.url, token, path, { headers: { Prefer: 'outlook.timezone="Mars/Olympus"' } });
    expect(await errorOf(invalid)).toMatchObject({ status: 400, code: "TimeZoneNotSupportedException" });
  });

  it("pages with $top and nextLink, ordered by start, and honours $select", async () => {
    const all = await view(ADELE, dayStart - 7 * DAY, dayStart + 7 * DAY);
    const first = await get<Page<Event>>(
      `/me/calendarView?startDateTime=${iso(dayStart - 7 * DAY)}&endDateTime=${iso(dayStart + 7 * DAY)}&$top=4&$orderby=start/dateTime&$select=subject,start`,
    );
    expect(first.value).toHaveLength(4);
    expect(Object.keys(first.value[0]!).sort()).toEqual(["@odata.etag", "id", "start", "subject"]);
    expect(first["@odata.nextLink"]).toContain("startDateTime=");
    const pages = [first];
    let next = first["@odata.nextLink"];
    while (next) {
      const page: Page<Event> = await get<Page<Event>>(next);
      pages.push(page);
      next = page["@odata.nextLink"];
    }
    const ids = pages.flatMap((page) => page.value.map((event) => event.id));
    expect(ids).toEqual(all.map((event) => event.id));
    const starts = pages.flatMap((page) => page.value.map((event) => event.start!.dateTime!));
    expect([...starts].sort()).toEqual(starts);
  });

  it("reads another calendar with /me/calendars/{id}/calendarView", async () => {
    const calendars = await get<Page<Calendar>>("/me/calendars");
    const personal = calendars.value.find((calendar) => calendar.name === "Personal")!;
    const page = await get<Page<Event>>(
      `/me/calendars/${personal.id}/calendarView?startDateTime=${iso(dayStart - 7 * DAY)}&endDateTime=${iso(dayStart + 21 * DAY)}&$top=100`,
    );
    const subjects = page.value.map((event) => event.subject);
    expect(subjects).toContain("Gym");
    expect(subjects).toContain("Vacation: Hawaii");
    expect(subjects).not.toContain("Marketing daily standup");
    const vacation = page.value.find((event) => event.subject === "Vacation: Hawaii")!;
    expect(vacation).toMatchObject({ isAllDay: true, showAs: "oof" });
    expect(vacation.start!.dateTime).toMatch(/T00:00:00\.0000000$/);
  });
});

describe("events", () => {
  it("reads an occurrence by id and answers 404 for unknown ids", async () => {
    const [occurrence] = await view(ADELE, dayStart, dayStart + 3 * DAY, "&$filter=type eq 'occurrence'");
    const event = await get<Event>(`/me/events/${encodeURIComponent(occurrence!.id!)}`, ADELE, {
      Prefer: 'outlook.timezone="Pacific Standard Time", outlook.body-content-type="text"',
    });
    expect(event).toMatchObject({ id: occurrence!.id, type: "occurrence", body: { contentType: "text" } });
    expect(event.start!.timeZone).toBe("Pacific Standard Time");
    const missing = await graph(emulator.url, await tokenOf(ADELE), "/me/events/AAMkAGI2doesnotexistAAA=");
    expect(await errorOf(missing)).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
  });

  it("creates a meeting that lands in the attendee's calendar, unanswered", async () => {
    const response = await send("POST", "/me/events", {
      subject: "Roadmap review",
      body: { contentType: "text", content: "Let's go through the roadmap." },
      start: { dateTime: utcWall(3, 17), timeZone: "UTC" },
      end: { dateTime: utcWall(3, 18), timeZone: "UTC" },
      location: { displayName: "Room 42" },
      attendees: [{ type: "required", emailAddress: { address: MEGAN } }],
      isOnlineMeeting: true,
      onlineMeetingProvider: "teamsForBusiness",
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Event;
    expect(created).toMatchObject({
      subject: "Roadmap review",
      isOrganizer: true,
      responseStatus: { response: "organizer" },
      location: { displayName: "Room 42" },
      isOnlineMeeting: true,
      attendees: [{ status: { response: "none" }, emailAddress: { address: MEGAN, name: "Megan Bowen" } }],
    });
    expect(created.onlineMeeting?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    const megans = await view(MEGAN, dayStart + 3 * DAY, dayStart + 4 * DAY);
    const copy = megans.find((event) => event.subject === "Roadmap review")!;
    expect(copy).toMatchObject({
      iCalUId: created.iCalUId,
      isOrganizer: false,
      responseStatus: { response: "notResponded" },
      showAs: "tentative",
      organizer: { emailAddress: { address: ADELE } },
    });
    expect(copy.id).not.toBe(created.id);
  });

  it("creates a weekly series in the requested zone, starting on its first occurrence", async () => {
    const firstMonday = new Date(dayStart + 7 * DAY);
    while (firstMonday.getUTCDay() !== 1) firstMonday.setUTCDate(firstMonday.getUTCDate() + 1);
    const startDate = new Date(dayStart + 7 * DAY).toISOString().slice(0, 10);
    const response = await send("POST", "/me/events", {
      subject: "Planning",
      start: { dateTime: `${startDate}T09:00:00`, timeZone: "Europe/Berlin" },
      end: { dateTime: `${startDate}T09:30:00`, timeZone: "Europe/Berlin" },
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
        range: { type: "numbered", startDate, numberOfOccurrences: 3 },
      },
    });
    expect(response.status).toBe(201);
    const master = (await response.json()) as Event;
    expect(master.type).toBe("seriesMaster");
    expect(master.start).toMatchObject({ dateTime: `${firstMonday.toISOString().slice(0, 10)}T09:00:00.0000000` });
    const occurrences = (
      await view(ADELE, dayStart, dayStart + 40 * DAY, "", { Prefer: 'outlook.timezone="Europe/Berlin"' })
    ).filter((event) => event.seriesMasterId === master.id);
    expect(occurrences).toHaveLength(3);
    expect(occurrences.every((event) => event.start!.dateTime!.endsWith("T09:00:00.0000000"))).toBe(true);
  });

  it("refuses unknown time zones, an end before the start and unknown properties", async () => {
    const start = { dateTime: utcWall(2, 10), timeZone: "UTC" };
    const badZone = await send("POST", "/me/events", {
      subject: "x",
      start: { dateTime: utcWall(2, 10), timeZone: "Atlantis Standard Time" },
      end: start,
    });
    expect(await errorOf(badZone)).toMatchObject({ status: 400, code: "TimeZoneNotSupportedException" });
    const backwards = await send("POST", "/me/events", {
      subject: "x",
      start,
      end: { dateTime: utcWall(2, 9), timeZone: "UTC" },
    });
    expect(await errorOf(backwards)).toMatchObject({ status: 400, code: "ErrorCalendarEndDateIsEarlierThanStartDate" });
    const unknown = await send("POST", "/me/events", { subject: "x", start, end: start, colour: "red" });
    expect(await errorOf(unknown)).toMatchObject({ status: 400, code: "RequestBodyRead" });
    const holidays = (await get<Page<Calendar>>("/me/calendars")).value.find((calendar) => !calendar.canEdit)!;
    const readOnly = await send("POST", `/me/calendars/${holidays.id}/events`, { subject: "x", start, end: start });
    expect(readOnly.status).toBe(403);
  });

  it("records an attendee's answer on the organizer's event; declining removes the meeting", async () => {
    const created = (await (
      await send("POST", "/me/events", {
        subject: "Budget sync",
        start: { dateTime: utcWall(4, 16), timeZone: "UTC" },
        end: { dateTime: utcWall(4, 17), timeZone: "UTC" },
        attendees: [{ emailAddress: { address: MEGAN } }, { emailAddress: { address: ALEX } }],
      })
    ).json()) as Event;
    const copyOf = async (user: string) =>
      (await view(user, dayStart + 4 * DAY, dayStart + 5 * DAY)).find((event) => event.subject === "Budget sync");
    const megan = (await copyOf(MEGAN))!;
    const accepted = await send(
      "POST",
      `/me/events/${encodeURIComponent(megan.id!)}/accept`,
      { comment: "See you", sendResponse: true },
      MEGAN,
    );
    expect(accepted.status).toBe(202);
    expect(await copyOf(MEGAN)).toMatchObject({ responseStatus: { response: "accepted" }, showAs: "busy" });
    const alex = (await copyOf(ALEX))!;
    expect((await send("POST", `/me/events/${encodeURIComponent(alex.id!)}/decline`, {}, ALEX)).status).toBe(202);
    expect(await copyOf(ALEX)).toBeUndefined();
    const organizer = await get<Event>(`/me/events/${encodeURIComponent(created.id!)}`);
    const status = Object.fromEntries(organizer.attendees!.map((a) => [a.emailAddress!.address, a.status!.response]));
    expect(status).toEqual({ [MEGAN]: "accepted", [ALEX]: "declined" });
    const own = await send("POST", `/me/events/${encodeURIComponent(created.id!)}/accept`, {});
    expect(await errorOf(own)).toMatchObject({ status: 400, code: "ErrorInvalidRequest" });
  });

  it("an answer without sendResponse leaves the organizer's view as it was", async () => {
    const [checkIn] = await view(
      ADELE,
      dayStart + DAY,
      dayStart + 2 * DAY,
      "&$filter=subject eq 'Launch countdown check-in'",
    );
    expect(checkIn).toMatchObject({ responseStatus: { response: "notResponded" } });
    const response = await send("POST", `/me/events/${encodeURIComponent(checkIn!.id!)}/tentativelyAccept`, {
      sendResponse: false,
    });
    expect(response.status).toBe(202);
    const after = await get<Event>(`/me/events/${encodeURIComponent(checkIn!.id!)}`);
    expect(after).toMatchObject({
      type: "exception",
      responseStatus: { response: "tentativelyAccepted" },
      showAs: "tentative",
    });
    const megans = await view(
      MEGAN,
      dayStart + DAY,
      dayStart + 2 * DAY,
      "&$filter=subject eq 'Launch countdown check-in'",
    );
    expect(megans[0]!.attendees![0]!.status!.response).toBe("none");
  });

  it("PATCH by the organizer reaches the attendees' copies; an occurrence becomes an exception", async () => {
    const created = (await (
      await send("POST", "/me/events", {
        subject: "Draft review",
        start: { dateTime: utcWall(5, 16), timeZone: "UTC" },
        end: { dateTime: utcWall(5, 17), timeZone: "UTC" },
        attendees: [{ emailAddress: { address: MEGAN } }],
      })
    ).json()) as Event;
    const patched = await send("PATCH", `/me/events/${encodeURIComponent(created.id!)}`, {
      subject: "Final review",
      start: { dateTime: utcWall(5, 18), timeZone: "UTC" },
    });
    expect(patched.status).toBe(200);
    const updated = (await patched.json()) as Event;
    expect(updated).toMatchObject({ subject: "Final review", end: { dateTime: `${utcWall(5, 19)}.0000000` } });
    const copy = (await view(MEGAN, dayStart + 5 * DAY, dayStart + 6 * DAY)).find(
      (event) => event.iCalUId === created.iCalUId,
    )!;
    expect(copy.subject).toBe("Final review");
    expect(copy.start!.dateTime).toBe(`${utcWall(5, 18)}.0000000`);

    const [standup] = await view(ADELE, dayStart + 7 * DAY, dayStart + 10 * DAY, "&$filter=type eq 'occurrence'");
    const moved = await send("PATCH", `/me/events/${encodeURIComponent(standup!.id!)}`, {
      subject: "Standup (demo day)",
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ id: standup!.id, type: "exception", subject: "Standup (demo day)" });
    const alexCopy = (await view(ALEX, dayStart + 7 * DAY, dayStart + 10 * DAY)).find(
      (event) => event.originalStart === standup!.originalStart && event.seriesMasterId,
    );
    expect(alexCopy?.subject).toBe("Standup (demo day)");
    // A new end alone keeps the occurrence's own start (not the series' first one).
    const newEnd = new Date(Date.parse(`${standup!.start!.dateTime!.slice(0, 19)}Z`) + 30 * 60_000).toISOString();
    const longer = await send("PATCH", `/me/events/${encodeURIComponent(standup!.id!)}`, {
      end: { dateTime: newEnd.slice(0, 19), timeZone: "UTC" },
    });
    expect(await longer.json()).toMatchObject({
      start: { dateTime: standup!.start!.dateTime },
      end: { dateTime: `${newEnd.slice(0, 19)}.0000000` },
    });
    const badRecurrence = await send("PATCH", `/me/events/${encodeURIComponent(standup!.id!)}`, {
      recurrence: { pattern: { type: "daily", interval: 1 }, range: { type: "noEnd", startDate: "2030-01-01" } },
    });
    expect(badRecurrence.status).toBe(400);
  });

  it("PATCH of the attendees invites the added ones and cancels for the removed ones", async () => {
    const created = (await (
      await send("POST", "/me/events", {
        subject: "Hiring panel",
        start: { dateTime: utcWall(8, 16), timeZone: "UTC" },
        end: { dateTime: utcWall(8, 17), timeZone: "UTC" },
        attendees: [{ emailAddress: { address: MEGAN } }],
      })
    ).json()) as Event;
    const patched = await send("PATCH", `/me/events/${encodeURIComponent(created.id!)}`, {
      attendees: [{ emailAddress: { address: ALEX } }],
    });
    expect(patched.status).toBe(200);
    const copy = async (user: string) =>
      (await view(user, dayStart + 8 * DAY, dayStart + 9 * DAY)).find((event) => event.iCalUId === created.iCalUId);
    expect(await copy(ALEX)).toMatchObject({ subject: "Hiring panel", responseStatus: { response: "notResponded" } });
    expect(await copy(MEGAN)).toMatchObject({ subject: "Canceled: Hiring panel", isCancelled: true });
  });

  it("lists a series' occurrences with /instances", async () => {
    const [standup] = await view(ADELE, dayStart, dayStart + 3 * DAY, "&$filter=subject eq 'Marketing daily standup'");
    const page = await get<Page<Event>>(
      `/me/events/${encodeURIComponent(standup!.seriesMasterId!)}/instances?startDateTime=${iso(dayStart - 7 * DAY)}&endDateTime=${iso(dayStart)}`,
    );
    // Monday to Friday of the week before.
    expect(page.value).toHaveLength(5);
    expect(page.value.every((event) => event.seriesMasterId === standup!.seriesMasterId)).toBe(true);
    const missing = await graph(
      emulator.url,
      await tokenOf(ADELE),
      `/me/events/${encodeURIComponent(standup!.seriesMasterId!)}/instances`,
    );
    expect(missing.status).toBe(400);
  });

  it("DELETE and cancel leave a cancelled copy for the attendees; only the organizer may cancel", async () => {
    const make = async (subject: string) =>
      (await (
        await send("POST", "/me/events", {
          subject,
          start: { dateTime: utcWall(6, 16), timeZone: "UTC" },
          end: { dateTime: utcWall(6, 17), timeZone: "UTC" },
          attendees: [{ emailAddress: { address: MEGAN } }],
        })
      ).json()) as Event;
    const deleted = await make("Deleted meeting");
    const removed = await send("DELETE", `/me/events/${encodeURIComponent(deleted.id!)}`, undefined);
    expect(removed.status).toBe(204);
    expect(
      (await graph(emulator.url, await tokenOf(ADELE), `/me/events/${encodeURIComponent(deleted.id!)}`)).status,
    ).toBe(404);
    const cancelled = await make("Cancelled meeting");
    const megansCopy = (await view(MEGAN, dayStart + 6 * DAY, dayStart + 7 * DAY)).find(
      (event) => event.iCalUId === cancelled.iCalUId,
    )!;
    const notOrganizer = await send("POST", `/me/events/${encodeURIComponent(megansCopy.id!)}/cancel`, {}, MEGAN);
    expect(await errorOf(notOrganizer)).toMatchObject({ status: 400, code: "ErrorInvalidRequest" });
    const cancel = await send("POST", `/me/events/${encodeURIComponent(cancelled.id!)}/cancel`, {
      comment: "Moving this to next week",
    });
    expect(cancel.status).toBe(202);
    const megans = await view(MEGAN, dayStart + 6 * DAY, dayStart + 7 * DAY, "", {
      Prefer: 'outlook.body-content-type="text"',
    });
    expect(megans.find((event) => event.iCalUId === deleted.iCalUId)).toMatchObject({
      isCancelled: true,
      subject: "Canceled: Deleted meeting",
    });
    const copy = megans.find((event) => event.iCalUId === cancelled.iCalUId)!;
    expect(copy).toMatchObject({ isCancelled: true, subject: "Canceled: Cancelled meeting" });
    expect(copy.body!.content).toContain("Moving this to next week");
  });
});

describe("free/busy and meeting suggestions", () => {
  it("getSchedule builds availabilityView strings from each person's calendar", async () => {
    const response = await send("POST", "/me/calendar/getSchedule", {
      schedules: [MEGAN, ALEX, "nobody@fabrikam.example"],
      startTime: { dateTime: utcWall(0, 0), timeZone: "UTC" },
      endTime: { dateTime: utcWall(1, 0), timeZone: "UTC" },
      availabilityViewInterval: 60,
    });
    expect(response.status).toBe(200);
    const [megan, alex, outsider] = ((await response.json()) as Page<ScheduleInformation>).value;
    expect(megan!.availabilityView).toMatch(/^[0-3]{24}$/);
    expect(megan!.availabilityView).toMatch(/[12]/);
    expect(megan!.workingHours).toMatchObject({
      startTime: "08:00:00.0000000",
      timeZone: { name: "W. Europe Standard Time" },
    });
    // Every busy hour of the view has an item, and every item a busy hour.
    for (const [index, digit] of [...megan!.availabilityView!].entries()) {
      const from = dayStart + index * 3_600_000;
      const overlapping = megan!.scheduleItems!.filter(
        (item) =>
          Date.parse(`${item.start!.dateTime}Z`) < from + 3_600_000 && Date.parse(`${item.end!.dateTime}Z`) > from,
      );
      expect(overlapping.length > 0).toBe(digit !== "0");
    }
    expect(megan!.scheduleItems![0]!.subject).toBeUndefined();
    expect(alex!.scheduleId).toBe(ALEX);
    expect(outsider!.error?.responseCode).toBe("ErrorMailRecipientNotFound");
    const tooLong = await send("POST", "/me/calendar/getSchedule", {
      schedules: [MEGAN],
      startTime: { dateTime: utcWall(0, 0), timeZone: "UTC" },
      endTime: { dateTime: utcWall(90, 0), timeZone: "UTC" },
    });
    expect(tooLong.status).toBe(400);
  });

  it("findMeetingTimes proposes non-overlapping free slots in the organizer's working hours", async () => {
    const response = await send(
      "POST",
      "/me/findMeetingTimes",
      {
        attendees: [{ type: "required", emailAddress: { address: ALEX } }],
        timeConstraint: {
          activityDomain: "work",
          timeSlots: [
            {
              start: { dateTime: utcWall(7, 0), timeZone: "UTC" },
              end: { dateTime: utcWall(12, 0), timeZone: "UTC" },
            },
          ],
        },
        meetingDuration: "PT1H",
        maxCandidates: 4,
        returnSuggestionReasons: true,
      },
      ADELE,
      { Prefer: 'outlook.timezone="Pacific Standard Time"' },
    );
    expect(response.status).toBe(200);
    const result = (await response.json()) as MeetingTimeSuggestionsResult;
    expect(result.emptySuggestionsReason).toBe("");
    const suggestions = result.meetingTimeSuggestions!;
    expect(suggestions).toHaveLength(4);
    for (const suggestion of suggestions) {
      const { start, end } = suggestion.meetingTimeSlot!;
      expect(start!.timeZone).toBe("Pacific Standard Time");
      const hour = Number(start!.dateTime!.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(Number(end!.dateTime!.slice(11, 13)) + Number(end!.dateTime!.slice(14, 16)) / 60).toBeLessThanOrEqual(17);
      expect(suggestion.attendeeAvailability![0]).toMatchObject({
        availability: "free",
        attendee: { emailAddress: { address: ALEX } },
      });
      expect(suggestion.confidence).toBe(100);
      expect(suggestion.suggestionReason).toBeTruthy();
    }
    const slots = suggestions.map((s) => [s.meetingTimeSlot!.start!.dateTime!, s.meetingTimeSlot!.end!.dateTime!]);
    for (const [i, [start, end]] of slots.entries()) {
      for (const [j, [otherStart, otherEnd]] of slots.entries()) {
        if (i !== j) expect(start! < otherEnd! && end! > otherStart!).toBe(false);
      }
    }
    const tooShort = await send("POST", "/me/findMeetingTimes", {
      attendees: [{ emailAddress: { address: ALEX } }],
      timeConstraint: {
        timeSlots: [
          {
            start: { dateTime: utcWall(7, 20), timeZone: "UTC" },
            end: { dateTime: utcWall(7, 21), timeZone: "UTC" },
          },
        ],
      },
      meetingDuration: "PT2H",
    });
    const empty = (await tooShort.json()) as MeetingTimeSuggestionsResult;
    expect(empty.meetingTimeSuggestions).toEqual([]);
    expect(empty.emptySuggestionsReason).toBe("OrganizerUnavailable");
  });
});

describe("permissions and search", () => {
  it("refuses calendar calls without a calendar permission, and reads no bodies with Calendars.ReadBasic", async () => {
    const none = await tokenOf(ADELE, "openid profile User.Read");
    const path = `/me/calendarView?startDateTime=${iso(dayStart)}&endDateTime=${iso(dayStart + DAY)}`;
    expect(await errorOf(await graph(emulator.url, none, path))).toMatchObject({
      status: 403,
      code: "ErrorAccessDenied",
    });
    const basic = await tokenOf(ADELE, "openid profile User.Read Calendars.ReadBasic");
    const page = (await (await graph(emulator.url, basic, path)).json()) as Page<Event>;
    expect(page.value.length).toBeGreaterThan(0);
    expect(page.value[0]!.body).toBeUndefined();
    const write = await graph(emulator.url, basic, "/me/events", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(write.status).toBe(403);
  });

  it("takes only the .Shared calendar permissions for findMeetingTimes, as Graph documents", async () => {
    const body = JSON.stringify({ attendees: [{ type: "required", emailAddress: { address: ALEX } }] });
    const ask = (token: string) =>
      graph(emulator.url, token, "/me/findMeetingTimes", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
    const own = await tokenOf(ADELE, "openid profile User.Read Calendars.ReadWrite");
    expect(await errorOf(await ask(own))).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
    const shared = await tokenOf(ADELE, "openid profile User.Read Calendars.Read.Shared");
    expect((await ask(shared)).status).toBe(200);
  });

  it("registers events with the Microsoft Search API", async () => {
    const response = await send("POST", "/search/query", {
      requests: [{ entityTypes: ["event"], query: { queryString: "standup" } }],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      value: { hitsContainers: { hits?: { resource: Event & { "@odata.type": string } }[] }[] }[];
    };
    const hits = body.value[0]!.hitsContainers[0]!.hits!;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.resource).toMatchObject({
      "@odata.type": "#microsoft.graph.event",
      subject: "Marketing daily standup",
    });
  });
});
