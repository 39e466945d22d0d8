/**
 * Time for the calendar tools: time zones by IANA or Windows name (Graph
 * takes both; Intl knows only IANA, so Windows names map through CLDR's
 * table), dates and times the model writes, and compact local renderings.
 */
import { ToolError } from "../../graph/errors.ts";
import {
  WINDOWS_BY_LOWER_CASE,
  WINDOWS_TO_IANA as WINDOWS_ZONES,
  wallAsUtc,
  wallClock,
  zonedToUtc,
  zoneFormatter as formatter,
  type WallClock,
} from "../../time-zones.ts";
/** IANA → Windows, for the zones of the table: Exchange takes Windows names everywhere, IANA names not always. */
const WINDOWS_BY_IANA = new Map(Object.entries(WINDOWS_ZONES).map(([windows, iana]) => [iana.toLowerCase(), windows]));

/**
 * A time zone: the name as the user or the mailbox wrote it (shown), the name
 * sent to Graph (Windows when there is one) and the IANA zone for arithmetic.
 */
export interface Zone {
  name: string;
  graph: string;
  iana: string;
}

export const UTC: Zone = { name: "UTC", graph: "UTC", iana: "UTC" };

/** A Windows or IANA zone name, or undefined when it is neither. */
export function resolveZone(name: string): Zone | undefined {
  const trimmed = name.trim();
  const windows = WINDOWS_BY_LOWER_CASE.get(trimmed.toLowerCase());
  if (windows) return { name: windows, graph: windows, iana: WINDOWS_ZONES[windows]! };
  if (!/^[A-Za-z][\w+-]*(\/[\w+-]+){0,2}$/.test(trimmed)) return undefined;
  try {
    const iana = formatter(trimmed).resolvedOptions().timeZone;
    const graph = WINDOWS_BY_IANA.get(trimmed.toLowerCase()) ?? WINDOWS_BY_IANA.get(iana.toLowerCase()) ?? trimmed;
    return { name: trimmed, graph, iana };
  } catch {
    return undefined;
  }
}

/** The zone of a `timeZone` argument, or an invalid_input error naming it. */
export function zoneArgument(name: string, field = "timeZone"): Zone {
  const zone = resolveZone(name);
  if (!zone) {
    throw new ToolError(
      "invalid_input",
      `${field}: "${name}" is not a time zone; use an IANA name (Europe/Berlin) or a Windows name (Pacific Standard Time).`,
    );
  }
  return zone;
}

export type Wall = WallClock;

export function wallOf(time: number, zone: Zone): Wall {
  return wallClock(time, zone.iana);
}

/** The instant of a wall-clock time in a zone (daylight saving time included). */
export function instantOf(wall: Wall, zone: Zone): number {
  return zonedToUtc(wall, zone.iana);
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "2026-11-23" */
export function dateText(wall: Pick<Wall, "year" | "month" | "day">): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** "2026-11-23T09:30:00": a dateTimeTimeZone's dateTime. */
export function dateTimeText(wall: Wall): string {
  return `${dateText(wall)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** The same wall-clock time `days` later. */
export function addDays(wall: Wall, days: number): Wall {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function weekdayOf(wall: Pick<Wall, "year" | "month" | "day">): number {
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
}

const WEEKDAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** A date or date and time the model wrote, in a zone. */
export interface When {
  wall: Wall;
  instant: number;
  /** Written as a date alone ("2026-11-23"). */
  dateOnly: boolean;
}

const WRITTEN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Reads "2026-11-23", "2026-11-23T09:30" (wall-clock in `zone`) or an ISO instant with an offset. */
export function parseWhen(text: string, field: string, zone: Zone): When {
  const match = WRITTEN.exec(text.trim());
  const invalid = () =>
    new ToolError(
      "invalid_input",
      `${field}: "${text}" is not a date or date-time; use 2026-11-23 or 2026-11-23T09:30 (local to the time zone).`,
    );
  if (!match) throw invalid();
  const [, year, month, day, hour, minute, second, offset] = match;
  const wall: Wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
  };
  const check = new Date(wallAsUtc(wall));
  if (
    check.getUTCMonth() + 1 !== wall.month ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    throw invalid();
  }
  if (offset) {
    if (hour === undefined) throw invalid();
    const instant = Date.parse(
      `${dateTimeText(wall)}${offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset}`,
    );
    if (Number.isNaN(instant)) throw invalid();
    return { wall: wallOf(instant, zone), instant, dateOnly: false };
  }
  return { wall, instant: instantOf(wall, zone), dateOnly: hour === undefined };
}

/** Midnight today in a zone. */
export function startOfToday(zone: Zone, now = Date.now()): When {
  const wall = { ...wallOf(now, zone), hour: 0, minute: 0, second: 0 };
  return { wall, instant: instantOf(wall, zone), dateOnly: true };
}

/** The wall-clock time of a Graph dateTime ("2026-11-23T09:30:00.0000000"). */
export function wallFromGraph(dateTime: string | null | undefined): Wall | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(dateTime ?? "");
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? 0),
  };
}

/** "2026-11-23T09:30": the compact local form of a Graph dateTime. */
export function shortLocal(dateTime: string | null | undefined): string {
  return (dateTime ?? "").slice(0, 16);
}

/** "Mon 2026-11-23 09:30" */
export function dayAndTime(wall: Wall): string {
  return `${WEEKDAY_NAMES[weekdayOf(wall)]} ${dateText(wall)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}

/**
 * "Mon 2026-11-23 09:30–10:00", "Mon 2026-11-23 22:00 – Tue 2026-11-24 01:00",
 * "Mon 2026-11-23 all day", "Mon 2026-11-23 – Wed 2026-11-25 all day" (end exclusive).
 */
export function timeRange(start: string | null | undefined, end: string | null | undefined, allDay: boolean): string {
  const from = wallFromGraph(start);
  const to = wallFromGraph(end);
  if (!from || !to) return `${shortLocal(start)}–${shortLocal(end)}`;
  const day = (wall: Wall) => `${WEEKDAY_NAMES[weekdayOf(wall)]} ${dateText(wall)}`;
  if (allDay) {
    const last = addDays(to, -1);
    return dateText(last) > dateText(from) ? `${day(from)} – ${day(last)} all day` : `${day(from)} all day`;
  }
  if (dateText(from) === dateText(to)) return `${dayAndTime(from)}–${pad(to.hour)}:${pad(to.minute)}`;
  return `${dayAndTime(from)} – ${dayAndTime(to)}`;
}

/** "Mon 11-23": the day of a Graph dateTime, short. */
export function dayLabel(dateTime: string): string {
  const wall = wallFromGraph(dateTime);
  return wall ? `${WEEKDAY_NAMES[weekdayOf(wall)]} ${dateTime.slice(5, 10)}` : dateTime.slice(0, 10);
}

/** "HH:mm" of a Graph dateTime. */
export function clockOf(dateTime: string | null | undefined): string {
  return (dateTime ?? "").slice(11, 16);
}
