/** Time units and the two timestamp formats Graph uses. */
import type { DateTimeTimeZone } from "@microsoft/microsoft-graph-types";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An Edm.DateTimeOffset the way Graph writes most of them: "2026-11-22T09:30:00Z". */
export function isoSeconds(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A dateTimeTimeZone in UTC: { dateTime: "2026-11-22T09:30:00.0000000", timeZone: "UTC" }. */
export function utcDateTime(time: number): DateTimeTimeZone {
  return { dateTime: new Date(time).toISOString().replace(/Z$/, "0000"), timeZone: "UTC" };
}
