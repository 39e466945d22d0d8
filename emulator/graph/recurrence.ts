/**
 * Recurrence as Exchange expands it: the dates a patternedRecurrence yields
 * (daily, weekly, absolute and relative monthly and yearly; end date, count or
 * no end), and the checks Graph applies to a recurrence in a request.
 */
import type { PatternedRecurrence, RecurrencePattern, RecurrenceRange } from "@microsoft/microsoft-graph-types";
import { dateOfDay, dayNumber, parseWall } from "../timezones.ts";
import { GraphFailure } from "./responses.ts";

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
const INDEXES = ["first", "second", "third", "fourth", "last"] as const;
const PATTERN_TYPES = [
  "daily",
  "weekly",
  "absoluteMonthly",
  "relativeMonthly",
  "absoluteYearly",
  "relativeYearly",
] as const;
const RANGE_TYPES = ["endDate", "noEnd", "numbered"] as const;

/** No series is expanded further than this many occurrences (Exchange caps series too). */
const MAX_OCCURRENCES = 5000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dateDay(text: string | null | undefined): number | undefined {
  const wall = text ? parseWall(text) : undefined;
  return wall && /^\d{4}-\d{2}-\d{2}$/.test(text!.trim()) ? dayNumber(wall) : undefined;
}

function weekdayIndexes(pattern: RecurrencePattern): number[] {
  return (pattern.daysOfWeek ?? []).map((day) => WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]));
}

/** The day in a month that "first Tuesday", "last weekday"... names, or undefined. */
function relativeDay(year: number, month: number, pattern: RecurrencePattern): number | undefined {
  const days = weekdayIndexes(pattern);
  const first = dayNumber({ year, month, day: 1 });
  const matching: number[] = [];
  for (let day = 0; day < daysInMonth(year, month); day++) {
    if (days.includes(dateOfDay(first + day).weekday)) matching.push(first + day);
  }
  const index = INDEXES.indexOf((pattern.index ?? "first") as (typeof INDEXES)[number]);
  return index === 4 ? matching.at(-1) : matching[index];
}

function* candidateDays(pattern: RecurrencePattern, startDay: number): Generator<number> {
  const interval = Math.max(1, pattern.interval ?? 1);
  const start = dateOfDay(startDay);
  switch (pattern.type) {
    case "daily":
      for (let day = startDay; ; day += interval) yield day;
    case "weekly": {
      const firstDay = Math.max(0, WEEKDAYS.indexOf((pattern.firstDayOfWeek ?? "sunday") as (typeof WEEKDAYS)[number]));
      const offsets = [...new Set(weekdayIndexes(pattern).map((day) => (day - firstDay + 7) % 7))].sort(
        (a, b) => a - b,
      );
      for (let week = startDay - ((start.weekday - firstDay + 7) % 7); ; week += 7 * interval) {
        for (const offset of offsets) yield week + offset;
      }
    }
    case "absoluteMonthly":
    case "relativeMonthly":
      for (let months = start.year * 12 + start.month - 1; ; months += interval) {
        const year = Math.floor(months / 12);
        const month = (months % 12) + 1;
        const day =
          pattern.type === "absoluteMonthly"
            ? dayNumber({ year, month, day: Math.min(pattern.dayOfMonth ?? start.day, daysInMonth(year, month)) })
            : relativeDay(year, month, pattern);
        if (day !== undefined) yield day;
      }
    case "absoluteYearly":
    case "relativeYearly":
      for (let year = start.year; ; year += interval) {
        const month = pattern.month ?? start.month;
        const day =
          pattern.type === "absoluteYearly"
            ? dayNumber({ year, month, day: Math.min(pattern.dayOfMonth ?? start.day, daysInMonth(year, month)) })
            : relativeDay(year, month, pattern);
        if (day !== undefined) yield day;
      }
    default:
      return;
  }
}

/**
 * The dates (day numbers) of a series' occurrences, in order, from its
 * range's start date to its end (date or count); stop consuming to stop.
 */
