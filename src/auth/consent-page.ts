import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import { escapeHtml, htmlPage } from "../shared/html.ts";

/** What each Graph permission lets the server do, in words a person reads on the consent page. */
const PERMISSION_WORDS: Record<string, string> = {
  "User.Read": "Read your profile",
  "Mail.Read": "Read your mail",
  "Mail.ReadWrite": "Read, organize and draft your mail",
  "Mail.Send": "Send mail as you",
};

/** The page asking whether an MCP client may act for the user in Microsoft 365. */
export function consentPage(details: ConsentDescription, handle: string, graphScopes: readonly string[]): string {
  const client = escapeHtml(details.clientName || "An unnamed MCP client");
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself; its name is not verified.";
  const loopbackWarning = details.redirectIsLoopback
    ? `<p class="warn"><strong>This sends access to an app on your computer.</strong> Continue only if you just started connecting from it.</p>`
    : "";
  const permissions = graphScopes
    .map(
      (scope) =>
        `<li>${escapeHtml(PERMISSION_WORDS[scope] ?? scope)} <span class="muted">(${escapeHtml(scope)})</span></li>`,
    )
    .join("");
  return htmlPage(
    `Allow ${details.clientName || "this app"}?`,
    `<h1>Allow ${client} to use your Microsoft 365 account?</h1>
<p>${origin} Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${loopbackWarning}
<p>After you allow it, you sign in with Microsoft. The app will be able to:</p>
<ul>${permissions}</ul>
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
<p><button class="primary" name="decision" value="approve">Allow and sign in</button><button name="decision" value="deny">Deny</button></p>
</form>
<p class="muted">You can revoke access at any time by disconnecting the server in your client.</p>`,
  );
}

/** A page for an authorization that cannot go on (expired page, failed sign-in); nothing is redirected. */
export function authorizationErrorPage(message: string): string {
  return htmlPage(
    "Authorization failed",
    `<h1>Authorization failed</h1><p>${escapeHtml(message)}</p><p>Start connecting again from your MCP client.</p>`,
  );
}
