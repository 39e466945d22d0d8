/**
 * Other people's mailboxes: the one optional `mailbox` input of the mail and
 * calendar tools (a shared mailbox, or a mailbox or calendar the user is a
 * delegate of), the Graph path root it stands for, and Graph's refusals
 * turned into sentences that name the mailbox. Exchange decides who may open
 * which mailbox; Graph offers no way to list those rights, so a refusal is
 * the only answer there is.
 */
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { isId } from "./ids.ts";

/** Described once, in the same words on every tool that takes it. */
export const mailboxInput = z.string().trim().optional().describe("Shared or delegated mailbox address");

/** "/me", or "/users/{upn}" for another mailbox given by address, UPN or object id. */
export function mailboxRoot(mailbox: string | undefined): string {
  if (!mailbox) return "/me";
  if (!isId("userPrincipalName", mailbox) && !isId("guid", mailbox)) {
    throw new ToolError("invalid_input", `mailbox: "${mailbox.slice(0, 80)}" is not an email address or UPN.`);
  }
  // "@" may stand in a path segment (RFC 3986), as Graph's own examples write it.
  return `/users/${encodeURIComponent(mailbox).replace(/%40/g, "@")}`;
}

/** Graph's codes for a mailbox that is not there, or not in Exchange Online. */
const NO_MAILBOX = new Set([
  "ErrorInvalidUser",
  "MailboxNotEnabledForRESTAPI",
  "MailboxNotSupportedForRESTAPI",
  "ResourceNotFound",
  "Request_ResourceNotFound",
]);

/** `error` as the tool error a person reads when it happened in `mailbox`; other errors unchanged. */
export function mailboxError(error: unknown, mailbox: string): unknown {
  if (!(error instanceof GraphError)) return error;
  const ref = error.requestId ? ` (Graph request-id ${error.requestId})` : "";
  if (error.status === 403 && error.graphCode === "ErrorSendAsDenied") {
    return new ToolError(
      "forbidden",
      `You may not send as or on behalf of ${mailbox}: Exchange has not given you Send As or Send on Behalf on it. Ask its owner or your administrator.${ref}`,
    );
  }
  if (error.status === 403) {
    return new ToolError(
      "forbidden",
      `You have no access to the mailbox ${mailbox} (Exchange grants it with Full Access or delegate rights). Ask its owner or your administrator.${ref}`,
    );
  }
  if (error.status === 404 && NO_MAILBOX.has(error.graphCode)) {
    return new ToolError(
      "not_found",
      `There is no mailbox ${mailbox} in your organization, or it is not in Exchange Online.${ref}`,
    );
  }
  if (error.status === 404)
    return new ToolError("not_found", `Not found in the mailbox ${mailbox}: ${error.message}${ref}`);
  return error;
}

/** Runs `work` against `mailbox` (or the user's own when absent), naming the mailbox in any refusal. */
export async function inMailbox<T>(mailbox: string | undefined, work: (root: string) => Promise<T>): Promise<T> {
  const root = mailboxRoot(mailbox);
  if (!mailbox) return work(root);
  try {
    return await work(root);
  } catch (error) {
    throw mailboxError(error, mailbox);
  }
}
