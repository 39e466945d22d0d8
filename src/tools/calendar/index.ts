/**
 * Calendar: the workload's tools, in the order clients list them, and its
 * resources. Times are local to the user's mailbox time zone unless a
 * `timeZone` (IANA or Windows) is given; Graph is asked for that zone with
 * `Prefer: outlook.timezone`.
 */
import { getCalendarEvent, getCalendarEvents, listCalendars } from "./read.ts";
import { calendarsResource, eventResource } from "./resources.ts";
import { findMeetingTimes, getSchedule } from "./schedule.ts";
import { createCalendarEvent, deleteCalendarEvent, respondToEvent, updateCalendarEvent } from "./write.ts";

export const calendarTools = [
  getCalendarEvents,
  getCalendarEvent,
  createCalendarEvent,
  updateCalendarEvent,
  deleteCalendarEvent,
  respondToEvent,
  findMeetingTimes,
  getSchedule,
  listCalendars,
];

export const calendarResources = [calendarsResource, eventResource];
