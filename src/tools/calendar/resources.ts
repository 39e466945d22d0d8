import { defineResource } from "../spec.ts";
import { mailboxZone } from "./inputs.ts";
import { readCalendars, readEvent } from "./read.ts";

/** `microsoft://calendars`: the calendar list, as JSON. */
export const calendarsResource = defineResource({
  name: "calendars",
  uri: "microsoft://calendars",
  title: "My calendars",
  description: "The user's calendars: id, name, owner, color, editable, default",
  mimeType: "application/json",
  icon: "calendar",
  scopes: ["Calendars.Read"],
  cacheKind: "calendar",
  offeredWith: { kind: "calendar" },
  async read(_variables, { graph }) {
    return JSON.stringify(await readCalendars(graph));
  },
});

/** `microsoft://events/{id}`: one event in the user's time zone, as getCalendarEvent's structured result. */
export const eventResource = defineResource({
  name: "event",
  template: "microsoft://events/{id}",
  title: "Calendar event",
  description: "One calendar event in the user's time zone (the getCalendarEvent view)",
  mimeType: "application/json",
  icon: "calendar",
  scopes: ["Calendars.Read"],
  cacheKind: "calendar",
  offeredWith: { kind: "calendar" },
  async read({ id = "" }, context) {
    const { details } = await readEvent(context.graph, id, await mailboxZone(context));
    return JSON.stringify(details);
  },
});
