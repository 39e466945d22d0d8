/**
 * Consent on demand: before a call runs, the permissions it needs are checked
 * against what the user granted. A missing one answers with a link that adds
 * exactly it (MCP URL elicitation where the client declares it, otherwise a
 * `consent_required` tool error carrying the link), or, when Microsoft said
 * only an administrator can grant it, with what to ask the administrator.
 */
import { UrlElicitationRequiredError } from "@modelcontextprotocol/sdk/types.js";
import { ToolError } from "../../graph/errors.ts";
import { spokenList } from "../../shared/text.ts";
import { lowerFirst, missingScopes, needsAdmin, permissionOf } from "../../shared/permissions.ts";
import type { ConsentAnswer, ToolContext } from "../spec.ts";

/** "send mail as you (Mail.Send)". */
function described(scopes: readonly string[]): string {
  return spokenList(scopes.map((scope) => `${lowerFirst(permissionOf(scope).words)} (${scope})`));
}

function adminMessage(requestedBy: string, scopes: readonly string[], url: string): string {
  return (
    `${requestedBy} needs permission to ${described(scopes)}, which only an administrator of your organization can grant, and Microsoft says it has not been granted. ` +
    `Ask an administrator to grant admin consent for this app's ${spokenList(scopes)} permission${scopes.length > 1 ? "s" : ""} (Microsoft Entra admin center, Enterprise applications, this app, Permissions). ` +
    `Once they have, the user opens ${url} to pick it up. Every other tool keeps working.`
  );
}

/** The error a call answers when `missing` permissions stand in its way. */
export function consentError(
  requestedBy: string,
  missing: readonly string[],
  answer: ConsentAnswer,
  urlElicitation: boolean,
): Error {
  if (answer.kind === "admin") {
    return new ToolError("admin_consent_required", adminMessage(requestedBy, answer.scopes, answer.url), undefined, {
      adminOnlyPermissions: answer.scopes,
      consentUrl: answer.url,
    });
  }
  const minutes = Math.max(1, Math.round((answer.expiresAt - Date.now()) / 60_000));
  const adminOnly = missing.filter(needsAdmin);
  const adminNote =
    adminOnly.length > 0
      ? ` Only an administrator can grant ${spokenList(adminOnly)}; if yours has not, Microsoft will say so on that page.`
      : "";
  const ask = `${requestedBy} needs permission to ${described(missing)}, which you have not granted yet.`;
  if (urlElicitation) {
    return new UrlElicitationRequiredError(
      [
        {
          mode: "url",
          elicitationId: answer.elicitationId,
          url: answer.url,
          message: `${ask} Open the link to grant it with Microsoft, then the call can be made again.${adminNote}`,
        },
      ],
      `${ask} Grant it through the link, then call again.`,
    );
  }
  return new ToolError(
    "consent_required",
    `${ask} Ask the user to open ${answer.url} (valid ${minutes} minute${minutes > 1 ? "s" : ""}, for their account only) and grant it with Microsoft, then call ${requestedBy} again; nothing needs reconnecting.${adminNote}`,
    undefined,
    { consentUrl: answer.url, missingPermissions: [...missing], expiresAt: new Date(answer.expiresAt).toISOString() },
  );
}

/**
 * Throws the consent error of a call needing `needed` when the user lacks
 * any of it. The first look uses the session's memory of the token; only a
 * miss asks the account again (the user may have granted it a moment ago).
 */
export async function requireScopes(
  requestedBy: string,
  needed: readonly string[],
  context: ToolContext,
  urlElicitation: boolean,
): Promise<void> {
  const gate = context.consent;
  if (!gate || needed.length === 0) return;
  const granted = await gate.granted();
  // No token (signed out, Microsoft unreachable): the call fails on its own, with that reason.
  if (!granted || missingScopes(needed, granted).length === 0) return;
  const again = await gate.regranted();
  const missing = again ? missingScopes(needed, again) : [];
  if (missing.length === 0) return;
  throw consentError(requestedBy, missing, await gate.request(missing, requestedBy), urlElicitation);
}
