/**
 * Time zones the way Exchange takes them: Windows names ("Pacific Standard
 * Time", what mailboxSettings reports) and IANA names ("Europe/Berlin"), both
 * accepted wherever Graph takes a time zone. Conversions go through Intl, so
 * daylight saving time is right; the Windows names map to IANA zones here
 * (CLDR's windowsZones, territory 001).
 */

import {
  WINDOWS_BY_LOWER_CASE,
  WINDOWS_TO_IANA,
  wallAsUtc,
  wallClock,
  zonedToUtc,
  zoneFormatter,
  type WallClock,
} from "../src/time-zones.ts";

export { WINDOWS_TO_IANA, wallClock, zonedToUtc, type WallClock };

/** A time zone Graph accepted: the name as the client wrote it (canonical spelling) and the IANA zone behind it. */
export interface TimeZone {
  name: string;
  iana: string;
}

export const UTC_ZONE: TimeZone = { name: "UTC", iana: "UTC" };

/** A Windows or IANA time zone name, or undefined when Exchange would not know it. */
export function resolveTimeZone(name: string | null | undefined): TimeZone | undefined {
  const trimmed = (name ?? "").trim();
  if (trimmed === "") return undefined;
  const windows = WINDOWS_BY_LOWER_CASE.get(trimmed.toLowerCase());
  if (windows) return { name: windows, iana: WINDOWS_TO_IANA[windows]! };
  // IANA names: Intl knows them (and refuses anything else with a RangeError).
  if (!/^[A-Za-z][\w+-]*(\/[\w+-]+){0,2}$/.test(trimmed)) return undefined;
  try {
    const iana = zoneFormatter(trimmed).resolvedOptions().timeZone;
    return { name: trimmed, iana };
  } catch {
    return undefined;
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "2026-11-23T09:30:00" */
export function formatWall(wall: WallClock): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** An instant as Graph writes a dateTimeTimeZone's dateTime in a zone: "2026-11-23T09:30:00.0000000". */
export function localDateTime(time: number, iana: string): string {
  return `${formatWall(wallClock(time, iana))}.0000000`;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?$/;

/** Reads "2026-11-23T09:30:00.0000000" (no offset: a wall-clock time); undefined when it is not one. */
export function parseWall(text: string): WallClock | undefined {
  const match = LOCAL_DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0"] = match;
  const wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  };
  const check = new Date(wallAsUtc(wall));
  if (
    check.getUTCFullYear() !== wall.year ||
    check.getUTCMonth() + 1 !== wall.month ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    return undefined;
  }
  return wall;
}

/**
 * A dateTimeTimeZone's instant: the dateTime read as wall-clock time in its
 * zone. A dateTime with an offset or "Z" is taken as that instant.
 */
export function instantOf(dateTime: string, zone: TimeZone): number | undefined {
  if (/(Z|[+-]\d{2}:\d{2})$/i.test(dateTime.trim())) {
    const time = Date.parse(dateTime);
    return Number.isNaN(time) ? undefined : time;
  }
  const wall = parseWall(dateTime);
  return wall ? zonedToUtc(wall, zone.iana) : undefined;
}

/** Days since 1970-01-01 of a wall-clock date, for calendar arithmetic. */
export function dayNumber(wall: Pick<WallClock, "year" | "month" | "day">): number {
  return Math.floor(Date.UTC(wall.year, wall.month - 1, wall.day) / 86_400_000);
}

/** The date of a day number. */
export function dateOfDay(day: number): { year: number; month: number; day: number; weekday: number } {
  const date = new Date(day * 86_400_000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
  };
}
