/** Finding time with other people: meeting suggestions and free/busy. */
import type { MeetingTimeSuggestionsResult, ScheduleInformation } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { defineTool } from "../spec.ts";
import { busyBlocks, workingHoursText, type BusyBlock } from "./format.ts";
import { prefer, READ, readRange, timeZoneInput, utcTime, zoneFor } from "./inputs.ts";
import { clockOf, dateText, dateTimeText, dayLabel, startOfToday, timeRange, wallOf, type When } from "./time.ts";

const peopleInput = z.array(z.email()).min(1);
const MAX_PEOPLE = 20;

function checkPeople(people: readonly string[], field: string): void {
  if (people.length > MAX_PEOPLE)
    throw new ToolError("invalid_input", `${field}: at most ${MAX_PEOPLE} people at once.`);
}

export const findMeetingTimes = defineTool({
  name: "findMeetingTimes",
  title: "Find meeting times",
  description: "Suggest times when the user and all attendees are free for a meeting of a given length, best first.",
  input: {
    attendees: peopleInput,
    durationMinutes: z.number().int().min(15).max(480).default(30),
    start: z.string().optional().describe("Search from (date or date-time); default now"),
    end: z.string().optional().describe("Search until; default start + 7 days"),
    timeZone: timeZoneInput,
    maxCandidates: z.number().int().min(1).max(20).default(5),
    workHoursOnly: z.boolean().default(true),
  },
  output: {
    timeZone: z.string(),
    suggestions: z.array(
      z.object({ start: z.string(), end: z.string(), confidence: z.number(), unavailable: z.array(z.string()) }),
    ),
    emptyReason: z.string().optional(),
  },
  // Graph documents findMeetingTimes with the .Shared permissions only: it reads the attendees' calendars.
  scopes: ["Calendars.Read.Shared", "MailboxSettings.Read"],
  access: "read",
  cacheKind: "calendar",
  async run({ attendees, durationMinutes, start, end, timeZone, maxCandidates, workHoursOnly }, context) {
    checkPeople(attendees, "attendees");
    const zone = await zoneFor(timeZone, context);
    const now = (): When => {
      const instant = Date.now();
      return { wall: wallOf(instant, zone), instant, dateOnly: false };
    };
    const range = readRange({ start, end }, zone, { start: now, days: 7 }, 62);
    const hours = Math.floor(durationMinutes / 60);
    const minutes = durationMinutes % 60;
    const result = await context.graph.post<MeetingTimeSuggestionsResult>(
      "/me/findMeetingTimes",
      {
        attendees: attendees.map((address) => ({ type: "required", emailAddress: { address } })),
        timeConstraint: {
          activityDomain: workHoursOnly ? "work" : "unrestricted",
          timeSlots: [{ start: utcTime(range.start), end: utcTime(range.end) }],
        },
        meetingDuration: `PT${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}`,
        maxCandidates,
        returnSuggestionReasons: false,
      },
      // A POST that only reads: retried like a GET.
      { headers: prefer(zone), readOnly: true },
    );
    const suggestions = (result.meetingTimeSuggestions ?? []).map((suggestion) => {
      const people = [
        { who: "me", availability: suggestion.organizerAvailability ?? "unknown" },
        ...(suggestion.attendeeAvailability ?? []).map((entry) => ({
          who: entry.attendee?.emailAddress?.address ?? "",
          availability: entry.availability ?? "unknown",
        })),
      ];
      return {
        start: (suggestion.meetingTimeSlot?.start?.dateTime ?? "").slice(0, 16),
        end: (suggestion.meetingTimeSlot?.end?.dateTime ?? "").slice(0, 16),
        confidence: Math.round(suggestion.confidence ?? 0),
        // Who may not make it: everyone not free, with their status.
        unavailable: people
          .filter((person) => person.availability !== "free")
          .map((person) => `${person.who} (${person.availability})`),
      };
    });
    const heading = `Meeting times for ${durationMinutes} min (${zone.name})`;
    const emptyReason = result.emptySuggestionsReason || undefined;
    const text = suggestions.length
      ? [
          `${heading}: ${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"}, best first.`,
          ...suggestions.map(
            (suggestion, index) =>
              `${index + 1}. ${timeRange(suggestion.start, suggestion.end, false)} | ${suggestion.confidence}% | ${suggestion.unavailable.length ? `not free: ${suggestion.unavailable.join(", ")}` : "everyone free"}`,
          ),
        ].join("\n")
      : `${heading}: no time found (${emptyReason ?? "no free slot"}). Try a longer range, a shorter meeting or workHoursOnly false.`;
    return {
      text,
      structured: { timeZone: zone.name, suggestions, ...(emptyReason ? { emptyReason } : {}) },
    };
  },
});

