/**
 * GET and POST /{tenant}/oauth2/v2.0/authorize: validates the request like
 * Entra, shows the sign-in page, and on a chosen account redirects back with a
 * single-use code bound to the client, redirect URI, PKCE challenge and scopes,
 * unless the account may not consent to those scopes (then Entra's "Need admin
 * approval" page, and back to the app with access_denied).
 */
import { formBody, html, redirect, type EmulatorRequest, type EmulatorResponse } from "../http.ts";
import type { EmulatorState } from "../state.ts";
import { DEMO_CLIENT_ID, findUser, isAllowedRedirectUri, TENANT_NAME } from "../tenant.ts";
import { adminApprovalPage, CANCEL_FIELD } from "./admin-approval-page.ts";
import { checkConsent, grantedBefore, recordUserConsent } from "./consent.ts";
import { entraErrorPage, redirectWithError } from "./errors.ts";
import { issueCode } from "./grants.ts";
import { parseScopes } from "./scopes.ts";
import { signInPage } from "./sign-in-page.ts";

interface AuthorizeRequest {
  params: URLSearchParams;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
}

/** RFC 7636: 43 to 128 characters of base64url (a SHA-256 digest is 43). */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

/** A valid authorize request, or the response refusing it. */
function validate(params: URLSearchParams): AuthorizeRequest | EmulatorResponse {
  const clientId = params.get("client_id");
  if (!clientId) return entraErrorPage(900144, "The request body must contain the following parameter: 'client_id'.");
  if (clientId !== DEMO_CLIENT_ID) {
    return entraErrorPage(
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${TENANT_NAME}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri || !isAllowedRedirectUri(redirectUri)) {
    return entraErrorPage(
      50011,
      `The redirect URI '${redirectUri ?? ""}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. The demo app accepts loopback URIs only (http://localhost:PORT/... or http://127.0.0.1:PORT/...).`,
    );
  }
  const state = params.get("state");
  const responseType = params.get("response_type");
  if (responseType !== "code") {
    return redirectWithError(
      redirectUri,
      state,
      responseType ? "unsupported_response_type" : "invalid_request",
      700054,
      responseType
        ? `response_type '${responseType}' is not enabled for the application.`
        : "The request body must contain the following parameter: 'response_type'.",
    );
  }
  const responseMode = params.get("response_mode");
  if (responseMode !== null && responseMode !== "query") {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      900144,
      `The emulator supports response_mode=query only, not '${responseMode}'.`,
    );
  }
  const requested = parseScopes(params.get("scope"));
  if (requested.scopes.length === 0 && requested.unknown.length === 0) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  if (requested.unknown.length > 0) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_scope",
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope '${requested.unknown.join(" ")}' does not exist on the resource 'https://graph.microsoft.com'.`,
    );
  }
  const codeChallenge = params.get("code_challenge");
  if (!codeChallenge) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      9002325,
      "Proof Key for Code Exchange is required: send code_challenge and code_challenge_method=S256.",
    );
  }
  if (params.get("code_challenge_method") !== "S256") {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      501478,
      `Invalid code_challenge_method '${params.get("code_challenge_method") ?? "plain"}': the emulator accepts S256 only.`,
    );
  }
  if (!CODE_CHALLENGE.test(codeChallenge)) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      501491,
      "Invalid size of Code_Challenge parameter.",
    );
  }
  if (params.get("prompt") === "none") {
    return redirectWithError(
      redirectUri,
      state,
      "login_required",
      50058,
      "A silent sign-in request was sent but no user is signed in.",
    );
  }
  return { params, clientId, redirectUri, codeChallenge, scopes: requested.scopes };
}

function isResponse(value: AuthorizeRequest | EmulatorResponse): value is EmulatorResponse {
  return "status" in value;
}

export function authorize(request: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  const params = request.method === "POST" ? formBody(request) : request.url.searchParams;
  const valid = validate(params);
  if (isResponse(valid)) return valid;
  const page = {
    action: request.url.pathname,
    params,
    scopes: valid.scopes,
    approvedByAdmin: state.consent.adminConsent,
  };
  if (request.method === "GET") {
    const selected = findUser(params.get("login_hint") ?? "");
    const before = selected ? grantedBefore(state, selected.id, valid.scopes) : [];
    return html(200, signInPage({ ...page, selected, grantedBefore: before }));
  }
  const user = findUser(params.get("username") ?? params.get("login_hint") ?? "");
  if (!user) return html(400, signInPage({ ...page, error: "Choose one of the demo accounts to sign in." }));
  if (params.get(CANCEL_FIELD) === "cancel") {
    return redirectWithError(
      valid.redirectUri,
      params.get("state"),
      "access_denied",
      65004,
      "User declined to consent to access the app.",
      { error_subcode: "cancel" },
    );
  }
  const refusal = checkConsent(state, user.id, valid.scopes);
  if (refusal) return html(200, adminApprovalPage({ action: request.url.pathname, params, user, refusal }));
  recordUserConsent(state, user.id, valid.scopes);
  const code = issueCode(state, {
    clientId: valid.clientId,
    redirectUri: valid.redirectUri,
    codeChallenge: valid.codeChallenge,
    scopes: valid.scopes,
    userId: user.id,
    nonce: params.get("nonce") ?? undefined,
  });
  const target = new URL(valid.redirectUri);
  target.searchParams.set("code", code);
  const clientState = params.get("state");
  if (clientState !== null) target.searchParams.set("state", clientState);
  return redirect(target.toString());
}
