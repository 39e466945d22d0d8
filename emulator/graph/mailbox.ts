/** Finding things in the signed-in user's mailbox, with Graph's not-found error. */
import type { Mailbox, StoredFolder } from "../model.ts";
import { GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";

export const NOT_FOUND_MESSAGE = "The specified object was not found in the store.";

export function mailboxOf(context: GraphContext): Mailbox {
  return context.state.dataOf(context.user.id).mailbox;
}

/** A folder by id or by well-known name ("inbox", "SentItems", ...). */
export function findFolder(mailbox: Mailbox, idOrName: string): StoredFolder {
  const name = idOrName.toLowerCase();
  const folder = mailbox.folders.find((candidate) => candidate.id === idOrName || candidate.wellKnownName === name);
  if (!folder) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE);
  return folder;
}