export const getSchedule = defineTool({
  name: "getSchedule",
  title: "Check free/busy",
  description:
    "Show when people are busy over a range, with their working hours; check before proposing a meeting time.",
  input: {
    people: peopleInput,
    start: z.string().optional().describe("Date or date-time; default today"),
    end: z.string().optional().describe("Last day or date-time; default end of start day"),
    timeZone: timeZoneInput,
  },
  output: {
    timeZone: z.string(),
    schedules: z.array(
      z.object({
        person: z.string(),
        workingHours: z.string(),
        busy: z.array(z.object({ start: z.string(), end: z.string(), status: z.string() })),
        error: z.string().optional(),
      }),
    ),
  },
  scopes: READ,
  access: "read",
  cacheKind: "calendar",
  async run({ people, start, end, timeZone }, context) {
    checkPeople(people, "people");
    const zone = await zoneFor(timeZone, context);
    const range = readRange({ start, end }, zone, { start: () => startOfToday(zone), days: 1 }, 62);
    const result = await context.graph.post<{ value: ScheduleInformation[] }>(
      "/me/calendar/getSchedule",
      {
        schedules: people,
        startTime: utcTime(range.start),
        endTime: utcTime(range.end),
        availabilityViewInterval: 30,
      },
      // A POST that only reads: retried like a GET.
      { headers: prefer(zone), readOnly: true },
    );
    const oneDay = dateText(range.start.wall) === dateText(wallOf(range.end.instant - 1, zone));
    const schedules = result.value.map((schedule) => ({
      person: schedule.scheduleId ?? "",
      workingHours: workingHoursText(schedule),
      busy: busyBlocks(schedule),
      ...(schedule.error ? { error: schedule.error.message ?? schedule.error.responseCode ?? "unavailable" } : {}),
    }));
    const block = (busy: BusyBlock) => {
      // A block past midnight names the day it ends on: "22:00–11-25 01:00".
      const end =
        busy.end.slice(0, 10) === busy.start.slice(0, 10)
          ? clockOf(busy.end)
          : `${busy.end.slice(5, 10)} ${clockOf(busy.end)}`;
      const text = `${clockOf(busy.start)}–${end}`;
      return busy.status === "busy" ? text : `${text} ${busy.status}`;
    };
    /** "09:00–10:00, 13:00–13:30 tentative" for one day; "Mon 11-23: ...; Tue 11-24: ..." over several. */
    const blocks = (busy: BusyBlock[]) => {
      if (oneDay) return busy.map(block).join(", ");
      const days = new Map<string, string[]>();
      for (const entry of busy) {
        const day = dayLabel(entry.start);
        days.set(day, [...(days.get(day) ?? []), block(entry)]);
      }
      return [...days].map(([day, entries]) => `${day}: ${entries.join(", ")}`).join("; ");
    };
    const lines = [
      `Free/busy ${dateText(range.start.wall)} ${clockOf(dateTimeText(range.start.wall))} → ${dateText(range.end.wall)} ${clockOf(dateTimeText(range.end.wall))} (${zone.name}); free unless listed.`,
      ...schedules.map((schedule) => {
        const works = schedule.workingHours ? ` (works ${schedule.workingHours})` : "";
        if (schedule.error) return `${schedule.person}: unavailable (${schedule.error})`;
        return `${schedule.person}${works}: ${schedule.busy.length ? blocks(schedule.busy) : "free"}`;
      }),
    ];
    return { text: lines.join("\n"), structured: { timeZone: zone.name, schedules } };
  },
});
