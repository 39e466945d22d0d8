/** What Entra hands out: authorization codes, and access, refresh and id tokens for a signed-in user. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { json, type EmulatorResponse } from "../http.ts";
import type { AuthorizationCode, EmulatorState } from "../state.ts";
import { TENANT_ID, type DemoUser } from "../tenant.ts";
import { grantedScopeString, graphPermissions } from "./scopes.ts";
import { signJwt } from "./signing-key.ts";

/** Authorization codes live this long. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ID_TOKEN_LIFETIME_SECONDS = 3600;

/** A random, opaque credential; the prefix only helps people reading logs. Clients must not parse it. */
function opaque(prefix: string): string {
  return `${prefix}.${randomBytes(48).toString("base64url")}`;
}

export function issueCode(state: EmulatorState, code: Omit<AuthorizationCode, "expiresAt" | "redeemed">): string {
  const value = opaque("emu-code");
  state.codes.set(value, { ...code, expiresAt: Date.now() + CODE_LIFETIME_MS, redeemed: false });
  return value;
}

function idToken(issuerOrigin: string, user: DemoUser, clientId: string, nonce: string | undefined): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    aud: clientId,
    iss: `${issuerOrigin}/${TENANT_ID}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ID_TOKEN_LIFETIME_SECONDS,
    email: user.mail,
    name: user.displayName,
    ...(nonce ? { nonce } : {}),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    // Entra's subject is pairwise: the same user has a different sub in each app.
    sub: createHash("sha256").update(`${user.id}|${clientId}`).digest("base64url").slice(0, 43),
    tid: TENANT_ID,
    uti: randomUUID().replace(/-/g, ""),
    ver: "2.0",
  });
}

export interface TokenRequest {
  issuerOrigin: string;
  user: DemoUser;
  clientId: string;
  /** Scopes of this access token. */
  scopes: string[];
  /** Scopes the refresh token records, for a refresh that names none. */
  consented: string[];
  nonce?: string;
}

/** A successful token response; a refresh token when offline_access was consented, an id_token when openid was asked for. */
export function issueTokens(state: EmulatorState, request: TokenRequest): EmulatorResponse {
  const lifetime = state.accessTokenLifetimeSeconds;
  const accessToken = opaque("emu-at");
  state.accessTokens.set(accessToken, {
    userId: request.user.id,
    clientId: request.clientId,
    scopes: graphPermissions(request.scopes),
    expiresAt: Date.now() + lifetime * 1000,
  });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: grantedScopeString(request.scopes),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (request.consented.includes("offline_access")) {
    const refreshToken = opaque("emu-rt");
    state.refreshTokens.set(refreshToken, {
      userId: request.user.id,
      clientId: request.clientId,
      scopes: request.consented,
    });
    body.refresh_token = refreshToken;
  }
  if (request.scopes.includes("openid")) {
    body.id_token = idToken(request.issuerOrigin, request.user, request.clientId, request.nonce);
  }
  return json(200, body, { "Cache-Control": "no-store", Pragma: "no-cache" });
}
