import {
  AuthorizationError,
  CimdFetchError,
  authorizationErrorRedirect,
  type AuthRequest,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { Hono } from "hono";
import { userAccount, userKeyOf } from "../session/account/user-account.ts";
import type { SessionProps } from "../session/props.ts";
import { cspSourceOf, htmlResponse } from "../shared/html.ts";
import { readRuntimeConfig } from "../config.ts";
import { enabledTools } from "../tools/catalog.ts";
import { authorizationErrorPage, consentPage } from "./consent-page.ts";
import { createPkcePair } from "../shared/crypto.ts";
import { commaList } from "../shared/text.ts";
import { exchangeMicrosoftCode, MicrosoftIdentityError, microsoftAuthorizeUrl } from "./microsoft.ts";
import { rememberUser } from "./user-index.ts";
import { consentUpfront, signInScopes } from "./sign-in-scopes.ts";
import { CONSENT_PATH, finishStepUp, isStepUpCallback, showStepUp, startStepUp } from "./step-up.ts";
import { accountApproved, approvalCookie } from "./consented-users.ts";

type AuthEnv = { Bindings: Env & { OAUTH_PROVIDER: OAuthHelpers } };

interface UpstreamData {
  verifier: string;
  /** Consent was skipped because this browser approved the client before (perhaps for another account). */
  remembered?: boolean;
}

/** ALLOWED_TENANTS (tenant ids, comma-separated) admits only those tenants; unset or empty admits all. */
export function tenantAllowed(env: Env, tenantId: string): boolean {
  const allowed = commaList(env.ALLOWED_TENANTS).map((id) => id.toLowerCase());
  return allowed.length === 0 || allowed.includes(tenantId.toLowerCase());
}

function callbackUrl(request: Request): string {
  return new URL("/callback", request.url).toString();
}

/** Renders authorization failures locally: only a validated client and redirect URI get a redirect. */
function authorizationFailure(error: unknown): Response {
  if (error instanceof AuthorizationError && error.redirectTo) return Response.redirect(error.redirectTo, 302);
  if (error instanceof AuthorizationError) return htmlResponse(authorizationErrorPage(error.description), 400);
  if (error instanceof CimdFetchError)
    return htmlResponse(authorizationErrorPage("This app could not be verified."), 400);
  throw error;
}

/** After consent: hands the browser to Microsoft sign-in, with PKCE and a browser-bound state. */
async function startMicrosoftSignIn(
  oauth: OAuthHelpers,
  env: Env,
  request: Request,
  authRequest: AuthRequest,
  headers?: Headers,
  remembered = false,
): Promise<Response> {
  const { verifier, challenge } = await createPkcePair();
  const data: UpstreamData = { verifier, ...(remembered ? { remembered } : {}) };
  const upstream = await oauth.beginUpstream(authRequest, { data, headers });
  upstream.headers.set(
    "Location",
    microsoftAuthorizeUrl(env, {
      redirectUri: callbackUrl(request),
      state: upstream.state,
      codeChallenge: challenge,
      graphScopes: signInScopes(env, enabledTools(env, await readRuntimeConfig(env))),
    }),
  );
  return new Response(null, { status: 302, headers: upstream.headers });
}

/** Our consent page for `authRequest`, bound to this browser by the provider's headers. */
async function showConsent(
  oauth: OAuthHelpers,
  env: Env,
  authRequest: AuthRequest,
  details: Awaited<ReturnType<OAuthHelpers["describeConsent"]>>,
): Promise<Response> {
  const consent = await oauth.beginConsent(authRequest);
  const scopes = signInScopes(env, enabledTools(env, await readRuntimeConfig(env)));
  // The form posts here; the answer redirects to Microsoft (allow) or to the client (cancel).
  const formTargets = ["'self'", cspSourceOf(env.MICROSOFT_AUTHORITY_URL), cspSourceOf(details.redirectUri)];
  return htmlResponse(
    consentPage(details, consent.handle, scopes, !consentUpfront(env)),
    200,
    consent.headers,
    formTargets,
  );
}

/** Longer than any client id: ours are short, a CIMD client id is an https URL of bounded length. */
const MAX_CLIENT_ID_LENGTH = 400;

/** `/authorize` (our consent page) and `/callback` (Microsoft's answer). */
export const authorizationRoutes = new Hono<AuthEnv>()
  .get("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    // Client ids are ours (16 characters) or CIMD https URLs; a longer one is no client's, and
    // would exceed the KV key limit in the provider's lookup.
    if ((c.req.query("client_id") ?? "").length > MAX_CLIENT_ID_LENGTH) {
      return htmlResponse(authorizationErrorPage("This sign-in link names no known app (client_id)."), 400);
    }
    try {
      const authRequest = await oauth.parseAuthRequest(c.req.raw);
      const details = await oauth.describeConsent(authRequest);
      if (await oauth.isConsentRemembered(c.req.raw, authRequest, { secret: c.env.COOKIE_SECRET })) {
        return await startMicrosoftSignIn(oauth, c.env, c.req.raw, authRequest, undefined, true);
      }
      return await showConsent(oauth, c.env, authRequest, details);
    } catch (error) {
      return authorizationFailure(error);
    }
  })
  .post("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    const form = await c.req.raw.formData().catch(() => null);
    if (!form) {
      return htmlResponse(
        authorizationErrorPage("The consent form was not sent as a form; go back and try again."),
        400,
      );
    }
    try {
      const handle = String(form.get("handle") ?? "");
      if (form.get("decision") !== "approve") {
        const denied = await oauth.denyConsent(c.req.raw, handle);
        return new Response(null, { status: 302, headers: denied.headers });
      }
      const approved = await oauth.approveConsent(c.req.raw, handle, { remember: { secret: c.env.COOKIE_SECRET } });
      return await startMicrosoftSignIn(oauth, c.env, c.req.raw, approved.request, approved.headers);
    } catch (error) {
      return authorizationFailure(error);
    }
  })
  .get(CONSENT_PATH, (c) => showStepUp(c.req.raw, c.env))
  .post(CONSENT_PATH, (c) => startStepUp(c.req.raw, c.env))
  .get("/callback", async (c) => {
    if (isStepUpCallback(c.req.query("state"))) return finishStepUp(c.req.raw, c.env);
    const oauth = c.env.OAUTH_PROVIDER;
    let resumed;
    try {
      resumed = await oauth.finishUpstream<UpstreamData>(c.req.raw);
    } catch (error) {
      return authorizationFailure(error);
    }
    const { request: authRequest, data, headers } = resumed;
    const code = c.req.query("code");
    if (c.req.query("error") || !code) {
      headers.set(
        "Location",
        authorizationErrorRedirect(
          authRequest,
          "access_denied",
          c.req.query("error_description") ?? "Microsoft sign-in was not completed",
        ),
      );
      return new Response(null, { status: 302, headers });
    }
    try {
      const { tokens, identity } = await exchangeMicrosoftCode(c.env, {
        code,
        redirectUri: callbackUrl(c.req.raw),
        codeVerifier: data.verifier,
      });
      if (!tenantAllowed(c.env, identity.tenantId)) {
        // The Microsoft tokens are dropped unused; no grant is created.
        return htmlResponse(
          authorizationErrorPage(
            `Your organization (Microsoft tenant ${identity.tenantId}) is not allowed to use this server. Ask its operator to add the tenant to ALLOWED_TENANTS, or sign in with an account of an allowed organization.`,
          ),
          403,
          headers,
        );
      }
      const userKey = userKeyOf(identity);
      if (data.remembered && !(await accountApproved(c.req.raw, c.env.COOKIE_SECRET, authRequest.clientId, userKey))) {
        // This browser approved the client for another account: this one is asked now, and
        // its Microsoft tokens are dropped unused until it approves.
        const consent = await showConsent(oauth, c.env, authRequest, await oauth.describeConsent(authRequest));
        for (const cookie of headers.getSetCookie()) consent.headers.append("Set-Cookie", cookie);
        return consent;
      }
      await userAccount(c.env, userKey).saveSignIn(identity, tokens);
      await rememberUser(c.env, identity.username, userKey);
      const props: SessionProps = { userKey, ...identity };
      const { redirectTo } = await oauth.completeAuthorization({
        request: authRequest,
        userId: userKey,
        metadata: { username: identity.username },
        scope: authRequest.scope,
        props,
      });
      headers.set("Location", redirectTo);
      headers.append("Set-Cookie", await approvalCookie(c.req.raw, c.env.COOKIE_SECRET, authRequest.clientId, userKey));
      return new Response(null, { status: 302, headers });
    } catch (error) {
      if (error instanceof MicrosoftIdentityError) {
        return htmlResponse(authorizationErrorPage(`Microsoft sign-in failed: ${error.description}`), 502, headers);
      }
      throw error;
    }
  });
