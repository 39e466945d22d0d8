/** Calendar arguments as Graph takes them: event ids, time zones, ranges, and the inputs several tools share. */
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { idSegment as checkedSegment, notAGraphId } from "../shared/ids.ts";
import { mailboxTimeZone } from "../shared/mailbox-time-zone.ts";
import { scopesWith, type ToolContext } from "../spec.ts";
import {
  addDays,
  dateTimeText,
  instantOf,
  parseWhen,
  resolveZone,
  UTC,
  zoneArgument,
  type When,
  type Zone,
} from "./time.ts";

export const READ = ["Calendars.Read", "MailboxSettings.Read"];
export const WRITE = ["Calendars.ReadWrite", "MailboxSettings.Read"];
/** The same, for tools that also take another `mailbox`: its calendar needs the .Shared permission. */
export const SHARED_READ = scopesWith(READ, { mailbox: ["Calendars.Read.Shared"] });
export const SHARED_WRITE = scopesWith(WRITE, { mailbox: ["Calendars.ReadWrite.Shared"] });
const DAY_MS = 86_400_000;

/** An event or calendar id as a path segment; the error names `field`. */
export function idSegment(value: string, field = "id"): string {
  return checkedSegment(value, "exchange", notAGraphId(field, value));
}

/** The mailbox's time zone (cached an hour); UTC when the mailbox has none or its setting cannot be read. */
export async function mailboxZone(context: ToolContext): Promise<Zone> {
  return resolveZone(await mailboxTimeZone(context)) || UTC;
}

/** The zone a `timeZone` argument names, or the mailbox's when there is none. */
export async function zoneFor(timeZone: string | undefined, context: ToolContext): Promise<Zone> {
  return timeZone ? zoneArgument(timeZone) : mailboxZone(context);
}

/** The Prefer header asking Graph for times in `zone` (and, with `textBody`, bodies as text). */
export function prefer(zone: Zone, textBody = false): Record<string, string> {
  return {
    Prefer: `outlook.timezone="${zone.graph}"${textBody ? ', outlook.body-content-type="text"' : ""}`,
  };
}

/** A range's end: a date alone means the whole of that day. */
function rangeEnd(text: string, field: string, zone: Zone): When {
  const when = parseWhen(text, field, zone);
  if (!when.dateOnly) return when;
  const wall = addDays(when.wall, 1);
  return { wall, instant: instantOf(wall, zone), dateOnly: true };
}

/** [start, end) of a range argument pair, with defaults, checked. */
export function readRange(
  args: { start?: string; end?: string },
  zone: Zone,
  defaults: { start: () => When; days: number },
  maxDays?: number,
): { start: When; end: When } {
  const start = args.start ? parseWhen(args.start, "start", zone) : defaults.start();
  const end = args.end
    ? rangeEnd(args.end, "end", zone)
    : (() => {
        const wall = addDays(start.wall, defaults.days);
        return { wall, instant: instantOf(wall, zone), dateOnly: start.dateOnly };
      })();
  if (end.instant <= start.instant) throw new ToolError("invalid_input", "end: must be after start.");
  if (maxDays && end.instant - start.instant > maxDays * DAY_MS) {
    throw new ToolError("invalid_input", `end: at most ${maxDays} days after start.`);
  }
  return { start, end };
}

export function graphTime(when: When, zone: Zone): { dateTime: string; timeZone: string } {
  return { dateTime: dateTimeText(when.wall), timeZone: zone.graph };
}

/** A window edge for findMeetingTimes and getSchedule, in UTC: every Exchange takes that zone. */
export function utcTime(when: When): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(when.instant).toISOString().slice(0, 19), timeZone: "UTC" };
}

export const timeZoneInput = z.string().optional().describe("IANA or Windows zone; default the user's");
export const idInput = z.string().describe("Event id");
export const calendarIdInput = z.string().optional().describe("From listCalendars; default the main calendar");
export const emailList = z.array(z.email());
