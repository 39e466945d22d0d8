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
import { enabledTools, graphScopes } from "../tools/catalog.ts";
import { authorizationErrorPage, consentPage } from "./consent-page.ts";
import { createPkcePair } from "../shared/crypto.ts";
import { commaList } from "../shared/text.ts";
import { exchangeMicrosoftCode, MicrosoftIdentityError, microsoftAuthorizeUrl } from "./microsoft.ts";

type AuthEnv = { Bindings: Env & { OAUTH_PROVIDER: OAuthHelpers } };

interface UpstreamData {
  verifier: string;
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
): Promise<Response> {
  const { verifier, challenge } = await createPkcePair();
  const upstream = await oauth.beginUpstream(authRequest, { data: { verifier } satisfies UpstreamData, headers });
  upstream.headers.set(
    "Location",
    microsoftAuthorizeUrl(env, {
      redirectUri: callbackUrl(request),
      state: upstream.state,
      codeChallenge: challenge,
      graphScopes: graphScopes(enabledTools(env, await readRuntimeConfig(env))),
    }),
  );
  return new Response(null, { status: 302, headers: upstream.headers });
}

/** `/authorize` (our consent page) and `/callback` (Microsoft's answer). */
export const authorizationRoutes = new Hono<AuthEnv>()
  .get("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    try {
      const authRequest = await oauth.parseAuthRequest(c.req.raw);
      const details = await oauth.describeConsent(authRequest);
      if (await oauth.isConsentRemembered(c.req.raw, authRequest, { secret: c.env.COOKIE_SECRET })) {
        return await startMicrosoftSignIn(oauth, c.env, c.req.raw, authRequest);
      }
      const consent = await oauth.beginConsent(authRequest);
      const scopes = graphScopes(enabledTools(c.env, await readRuntimeConfig(c.env)));
      // The form posts here; the answer redirects to Microsoft (allow) or to the client (cancel).
      const formTargets = ["'self'", cspSourceOf(c.env.MICROSOFT_AUTHORITY_URL), cspSourceOf(details.redirectUri)];
      return htmlResponse(consentPage(details, consent.handle, scopes), 200, consent.headers, formTargets);
    } catch (error) {
      return authorizationFailure(error);
    }
  })
  .post("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    try {
      const form = await c.req.raw.formData();
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
  .get("/callback", async (c) => {
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
      await userAccount(c.env, userKey).saveSignIn(identity, tokens);
      const props: SessionProps = { userKey, ...identity };
      const { redirectTo } = await oauth.completeAuthorization({
        request: authRequest,
        userId: userKey,
        metadata: { username: identity.username },
        scope: authRequest.scope,
        props,
      });
      headers.set("Location", redirectTo);
      return new Response(null, { status: 302, headers });
    } catch (error) {
      if (error instanceof MicrosoftIdentityError) {
        return htmlResponse(authorizationErrorPage(`Microsoft sign-in failed: ${error.description}`), 502, headers);
      }
      throw error;
    }
  });
