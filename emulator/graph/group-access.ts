/** Who may reach a Microsoft 365 group's conversations, calendar and drive: its members, and readers of a public group. */
import type { StoredGroup } from "../data/groups.ts";
import type { EmulatorState } from "../state.ts";
import type { DemoUser } from "../tenant.ts";
import { GraphFailure } from "./responses.ts";

const ACCESS_DENIED = "Access is denied. Check credentials and try again.";

/** A group by id, Graph's directory error when there is none. */
export function findGroup(state: EmulatorState, id: string): StoredGroup {
  const group = state.groups.find((candidate) => candidate.id === id.toLowerCase());
  if (!group) {
    throw new GraphFailure(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  return group;
}

/** The group, when `user` may read (or, with `write`, post to) it: members, and anyone reading a public group. */
export function groupFor(state: EmulatorState, id: string, user: DemoUser, write = false): StoredGroup {
  const group = findGroup(state, id);
  const member = group.members.includes(user.id);
  if (!member && (write || group.visibility === "Private")) {
    throw new GraphFailure(403, "ErrorAccessDenied", ACCESS_DENIED);
  }
  return group;
}
