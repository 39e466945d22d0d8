/**
 * /users/{id | userPrincipalName}/... for mail and calendars: another
 * user's or a shared mailbox, served by the /me routes with that mailbox as
 * the owner once Graph's two checks pass. The token needs the `.Shared`
 * permission of what the /me route needs (Mail.Read → Mail.Read.Shared), and
 * the signed-in user needs the Exchange right on that mailbox (Full Access,
 * or a delegate's folder permission on the calendar). Docs:
 * https://learn.microsoft.com/graph/outlook-share-messages-folders,
 * https://learn.microsoft.com/graph/outlook-send-mail-from-other-user.
 */
import { groupOwner } from "../data/groups.ts";
import { findMailboxOwner, rightsOn } from "../data/shared-mailboxes.ts";
import type { EmulatorState } from "../state.ts";
import type { DemoUser } from "../tenant.ts";
import { groupFor } from "./group-access.ts";
import { GraphFailure } from "./responses.ts";

/** The Exchange area a path segment after /users/{id} belongs to. */
const AREAS: Record<string, "mail" | "send" | "calendar"> = {
  messages: "mail",
  mailfolders: "mail",
  sendmail: "send",
  calendar: "calendar",
  calendars: "calendar",
  calendarview: "calendar",
  events: "calendar",
};

export interface OtherMailbox {
  /** The same request as a /me path. */
  path: string;
  owner: DemoUser;
  area: "mail" | "send" | "calendar";
  /** False when the path names the signed-in user: Graph treats that exactly as /me. */
  delegated: boolean;
  /** A group's calendar: the permissions it needs instead of the route's; membership checked already. */
  groupScopes?: readonly string[];
}

const ACCESS_DENIED = "Access is denied. Check credentials and try again.";

/** A mailbox path under /users/{id | upn}, resolved to its owner; undefined for every other path. */
export function otherMailbox(path: string, signedIn: DemoUser): OtherMailbox | undefined {
  const match = /^\/users\/([^/]+)\/([^/]+)(\/.*)?$/i.exec(path);
  const area = match?.[2] ? AREAS[match[2].toLowerCase()] : undefined;
  if (!match?.[1] || !area) return undefined;
  let key: string;
  try {
    key = decodeURIComponent(match[1]);
  } catch {
    throw new GraphFailure(400, "BadRequest", `The path segment '${match[1]}' is not correctly encoded.`);
  }
  const owner = findMailboxOwner(key);
  // Graph's Outlook endpoints answer an unknown id or UPN this way (and accept no other key here).
  if (!owner) throw new GraphFailure(404, "ErrorInvalidUser", `The requested user '${key}' is invalid.`);
  return { path: `/me/${match[2]}${match[3] ?? ""}`, owner, area, delegated: owner.id !== signedIn.id };
}

/**
 * /groups/{id}/calendar, /calendarView and /events: the group's calendar,
 * for members (and readers of a public group), with Group.Read.All or
 * Group.ReadWrite.All. https://learn.microsoft.com/graph/api/group-list-calendarview
 */
export function groupMailbox(
  path: string,
  state: EmulatorState,
  signedIn: DemoUser,
  method: string,
): OtherMailbox | undefined {
  const match = /^\/groups\/([^/]+)\/(calendar|calendarView|events)(\/.*)?$/i.exec(path);
  if (!match?.[1] || !match[2]) return undefined;
  const reads = method === "GET";
  const group = groupFor(state, decodeURIComponent(match[1]), signedIn, !reads);
  return {
    path: `/me/${match[2]}${match[3] ?? ""}`,
    owner: groupOwner(group),
    area: "calendar",
    delegated: true,
    groupScopes: reads ? ["Group.Read.All", "Group.ReadWrite.All"] : ["Group.ReadWrite.All"],
  };
}

/** The `.Shared` permissions that stand for `scopes` on someone else's mailbox. */
export function sharedScopes(scopes: readonly string[]): string[] {
  return [
    ...new Set(
      scopes.flatMap((scope) =>
        /^(Mail|Calendars)\.\w+\.Shared$/.test(scope)
          ? [scope]
          : /^(Mail\.(ReadBasic|Read|ReadWrite|Send)|Calendars\.(Read|ReadWrite))$/.test(scope)
            ? [`${scope}.Shared`]
            : [],
      ),
    ),
  ];
}

/** Throws Graph's 403 unless `user` holds the Exchange right the request needs on the mailbox. */
export function checkMailboxRights(target: OtherMailbox, user: DemoUser, method: string): void {
  if (!target.delegated || target.groupScopes) return;
  const rights = rightsOn(target.owner, user);
  const reads = method === "GET" || /\/getSchedule$/i.test(target.path);
  const allowed =
    target.area === "calendar"
      ? rights.fullAccess || rights.calendar === "editor" || (reads && rights.calendar === "reviewer")
      : rights.fullAccess;
  if (!allowed) throw new GraphFailure(403, "ErrorAccessDenied", ACCESS_DENIED);
}
