/**
 * The emulator's Microsoft sign-in page: pick a demo account, no password. A
 * plain HTML form (no script) that posts the original authorize parameters
 * back along with the chosen account in `username`.
 */
import { escapeHtml } from "../html-text.ts";
import { DEMO_APP_NAME, DEMO_USERS, TENANT_NAME, type DemoUser } from "../tenant.ts";

export interface SignInPage {
  /** Where the form posts: the authorize path it was served from. */
  action: string;
  /** The authorize request's parameters, carried as hidden fields. */
  params: URLSearchParams;
  scopes: readonly string[];
  selected?: DemoUser;
  error?: string;
}

export function signInPage({ action, params, scopes, selected, error }: SignInPage): string {
  const hidden = [...params]
    .filter(([name]) => name !== "username")
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const chosen = selected ?? DEMO_USERS[0];
  const accounts = DEMO_USERS.map(
    (user) =>
      `<label><input type="radio" name="username" value="${escapeHtml(user.userPrincipalName)}"${user === chosen ? " checked" : ""}> ` +
      `<strong>${escapeHtml(user.displayName)}</strong> ${escapeHtml(user.userPrincipalName)} <small>${escapeHtml(user.jobTitle)}</small></label>`,
  ).join("\n");
  const permissions = scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to ${escapeHtml(TENANT_NAME)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:.5rem 0;padding:.5rem;border:1px solid #ccc;border-radius:4px}small{color:#666;display:block}
.error{color:#a80000}button{font:inherit;padding:.4rem 1.5rem;background:#0067b8;color:#fff;border:0}</style></head>
<body><main>
<h1>Sign in to ${escapeHtml(TENANT_NAME)}</h1>
<p>Microsoft emulator: choose a demo account. No password is needed.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<p><strong>${escapeHtml(DEMO_APP_NAME)}</strong> asks for:</p><ul>${permissions}</ul>
<form method="post" action="${escapeHtml(action)}">
${hidden}
<fieldset><legend>Accounts</legend>
${accounts}
</fieldset>
<p><button type="submit">Sign in</button></p>
</form>
</main></body></html>`;
}
