/**
 * Consent on demand in the browser: the link a tool answers with opens
 * `GET /consent/more` (what is being added, in plain words), its form goes on
 * to Microsoft for exactly those permissions (incremental consent, Entra
 * v2.0), and Microsoft's answer comes back to `/callback` with a state that
 * names the link. The link is single use, expires, and only ever changes the
 * account it was made for: Microsoft's id token must name that account.
 */
import { userAccount } from "../session/account/user-account.ts";
import { CONSENT_PATH, STEP_UP_STATE_PREFIX, ticketIndexKey } from "../session/account/step-ups.ts";
import { cspSourceOf, htmlResponse } from "../shared/html.ts";
import { lowerFirst, needsAdmin, permissionOf } from "../shared/permissions.ts";
import { stepUpPage, stepUpResultPage } from "./consent-page.ts";
import { exchangeMicrosoftCode, MicrosoftIdentityError, microsoftAuthorizeUrl } from "./microsoft.ts";

export { CONSENT_PATH };

/** Tickets are 32 random bytes, base64url: anything else is no ticket of ours. */
const TICKET = /^[A-Za-z0-9_-]{43}$/;

function gone(): Response {
  return htmlResponse(
    stepUpResultPage(
      "This link no longer works",
      "Consent links work once, for 15 minutes. This one was used already, has expired, or was cut short.",
      false,
    ),
    410,
  );
}

/** The account a ticket belongs to, or undefined for an unknown, used or expired one. */
async function accountOf(env: Env, ticket: string) {
  if (!TICKET.test(ticket)) return undefined;
  const userKey = await env.OAUTH_KV.get(await ticketIndexKey(ticket));
  return userKey ? userAccount(env, userKey) : undefined;
}

function callbackUrl(request: Request): string {
  return new URL("/callback", request.url).toString();
}

function wordsOf(scopes: readonly string[]): string {
  return scopes.map((scope) => lowerFirst(permissionOf(scope).words)).join("; ");
}

/** `GET /consent/more?ticket=…`: what the link adds, and the decision. */
export async function showStepUp(request: Request, env: Env): Promise<Response> {
  const ticket = new URL(request.url).searchParams.get("ticket") ?? "";
  const account = await accountOf(env, ticket);
  const view = account ? await account.describeStepUp(ticket) : null;
  if (!view) return gone();
  if (view.adding.length === 0) {
    return htmlResponse(
      stepUpResultPage("Nothing to add", `${view.username} has already granted what ${view.requestedBy} needs.`, true),
    );
  }
  const formTargets = ["'self'", cspSourceOf(env.MICROSOFT_AUTHORITY_URL)];
  return htmlResponse(stepUpPage({ ticket, ...view }), 200, undefined, formTargets);
}

/** `POST /consent/more`: on to Microsoft for the link's permissions, as the link's account. */
export async function startStepUp(request: Request, env: Env): Promise<Response> {
  const form = await request.formData().catch(() => null);
  const ticket = String(form?.get("ticket") ?? "");
  if (form?.get("decision") !== "approve") {
    return htmlResponse(stepUpResultPage("Nothing was changed", "You chose not to grant more access.", false));
  }
  const account = await accountOf(env, ticket);
  const started = account ? await account.startStepUp(ticket) : null;
  if (!started) return gone();
  const location = microsoftAuthorizeUrl(env, {
    redirectUri: callbackUrl(request),
    state: STEP_UP_STATE_PREFIX + ticket,
    codeChallenge: started.challenge,
    graphScopes: started.scopes,
    loginHint: started.loginHint,
  });
  return new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store" } });
}

/** Whether `/callback` carries Microsoft's answer to a consent link rather than to a sign-in. */
export function isStepUpCallback(state: string | undefined): boolean {
  return state?.startsWith(STEP_UP_STATE_PREFIX) === true;
}

/** `/callback?state=more.…`: Microsoft's answer to a consent link. */
export async function finishStepUp(request: Request, env: Env): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const ticket = (query.get("state") ?? "").slice(STEP_UP_STATE_PREFIX.length);
  const account = await accountOf(env, ticket);
  const step = account ? await account.claimStepUp(ticket) : null;
  if (!account || !step) return gone();
  const code = query.get("code");
  if (query.get("error") || !code) {
    // Entra reports a consent only an administrator could give as the user returning without it.
    const adminOnly = step.scopes.filter(needsAdmin);
    if (adminOnly.length > 0) {
      await account.recordAdminRefusal(adminOnly);
      return htmlResponse(
        stepUpResultPage(
          "An administrator needs to approve this",
          `Microsoft did not grant it: only an administrator of your organization can allow the app to ${wordsOf(adminOnly)} (${adminOnly.join(", ")}). Ask them to grant admin consent for this app; everything else keeps working.`,
          false,
        ),
        403,
      );
    }
    return htmlResponse(
      stepUpResultPage(
        "Nothing was changed",
        "Microsoft did not grant the permission: you declined, or your organization lets only administrators grant it.",
        false,
      ),
      403,
    );
  }
  try {
    const { tokens, identity } = await exchangeMicrosoftCode(env, {
      code,
      redirectUri: callbackUrl(request),
      codeVerifier: step.verifier!,
    });
    const outcome = await account.completeStepUp(identity, tokens, step);
    if (outcome === "other_account") {
      // The tokens of the account that signed in are dropped unused.
      return htmlResponse(
        stepUpResultPage(
          "This link is for another account",
          "You signed in to Microsoft with a different account than the one this link was made for. Nothing was changed, and the account you used was not connected.",
          false,
        ),
        403,
      );
    }
    if (outcome === "signed_out") return gone();
    return htmlResponse(stepUpResultPage("Access added", `${step.requestedBy} can now ${wordsOf(step.scopes)}.`, true));
  } catch (error) {
    if (error instanceof MicrosoftIdentityError) {
      return htmlResponse(
        stepUpResultPage("Microsoft sign-in failed", `Microsoft answered: ${error.description}`, false),
        502,
      );
    }
    throw error;
  }
}
