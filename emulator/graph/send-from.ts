/**
 * Sending from another mailbox: a message's `from` names the mailbox it
 * appears to come from; Graph sets `sender` from the signed-in user's
 * Exchange rights on it. Send As: sender and from are the mailbox. Send on
 * Behalf: sender is the user, from the mailbox. Neither: 403
 * ErrorSendAsDenied. The token needs Mail.Send.Shared for any of it.
 * https://learn.microsoft.com/graph/outlook-send-mail-from-other-user
 */
import type { Recipient } from "@microsoft/microsoft-graph-types";
import { mailboxByAddress, rightsOn } from "../data/shared-mailboxes.ts";
import type { DemoUser } from "../tenant.ts";
import { GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";

function recipientOf(user: DemoUser): Recipient {
  return { emailAddress: { name: user.displayName, address: user.mail } };
}

/** `from` and `sender` of a message the request sends, after Graph's checks; `from` as the client wrote it, if at all. */
export function sendingIdentity(
  context: GraphContext,
  from: Recipient | undefined,
): { from: Recipient; sender: Recipient } {
  const actor = context.actor ?? context.user;
  const address = from?.emailAddress?.address ?? context.user.mail;
  const mailbox = mailboxByAddress(address);
  if (mailbox?.id === actor.id) return { from: recipientOf(actor), sender: recipientOf(actor) };
  if (!context.grant.scopes.includes("Mail.Send.Shared")) {
    throw new GraphFailure(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  const rights = mailbox ? rightsOn(mailbox, actor) : {};
  if (!mailbox || !(rights.sendAs || rights.sendOnBehalf)) {
    throw new GraphFailure(
      403,
      "ErrorSendAsDenied",
      "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account. Cannot submit message.",
    );
  }
  return { from: recipientOf(mailbox), sender: rights.sendAs ? recipientOf(mailbox) : recipientOf(actor) };
}
