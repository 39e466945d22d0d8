import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import { escapeHtml, htmlPage } from "../shared/html.ts";
import { spokenList } from "../shared/text.ts";
import { permissionOf, type Area, type Kind } from "../shared/permissions.ts";

const AREAS: readonly Area[] = [
  "Mail",
  "Calendar",
  "Contacts",
  "Teams",
  "Groups",
  "Files",
  "To Do",
  "Directory",
  "Other",
];
const KIND_WORDS: Record<Kind, string> = { read: "read", change: "change", send: "send as you" };

/** One line per area: "Mail: read, change and send as you". */
function summary(scopes: readonly string[]): string {
  const byArea = new Map<Area, Set<Kind>>();
  for (const scope of scopes) {
    const { area, kind } = permissionOf(scope);
    byArea.set(area, (byArea.get(area) ?? new Set()).add(kind));
  }
  return AREAS.filter((area) => byArea.has(area))
    .map((area) => {
      const kinds = (["read", "change", "send"] as const).filter((kind) => byArea.get(area)!.has(kind));
      return `<dt>${escapeHtml(area)}</dt><dd>${escapeHtml(spokenList(kinds.map((kind) => KIND_WORDS[kind])))}</dd>`;
    })
    .join("");
}

/** The permissions in plain words, grouped by workload; the exact Graph name follows each, muted. */
function permissionList(scopes: readonly string[]): string {
  const byArea = new Map<Area, string[]>();
  for (const scope of scopes) {
    const permission = permissionOf(scope);
    const admin = permission.adminOnly ? " <strong>Needs an administrator.</strong>" : "";
    const line = `<li>${escapeHtml(permission.words)}${admin} <span class="muted">(${escapeHtml(scope)})</span></li>`;
    byArea.set(permission.area, [...(byArea.get(permission.area) ?? []), line]);
  }
  return AREAS.filter((area) => byArea.has(area))
    .map((area) => `<h3>${escapeHtml(area)}</h3><ul>${byArea.get(area)!.join("")}</ul>`)
    .join("");
}

/**
 * The page asking whether an MCP client may act for the user in Microsoft 365.
 * Who asks, where access goes and what it allows come first, then the decision;
 * the exact permission list follows, folded, so a phone shows the buttons at once.
 * `onDemand`: the catalog needs more than `graphScopes`, asked for when a tool first needs it.
 */
export function consentPage(
  details: ConsentDescription,
  handle: string,
  graphScopes: readonly string[],
  onDemand = false,
): string {
  const client = escapeHtml(details.clientName || "An unnamed MCP client");
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself; its name is not verified.";
  const loopbackWarning = details.redirectIsLoopback
    ? `<p class="warn"><strong>This sends access to an app on your computer.</strong> Continue only if you just started connecting from it.</p>`
    : "";
  const later = onDemand
    ? `<p class="muted">When a tool needs more (sending mail, Teams, files), you are asked then, for that permission only.</p>`
    : "";
  return htmlPage(
    `Allow ${details.clientName || "this app"}?`,
    `<main><h1>Allow ${client} to use your Microsoft 365 account?</h1>
<p>${origin} Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${loopbackWarning}
<p>After you allow it, you sign in with Microsoft. The app will be able to:</p>
<dl class="can">${summary(graphScopes)}</dl>
${later}
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
<div class="actions"><button class="primary" name="decision" value="approve">Allow and sign in</button><button name="decision" value="deny">Cancel</button></div>
</form>
<details><summary>All ${graphScopes.length} Microsoft Graph permissions it asks for</summary>${permissionList(graphScopes)}</details>
<p class="muted">You can revoke access at any time by disconnecting the server in your client.</p></main>`,
  );
}

/** What the step-up page shows: who, what is added, and what the tool wanted it for. */
export interface StepUpDescription {
  /** The ticket from the link, carried by the form. */
  ticket: string;
  username: string;
  /** The tool (or resource) that asked. */
  requestedBy: string;
  /** Permissions being added: only what the account does not hold yet. */
  adding: readonly string[];
}

/**
 * The page a consent link opens: only the permissions being added, in plain
 * words, then the decision; Microsoft's own consent follows for exactly those.
 */
export function stepUpPage(step: StepUpDescription): string {
  const adminOnly = step.adding.filter((scope) => permissionOf(scope).adminOnly);
  const adminNote =
    adminOnly.length > 0
      ? `<p class="warn">Only an administrator of your organization can grant ${escapeHtml(spokenList(adminOnly))}. If one already has, Microsoft lets you continue; otherwise it asks you to request approval.</p>`
      : "";
  return htmlPage(
    "Allow more access?",
    `<main><h1>Allow more access to your Microsoft 365 account?</h1>
<p><strong>${escapeHtml(step.requestedBy)}</strong> needs access that <strong>${escapeHtml(step.username)}</strong> has not given yet. It will be able to:</p>
${permissionList(step.adding)}
${adminNote}
<form method="post" action="/consent/more">
<input type="hidden" name="ticket" value="${escapeHtml(step.ticket)}">
<div class="actions"><button class="primary" name="decision" value="approve">Continue to Microsoft</button><button name="decision" value="deny">Cancel</button></div>
</form>
<p class="muted">Nothing else changes: what you allowed before stays as it is. Microsoft asks you to sign in as ${escapeHtml(step.username)}; this link works for that account only, once.</p></main>`,
  );
}

/** The end of a step-up, shown in the browser: what happened and what to do next. */
export function stepUpResultPage(title: string, message: string, ok: boolean): string {
  const next = ok
    ? "Go back to your assistant: the call it was making works now, in the same conversation."
    : "Go back to your assistant and ask it to try again for a new link.";
  return htmlPage(
    title,
    `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>${escapeHtml(next)}</p></main>`,
  );
}

/** A page for an authorization that cannot go on (expired page, failed sign-in); nothing is redirected. */
export function authorizationErrorPage(message: string): string {
  return htmlPage(
    "Authorization failed",
    `<main><h1>Authorization failed</h1><p>${escapeHtml(message)}</p><p>Start connecting again from your MCP client.</p></main>`,
  );
}
