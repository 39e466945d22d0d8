/**
 * The emulator's Microsoft sign-in page: pick a demo account, no password. A
 * plain HTML form (no script) that posts the original authorize parameters
 * back along with the chosen account in `username`.
 */
import { escapeHtml } from "../html-text.ts";
import { ICON_LINKS } from "../icon.ts";
import { DEMO_APP_NAME, DEMO_USERS, TENANT_NAME, type DemoUser } from "../tenant.ts";

export interface SignInPage {
  /** Where the form posts: the authorize path it was served from. */
  action: string;
  /** The authorize request's parameters, carried as hidden fields. */
  params: URLSearchParams;
  scopes: readonly string[];
  selected?: DemoUser;
  /** The tenant's administrator consented to the demo app for everyone: nothing is asked of the user. */
  approvedByAdmin?: boolean;
  /** Of `scopes`, those the preselected user granted in an earlier sign-in. */
  grantedBefore?: readonly string[];
  error?: string;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function list(scopes: readonly string[]): string {
  return scopes.length > 0
    ? `<ul>${scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("")}</ul>`
    : "";
}

/**
 * What the app asks for. When the preselected user granted some of it
 * before, only the rest is news: Entra prompts "to consent only to the new
 * permissions" (incremental consent), so those come alone, and the others
 * are a count. Under the administrator's consent there is nothing to grant.
 */
function permissionsAsked(scopes: readonly string[], approvedByAdmin: boolean, before: readonly string[]): string {
  const app = escapeHtml(DEMO_APP_NAME);
  if (approvedByAdmin) {
    return `<details><summary>${app} asks for ${count(scopes.length, "permission")}, already approved by your organization</summary><p>An administrator of ${escapeHtml(TENANT_NAME)} granted them for everyone.</p>${list(scopes)}</details>`;
  }
  if (before.length === 0) {
    return `<details><summary>${app} asks for ${count(scopes.length, "permission")}</summary>${list(scopes)}</details>`;
  }
  const fresh = scopes.filter((scope) => !before.includes(scope));
  const asked = fresh.length > 0 ? count(fresh.length, "new permission") : "no new permissions";
  return `<details><summary>${app} asks for ${asked}</summary>${list(fresh)}<p class="before">${count(before.length, "permission")} you granted before</p></details>`;
}

/**
 * Account choice and the Sign in button come first, so a phone shows them
 * without scrolling; the app's (long) permission list follows, folded.
 */
export function signInPage({
  action,
  params,
  scopes,
  selected,
  approvedByAdmin = false,
  grantedBefore = [],
  error,
}: SignInPage): string {
  const hidden = [...params]
    .filter(([name]) => name !== "username")
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const chosen = selected ?? DEMO_USERS[0];
  const accounts = DEMO_USERS.map(
    (user) =>
      `<label><input type="radio" name="username" value="${escapeHtml(user.userPrincipalName)}"${user === chosen ? " checked" : ""}> ` +
      `<span><strong>${escapeHtml(user.displayName)}</strong> <small>${escapeHtml(user.userPrincipalName)}, ${escapeHtml(user.jobTitle)}</small></span></label>`,
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to ${escapeHtml(TENANT_NAME)}</title>${ICON_LINKS}
<style>body{font:16px/1.4 system-ui,sans-serif;max-width:34rem;margin:0 auto;padding:1rem;color:#1b1b1b;overflow-wrap:break-word}
@media (min-width:40rem){body{padding:2.5rem 1.5rem}}h1{font-size:1.4rem;margin:.25rem 0 .5rem}p{margin:.5rem 0}
fieldset{border:0;padding:0;margin:.5rem 0}legend{font-weight:600;padding:0;margin-bottom:.25rem}
label{display:flex;gap:.6rem;align-items:flex-start;margin:.35rem 0;padding:.45rem .6rem;border:1px solid #ccc;border-radius:4px;cursor:pointer}
label input{margin-top:.25rem}small{color:#555;display:block}.error{color:#a80000}
button{font:inherit;padding:.5rem 1.8rem;background:#0067b8;color:#fff;border:0;border-radius:2px;cursor:pointer}
details{margin-top:1rem}summary{cursor:pointer;color:#0067b8}code{background:#f3f3f3;padding:0 .2rem}.before{color:#555}</style></head>
<body><main>
<h1>Sign in to ${escapeHtml(TENANT_NAME)}</h1>
<p>Microsoft emulator: choose a demo account for <strong>${escapeHtml(DEMO_APP_NAME)}</strong>. No password is needed.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(action)}">
${hidden}
<fieldset><legend>Accounts</legend>
${accounts}
</fieldset>
<p><button type="submit">Sign in</button></p>
</form>
${permissionsAsked(scopes, approvedByAdmin, grantedBefore)}
</main></body></html>`;
}
