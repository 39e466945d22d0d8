/**
 * The one rule set for ids that go into Graph paths: each kind of id Graph
 * hands out, and nothing else, so no argument can step out of its path
 * segment (no "/..", "?", "#" or "%").
 */
import { ToolError } from "../../graph/errors.ts";

const ID_RULES = {
  /** Exchange and To Do ids (mail, events, contacts, tasks): base64, standard or URL-safe, not padding alone. */
  exchange: /^(?!=+$)[A-Za-z0-9_=+/-]{1,1024}$/,
  /** OneDrive and SharePoint drive and item ids ("b!…", "01ABC…"). */
  driveItem: /^[\w!-]{1,200}$/,
  /** SharePoint site ids: "host,guid,guid" or a dotted host. */
  site: /^[\w-]+(?:[.,][\w-]+){0,8}$/,
  /** Directory object ids: teams, users. */
  guid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /** Teams thread ids: "19:...@thread.tacv2", "19:meeting_...@thread.v2", "19:{id}_{id}@unq.gbl.spaces". */
  thread: /^19:[\w.@=-]+$/,
  /** Channel and chat message ids: numbers (creation times in ms). */
  teamsMessage: /^\d{1,20}$/,
  /** User principal names and email addresses, as a user path segment takes them. */
  userPrincipalName: /^[^\s/\\?@]+@[^\s/\\?@]+\.[^\s/\\?@]+$/,
} as const;

export type IdKind = keyof typeof ID_RULES;

export function isId(kind: IdKind, value: string): boolean {
  return ID_RULES[kind].test(value);
}

/** `value` encoded as a path segment when it is an id of `kind`; otherwise an invalid_input error saying `refusal`. */
export function idSegment(value: string, kind: IdKind, refusal: string): string {
  if (!isId(kind, value)) throw new ToolError("invalid_input", refusal);
  return encodeURIComponent(value);
}

/** The refusal most tools give: the field, the value as given (cut), and where a good id comes from. */
export function notAGraphId(field: string, value: string): string {
  return `${field}: "${value.slice(0, 80)}" is not a Microsoft Graph id; pass an id exactly as a previous result gave it.`;
}