export function* occurrenceDays(recurrence: PatternedRecurrence): Generator<number> {
  const pattern = recurrence.pattern ?? {};
  const range: RecurrenceRange = recurrence.range ?? {};
  const startDay = dateDay(range.startDate);
  if (startDay === undefined) return;
  const endDay = range.type === "endDate" ? (dateDay(range.endDate) ?? startDay) : Infinity;
  const limit = Math.min(range.type === "numbered" ? (range.numberOfOccurrences ?? 0) : Infinity, MAX_OCCURRENCES);
  let count = 0;
  for (const day of candidateDays(pattern, startDay)) {
    if (count >= limit || day > endDay) return;
    if (day < startDay) continue;
    count++;
    yield day;
  }
}

function invalid(message: string): GraphFailure {
  return new GraphFailure(400, "ErrorInvalidRequest", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A recurrence from a request body, checked the way Exchange checks it; null removes recurrence. */
export function readRecurrence(value: unknown): PatternedRecurrence | null {
  if (value === null) return null;
  if (!isObject(value) || !isObject(value.pattern) || !isObject(value.range)) {
    throw invalid("The recurrence needs a 'pattern' and a 'range'.");
  }
  const pattern = value.pattern as RecurrencePattern;
  const range = value.range as RecurrenceRange;
  if (!PATTERN_TYPES.includes(pattern.type as (typeof PATTERN_TYPES)[number])) {
    throw invalid(`The recurrence pattern type '${String(pattern.type)}' is not valid.`);
  }
  const interval = pattern.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1 || interval > 999) {
    throw invalid("The recurrence pattern's interval must be an integer from 1 to 999.");
  }
  const days = pattern.daysOfWeek ?? [];
  if (!Array.isArray(days) || days.some((day) => !WEEKDAYS.includes(day as (typeof WEEKDAYS)[number]))) {
    throw invalid("daysOfWeek must list days: sunday, monday, ... saturday.");
  }
  const needsDays = ["weekly", "relativeMonthly", "relativeYearly"].includes(pattern.type!);
  if (needsDays && days.length === 0) {
    throw invalid(`A ${pattern.type} recurrence pattern needs daysOfWeek.`);
  }
  if (["absoluteMonthly", "absoluteYearly"].includes(pattern.type!)) {
    const day = pattern.dayOfMonth;
    if (!Number.isInteger(day) || day! < 1 || day! > 31) {
      throw invalid(`An ${pattern.type} recurrence pattern needs a dayOfMonth from 1 to 31.`);
    }
  }
  if (
    pattern.type!.endsWith("Yearly") &&
    (!Number.isInteger(pattern.month) || pattern.month! < 1 || pattern.month! > 12)
  ) {
    throw invalid(`A ${pattern.type} recurrence pattern needs a month from 1 to 12.`);
  }
  if (
    pattern.index !== undefined &&
    pattern.index !== null &&
    !INDEXES.includes(pattern.index as (typeof INDEXES)[number])
  ) {
    throw invalid(`The recurrence pattern index '${String(pattern.index)}' is not valid.`);
  }
  if (!RANGE_TYPES.includes(range.type as (typeof RANGE_TYPES)[number])) {
    throw invalid(`The recurrence range type '${String(range.type)}' is not valid.`);
  }
  const start = dateDay(range.startDate);
  if (start === undefined) throw invalid("The recurrence range needs a startDate (yyyy-MM-dd).");
  if (range.type === "endDate") {
    const end = dateDay(range.endDate);
    if (end === undefined) throw invalid("An endDate recurrence range needs an endDate (yyyy-MM-dd).");
    if (end < start) throw invalid("The recurrence range's endDate is before its startDate.");
  }
  if (range.type === "numbered") {
    const count = range.numberOfOccurrences;
    if (!Number.isInteger(count) || count! < 1 || count! > 999) {
      throw invalid("A numbered recurrence range needs numberOfOccurrences from 1 to 999.");
    }
  }
  return {
    pattern: {
      type: pattern.type,
      interval,
      month: pattern.month ?? 0,
      dayOfMonth: pattern.dayOfMonth ?? 0,
      ...(days.length ? { daysOfWeek: days } : {}),
      firstDayOfWeek: pattern.firstDayOfWeek ?? "sunday",
      index: pattern.index ?? "first",
    },
    range: {
      type: range.type,
      startDate: range.startDate,
      endDate: range.type === "endDate" ? range.endDate : "0001-01-01",
      recurrenceTimeZone: range.recurrenceTimeZone ?? null,
      numberOfOccurrences: range.type === "numbered" ? range.numberOfOccurrences : 0,
    },
  };
}
