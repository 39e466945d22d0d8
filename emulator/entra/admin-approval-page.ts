/**
 * The page Entra shows instead of a consent prompt when the signed-in user
 * may not grant what the app asks for ("Need admin approval"), with the
 * AADSTS code of Microsoft's consent-error documentation. Its one way on is
 * back to the app without consent, which Entra reports to the redirect URI as
 * access_denied (AADSTS65004, error_subcode cancel).
 */
import { escapeHtml } from "../html-text.ts";
import { DEMO_APP_NAME, TENANT_NAME, type DemoUser } from "../tenant.ts";
import type { ConsentRefusal } from "./consent.ts";

/** The form field that sends the user back to the app without consent. */
export const CANCEL_FIELD = "consent_action";

/** The AADSTS message for a refusal, as Microsoft's "Unexpected error when performing consent" page words it. */
export function refusalMessage(refusal: ConsentRefusal): string {
  return refusal.code === 90094
    ? `AADSTS90094: ${DEMO_APP_NAME} needs permission to access resources in your organization that only an admin can grant. Ask an admin to grant permission to this app before you can use it.`
    : `AADSTS90093: An administrator of ${TENANT_NAME} has set a policy that prevents you from granting ${DEMO_APP_NAME} the permissions it's requesting. Contact an administrator of ${TENANT_NAME}, who can grant permissions to this app on your behalf.`;
}

export interface AdminApprovalPage {
  action: string;
  params: URLSearchParams;
  user: DemoUser;
  refusal: ConsentRefusal;
}

export function adminApprovalPage({ action, params, user, refusal }: AdminApprovalPage): string {
  const hidden = [...params]
    .filter(([name]) => name !== "username" && name !== CANCEL_FIELD)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const permissions = refusal.permissions.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Need admin approval</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
button{font:inherit;padding:.4rem 1.5rem;background:#0067b8;color:#fff;border:0}</style></head>
<body><main>
<h1>Need admin approval</h1>
<p>Signed in as ${escapeHtml(user.userPrincipalName)}.</p>
<p id="error" role="alert">${escapeHtml(refusalMessage(refusal))}</p>
<p>Permissions that need an administrator's approval here:</p><ul>${permissions}</ul>
<form method="post" action="${escapeHtml(action)}">
${hidden}
<input type="hidden" name="username" value="${escapeHtml(user.userPrincipalName)}">
<p><button type="submit" name="${CANCEL_FIELD}" value="cancel">Return to the application without granting consent</button></p>
</form>
</main></body></html>`;
}
