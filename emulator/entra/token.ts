/**
 * POST /{tenant}/oauth2/v2.0/token for the demo confidential client: the
 * authorization_code grant (with PKCE S256) and the refresh_token grant, with
 * Entra's errors and AADSTS codes.
 */
import { createHash } from "node:crypto";
import { formBody, type EmulatorRequest, type EmulatorResponse } from "../http.ts";
import type { EmulatorState } from "../state.ts";
import { DEMO_APP_NAME, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERS, type DemoUser } from "../tenant.ts";
import { heldScopes } from "./consent.ts";
import { entraError } from "./errors.ts";
import { issueTokens } from "./grants.ts";
import { parseScopes } from "./scopes.ts";

export interface TokenOutcome {
  response: EmulatorResponse;
  /** Whom the tokens were issued for. */
  userId?: string;
}

function missing(parameter: string): TokenOutcome {
  return {
    response: entraError(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${parameter}'.`,
    ),
  };
}

function invalidGrant(code: number, message: string): TokenOutcome {
  return { response: entraError(400, "invalid_grant", code, message) };
}

/** client_id and client_secret from HTTP Basic (client_secret_basic) or the form (client_secret_post). */
function clientCredentials(
  request: EmulatorRequest,
  form: URLSearchParams,
): { clientId: string | null; secret: string | null } {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  return { clientId: form.get("client_id"), secret: form.get("client_secret") };
}

function userById(userId: string): DemoUser {
  const user = DEMO_USERS.find((candidate) => candidate.id === userId);
  if (!user) throw new Error(`unknown user ${userId}`);
  return user;
}

function redeemCode(state: EmulatorState, form: URLSearchParams, clientId: string, issuerOrigin: string): TokenOutcome {
  const value = form.get("code");
  if (!value) return missing("code");
  const code = state.codes.get(value);
  if (!code) {
    return invalidGrant(
      9002313,
      "Invalid request. Request is malformed or invalid. The authorization code is not valid.",
    );
  }
  if (code.redeemed) {
    return invalidGrant(
      54005,
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    );
  }
  if (code.expiresAt <= Date.now()) {
    return invalidGrant(
      70008,
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    );
  }
  if (code.clientId !== clientId) {
    return invalidGrant(70000, "The provided authorization code was issued to another client.");
  }
  const redirectUri = form.get("redirect_uri");
  if (redirectUri !== code.redirectUri) {
    return invalidGrant(
      500112,
      `The reply address '${redirectUri ?? ""}' does not match the reply address '${code.redirectUri}' provided when requesting Authorization code.`,
    );
  }
  const verifier = form.get("code_verifier") ?? "";
  if (createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge) {
    return invalidGrant(
      501481,
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    );
  }
  code.redeemed = true;
  const user = userById(code.userId);
  const response = issueTokens(state, {
    issuerOrigin,
    user,
    clientId,
    scopes: code.scopes,
    consented: code.scopes,
    nonce: code.nonce,
  });
  return { response, userId: user.id };
}

function redeemRefreshToken(
  state: EmulatorState,
  form: URLSearchParams,
  clientId: string,
  issuerOrigin: string,
): TokenOutcome {
  const value = form.get("refresh_token");
  if (!value) return missing("refresh_token");
  const grant = state.refreshTokens.get(value);
  if (!grant) {
    return invalidGrant(9002313, "Invalid request. Request is malformed or invalid. The refresh token is not valid.");
  }
  if (grant.clientId !== clientId) {
    return invalidGrant(70000, "The provided refresh token was issued to another client.");
  }
  if (grant.invalidatedWith === "revoked") {
    return invalidGrant(
      50173,
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
    );
  }
  if (grant.invalidatedWith === "expired") {
    return invalidGrant(
      700082,
      "The refresh token has expired due to inactivity. The token was issued a while ago and was inactive for 90 days.",
    );
  }
  // Not limited to the scopes this token was issued with: a refresh token is bound to user and client only,
  // and may be redeemed for whatever the user holds consent for now (granted since, or by an administrator).
  const requested = parseScopes(form.get("scope"));
  const held = heldScopes(state, grant.userId);
  const notConsented = [...requested.unknown, ...requested.scopes.filter((scope) => !held.has(scope))];
  if (notConsented.length > 0) {
    return invalidGrant(
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${DEMO_APP_NAME}' for ${notConsented.join(" ")}. Send an interactive authorization request for this user and resource.`,
    );
  }
  const user = userById(grant.userId);
  const scopes = requested.scopes.length > 0 ? requested.scopes : grant.scopes;
  // The next refresh token remembers what this one did and what was asked for now, for a refresh without scope.
  const consented = [...new Set([...grant.scopes, ...scopes])];
  const response = issueTokens(state, { issuerOrigin, user, clientId, scopes, consented });
  return { response, userId: user.id };
}

export function token(request: EmulatorRequest, state: EmulatorState, issuerOrigin: string): TokenOutcome {
  if (!(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return missing("grant_type");
  }
  const form = formBody(request);
  const grantType = form.get("grant_type");
  if (!grantType) return missing("grant_type");
  const { clientId, secret } = clientCredentials(request, form);
  if (!clientId) return missing("client_id");
  if (clientId !== DEMO_CLIENT_ID) {
    return {
      response: entraError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      ),
    };
  }
  if (!secret) {
    return {
      response: entraError(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      ),
    };
  }
  if (secret !== DEMO_CLIENT_SECRET) {
    return {
      response: entraError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      ),
    };
  }
  if (grantType === "authorization_code") return redeemCode(state, form, clientId, issuerOrigin);
  if (grantType === "refresh_token") return redeemRefreshToken(state, form, clientId, issuerOrigin);
  return {
    response: entraError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    ),
  };
}
