/**
 * Recurrence for the calendar tools: an iCalendar RRULE the model writes
 * ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10") as Graph's patternedRecurrence, and a
 * patternedRecurrence in words for the model to read.
 */
import type { DayOfWeek, PatternedRecurrence, RecurrencePattern, WeekIndex } from "@microsoft/microsoft-graph-types";
import { ToolError } from "../../graph/errors.ts";
import { dateText, weekdayOf, type When, type Zone } from "./time.ts";

const DAYS: readonly DayOfWeek[] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const RRULE_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const WEEK_INDEXES: readonly WeekIndex[] = ["first", "second", "third", "fourth"];
const RULE_PARTS = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"];

function invalid(message: string): ToolError {
  return new ToolError("invalid_input", `recurrence: ${message}`);
}

function integer(value: string, name: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw invalid(`${name} must be ${min}-${max}.`);
  return number;
}

/** The nth weekday of the month a date is ("the third Tuesday"); the fifth is "last". */
function weekIndexOf(day: number): WeekIndex {
  return day > 28 ? "last" : WEEK_INDEXES[Math.floor((day - 1) / 7)]!;
}

/**
 * Graph's recurrence for an RRULE (FREQ daily, weekly, monthly or yearly;
 * INTERVAL; BYDAY, with an ordinal such as 1TU or -1FR for monthly and
 * yearly; BYMONTHDAY; BYMONTH; COUNT or UNTIL), starting on `start`'s date.
 */
export function recurrenceFromRule(rule: string, start: When, zone: Zone): PatternedRecurrence {
  const parts = new Map<string, string>();
  for (const part of rule
    .trim()
    .replace(/^RRULE:/i, "")
    .split(";")
    .filter(Boolean)) {
    const [name = "", value = ""] = part.split("=");
    const key = name.trim().toUpperCase();
    if (!RULE_PARTS.includes(key)) {
      throw invalid(`${key || part} is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, COUNT, UNTIL.`);
    }
    parts.set(key, value.trim().toUpperCase());
  }
  const freq = parts.get("FREQ");
  if (!freq || !["DAILY", "WEEKLY", "MONTHLY", "YEARLY"].includes(freq)) {
    throw invalid("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=MO.");
  }
  const interval = parts.has("INTERVAL") ? integer(parts.get("INTERVAL")!, "INTERVAL", 1, 99) : 1;
  const byDay = (parts.get("BYDAY") ?? "")
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const match = /^([+-]?\d)?(SU|MO|TU|WE|TH|FR|SA)$/.exec(entry);
      if (!match) throw invalid(`BYDAY "${entry}" is not a day such as MO, TU or (monthly) 1TU, -1FR.`);
      return { ordinal: match[1] ? Number(match[1]) : undefined, day: DAYS[RRULE_DAYS.indexOf(match[2]!)]! };
    });
  const days = byDay.map((entry) => entry.day);
  const ordinal = byDay.find((entry) => entry.ordinal !== undefined)?.ordinal;
  if (ordinal !== undefined && (ordinal === 0 || ordinal > 4 || ordinal < -1)) {
    throw invalid("a BYDAY ordinal must be 1-4 or -1 (last).");
  }
  const index: WeekIndex =
    ordinal === undefined ? weekIndexOf(start.wall.day) : ordinal === -1 ? "last" : WEEK_INDEXES[ordinal - 1]!;
  const dayOfMonth = parts.has("BYMONTHDAY") ? integer(parts.get("BYMONTHDAY")!, "BYMONTHDAY", 1, 31) : start.wall.day;
  const month = parts.has("BYMONTH") ? integer(parts.get("BYMONTH")!, "BYMONTH", 1, 12) : start.wall.month;
  const weekday = DAYS[weekdayOf(start.wall)]!;
  let pattern: RecurrencePattern;
  if (freq === "DAILY") {
    // Every weekday (FREQ=DAILY;BYDAY=MO,...) is a weekly pattern in Exchange.
    pattern = days.length
      ? { type: "weekly", interval, daysOfWeek: days, firstDayOfWeek: "sunday" }
      : { type: "daily", interval };
  } else if (freq === "WEEKLY") {
    pattern = { type: "weekly", interval, daysOfWeek: days.length ? days : [weekday], firstDayOfWeek: "sunday" };
  } else if (freq === "MONTHLY") {
    pattern = days.length
      ? { type: "relativeMonthly", interval, daysOfWeek: days, index }
      : { type: "absoluteMonthly", interval, dayOfMonth };
  } else {
    pattern = days.length
      ? { type: "relativeYearly", interval, daysOfWeek: days, index, month }
      : { type: "absoluteYearly", interval, dayOfMonth, month };
  }
  const startDate = dateText(start.wall);
  if (parts.has("COUNT") && parts.has("UNTIL")) throw invalid("give COUNT or UNTIL, not both.");
  if (parts.has("COUNT")) {
    const count = integer(parts.get("COUNT")!, "COUNT", 1, 999);
    return {
      pattern,
      range: { type: "numbered", startDate, numberOfOccurrences: count, recurrenceTimeZone: zone.graph },
    };
  }
  if (parts.has("UNTIL")) {
    const until = /^(\d{4})-?(\d{2})-?(\d{2})(T[\dZ:]*)?$/.exec(parts.get("UNTIL")!);
    if (!until) throw invalid("UNTIL must be a date such as 20261231.");
    const endDate = `${until[1]}-${until[2]}-${until[3]}`;
    if (Number.isNaN(Date.parse(endDate)) || endDate < startDate)
      throw invalid("UNTIL must be a date on or after the start.");
    return { pattern, range: { type: "endDate", startDate, endDate, recurrenceTimeZone: zone.graph } };
  }
  return { pattern, range: { type: "noEnd", startDate, recurrenceTimeZone: zone.graph } };
}

const MONTHS = [
  "",
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "every 2 weeks on Monday, Thursday from 2026-09-28, until 2026-12-31" */
export function describeRecurrence(recurrence: PatternedRecurrence | null | undefined): string | undefined {
  const pattern = recurrence?.pattern;
  const range = recurrence?.range;
  if (!pattern?.type || !range) return undefined;
  const interval = pattern.interval ?? 1;
  const every = (unit: string) => (interval === 1 ? `every ${unit}` : `every ${interval} ${unit}s`);
  const days = (pattern.daysOfWeek ?? []).map((day) => day[0]!.toUpperCase() + day.slice(1)).join(", ");
  const nth = `the ${pattern.index ?? "first"} ${days}`;
  const month = MONTHS[pattern.month ?? 0] ?? "";
  const text = {
    daily: every("day"),
    weekly: `${every("week")} on ${days}`,
    absoluteMonthly: `${every("month")} on day ${pattern.dayOfMonth}`,
    relativeMonthly: `${every("month")} on ${nth}`,
    absoluteYearly: `${every("year")} on ${month} ${pattern.dayOfMonth}`,
    relativeYearly: `${every("year")} on ${nth} of ${month}`,
  }[pattern.type];
  const end =
    range.type === "endDate"
      ? `until ${range.endDate}`
      : range.type === "numbered"
        ? `${range.numberOfOccurrences} times`
        : "no end";
  return `${text ?? pattern.type} from ${range.startDate}, ${end}`;
}
