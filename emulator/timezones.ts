/**
 * Time zones the way Exchange takes them: Windows names ("Pacific Standard
 * Time", what mailboxSettings reports) and IANA names ("Europe/Berlin"), both
 * accepted wherever Graph takes a time zone. The Windows names map to IANA
 * zones from CLDR's windowsZones (territory 001).
 *
 * This is the emulator's own arithmetic, written apart from the server's
 * (src/time-zones.ts) on purpose: it reads a zone's UTC offset from Intl's
 * `longOffset` names and searches the offsets around an instant, where the
 * server compares formatted wall-clock fields. A daylight-saving mistake in
 * either one then shows up as a disagreement in the calendar tests.
 */

/** Windows time zone name → IANA zone (CLDR windowsZones, territory 001). */
export const WINDOWS_TO_IANA: Readonly<Record<string, string>> = {
  "Dateline Standard Time": "Etc/GMT+12",
  "UTC-11": "Etc/GMT+11",
  "Aleutian Standard Time": "America/Adak",
  "Hawaiian Standard Time": "Pacific/Honolulu",
  "Alaskan Standard Time": "America/Anchorage",
  "Pacific Standard Time (Mexico)": "America/Tijuana",
  "Pacific Standard Time": "America/Los_Angeles",
  "US Mountain Standard Time": "America/Phoenix",
  "Mountain Standard Time (Mexico)": "America/Mazatlan",
  "Mountain Standard Time": "America/Denver",
  "Central America Standard Time": "America/Guatemala",
  "Central Standard Time": "America/Chicago",
  "Central Standard Time (Mexico)": "America/Mexico_City",
  "Canada Central Standard Time": "America/Regina",
  "SA Pacific Standard Time": "America/Bogota",
  "Eastern Standard Time (Mexico)": "America/Cancun",
  "Eastern Standard Time": "America/New_York",
  "US Eastern Standard Time": "America/Indiana/Indianapolis",
  "Venezuela Standard Time": "America/Caracas",
  "Atlantic Standard Time": "America/Halifax",
  "SA Western Standard Time": "America/La_Paz",
  "Pacific SA Standard Time": "America/Santiago",
  "Newfoundland Standard Time": "America/St_Johns",
  "E. South America Standard Time": "America/Sao_Paulo",
  "Argentina Standard Time": "America/Argentina/Buenos_Aires",
  "SA Eastern Standard Time": "America/Cayenne",
  "Greenland Standard Time": "America/Godthab",
  "UTC-02": "Etc/GMT+2",
  "Azores Standard Time": "Atlantic/Azores",
  "Cape Verde Standard Time": "Atlantic/Cape_Verde",
  UTC: "UTC",
  "GMT Standard Time": "Europe/London",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
  "Morocco Standard Time": "Africa/Casablanca",
  "W. Europe Standard Time": "Europe/Berlin",
  "Central Europe Standard Time": "Europe/Budapest",
  "Romance Standard Time": "Europe/Paris",
  "Central European Standard Time": "Europe/Warsaw",
  "W. Central Africa Standard Time": "Africa/Lagos",
  "Jordan Standard Time": "Asia/Amman",
  "GTB Standard Time": "Europe/Bucharest",
  "Middle East Standard Time": "Asia/Beirut",
  "Egypt Standard Time": "Africa/Cairo",
  "E. Europe Standard Time": "Europe/Chisinau",
  "Syria Standard Time": "Asia/Damascus",
  "South Africa Standard Time": "Africa/Johannesburg",
  "FLE Standard Time": "Europe/Kiev",
  "Israel Standard Time": "Asia/Jerusalem",
  "Arabic Standard Time": "Asia/Baghdad",
  "Turkey Standard Time": "Europe/Istanbul",
  "Arab Standard Time": "Asia/Riyadh",
  "Russian Standard Time": "Europe/Moscow",
  "E. Africa Standard Time": "Africa/Nairobi",
  "Iran Standard Time": "Asia/Tehran",
  "Arabian Standard Time": "Asia/Dubai",
  "Pakistan Standard Time": "Asia/Karachi",
  "West Asia Standard Time": "Asia/Tashkent",
  "India Standard Time": "Asia/Kolkata",
  "Sri Lanka Standard Time": "Asia/Colombo",
  "Nepal Standard Time": "Asia/Kathmandu",
  "Bangladesh Standard Time": "Asia/Dhaka",
  "N. Central Asia Standard Time": "Asia/Novosibirsk",
  "SE Asia Standard Time": "Asia/Bangkok",
  "China Standard Time": "Asia/Shanghai",
  "Singapore Standard Time": "Asia/Singapore",
  "W. Australia Standard Time": "Australia/Perth",
  "Taipei Standard Time": "Asia/Taipei",
  "Tokyo Standard Time": "Asia/Tokyo",
  "Korea Standard Time": "Asia/Seoul",
  "Cen. Australia Standard Time": "Australia/Adelaide",
  "AUS Central Standard Time": "Australia/Darwin",
  "E. Australia Standard Time": "Australia/Brisbane",
  "AUS Eastern Standard Time": "Australia/Sydney",
  "West Pacific Standard Time": "Pacific/Port_Moresby",
  "New Zealand Standard Time": "Pacific/Auckland",
  "UTC+12": "Etc/GMT-12",
  "Tonga Standard Time": "Pacific/Tongatapu",
};

const WINDOWS_BY_LOWER_CASE: ReadonlyMap<string, string> = new Map(
  Object.keys(WINDOWS_TO_IANA).map((name) => [name.toLowerCase(), name]),
);

/** Wall-clock fields of an instant in a zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes a zone is ahead of UTC at an instant, read from Intl's "GMT+05:30" style names. */
function offsetMinutes(time: number, iana: string): number {
  let format = offsetFormats.get(iana);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: iana, timeZoneName: "longOffset" });
    offsetFormats.set(iana, format);
  }
  const name = format.formatToParts(new Date(time)).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

/** Wall-clock fields of an instant in a zone: the instant moved by the zone's offset, read as UTC. */
export function wallClock(time: number, iana: string): WallClock {
  const shifted = new Date(Math.floor(time / 1000) * 1000 + offsetMinutes(time, iana) * MINUTE_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/**
 * The instant a wall-clock time in a zone stands for, as Exchange reads it:
 * in an overlap (clocks going back) the first of the two; in a gap (clocks
 * going forward) the time that far past the gap's start, under the old offset.
 */
export function zonedToUtc(wall: WallClock, iana: string): number {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Offsets change at most once within a day either side of any instant.
  const offsets = new Set([local - DAY_MS, local, local + DAY_MS].map((time) => offsetMinutes(time, iana)));
  const fitting = [...offsets]
    .map((offset) => local - offset * MINUTE_MS)
    .filter((instant) => offsetMinutes(instant, iana) * MINUTE_MS === local - instant)
    .sort((a, b) => a - b);
  if (fitting.length > 0) return fitting[0]!;
  return local - offsetMinutes(local - DAY_MS, iana) * MINUTE_MS;
}

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
    const iana = new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
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
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
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
