/**
 * Microsoft identity platform (Entra ID v2.0): the authorization-code flow with
 * PKCE for a confidential client, and refresh. The authority is configuration,
 * so the same code talks to login.microsoftonline.com or to the emulator.
 */

/** Scopes every sign-in asks for besides the Graph permissions of the tools. */
export const IDENTITY_SCOPES = ["openid", "profile", "email", "offline_access"] as const;

export interface MicrosoftTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Graph permissions granted, short form ("Mail.Read"). */
  scopes: string[];
}

export interface MicrosoftIdentity {
  tenantId: string;
  objectId: string;
  name: string;
  username: string;
}

/** A refusal by the token endpoint (`invalid_grant`, `invalid_client`, ...), without any token in it. */
export class MicrosoftIdentityError extends Error {
  readonly error: string;
  readonly description: string;
  readonly status: number;

  constructor(error: string, description: string, status: number) {
    super(`${error}: ${description}`);
    this.name = "MicrosoftIdentityError";
    this.error = error;
    this.description = description;
    this.status = status;
  }

  /** The grant can never work again: the user must sign in anew. */
  get isPermanent(): boolean {
    return this.error === "invalid_grant" || this.error === "interaction_required" || this.error === "invalid_client";
  }
}

interface TokenEndpointResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number | string;
  scope?: string;
  error?: string;
  error_description?: string;
}

function authorityBase(env: Env): string {
  return `${env.MICROSOFT_AUTHORITY_URL.replace(/\/+$/, "")}/${encodeURIComponent(env.MICROSOFT_TENANT || "common")}`;
}

/** Turns "https://graph.microsoft.com/Mail.Read" into "Mail.Read"; keeps identity scopes as they are. */
export function shortScope(scope: string): string {
  const slash = scope.lastIndexOf("/");
  return slash >= 0 ? scope.slice(slash + 1) : scope;
}

/** The Microsoft sign-in URL for one authorization attempt. */
export function microsoftAuthorizeUrl(
  env: Env,
  params: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    graphScopes: readonly string[];
    /** A step-up for a known account: Microsoft goes straight to it instead of asking which account. */
    loginHint?: string;
  },
): string {
  const url = new URL(`${authorityBase(env)}/oauth2/v2.0/authorize`);
  url.searchParams.set("client_id", env.MICROSOFT_CLIENT_ID);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", params.redirectUri);
  url.searchParams.set("response_mode", "query");
  url.searchParams.set("scope", [...IDENTITY_SCOPES, ...params.graphScopes].join(" "));
  url.searchParams.set("state", params.state);
  url.searchParams.set("code_challenge", params.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (params.loginHint) url.searchParams.set("login_hint", params.loginHint);
  else url.searchParams.set("prompt", "select_account");
  return url.toString();
}

async function requestTokens(
  env: Env,
  form: Record<string, string>,
  fetcher: typeof fetch,
): Promise<TokenEndpointResponse> {
  const body = new URLSearchParams({
    client_id: env.MICROSOFT_CLIENT_ID,
    client_secret: env.MICROSOFT_CLIENT_SECRET,
    ...form,
  });
  let response: Response;
  try {
    response = await fetcher(`${authorityBase(env)}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new MicrosoftIdentityError(
      "temporarily_unavailable",
      `The Microsoft sign-in service could not be reached (${cause instanceof Error ? cause.name : "network error"})`,
      503,
    );
  }
  let payload: TokenEndpointResponse;
  try {
    payload = (await response.json()) as TokenEndpointResponse;
  } catch {
    throw new MicrosoftIdentityError(
      "temporarily_unavailable",
      `Microsoft sign-in answered ${response.status} without JSON`,
      503,
    );
  }
  if (!response.ok || payload.error) {
    const error = payload.error ?? (response.status >= 500 ? "temporarily_unavailable" : "invalid_request");
    // Entra's descriptions carry trace and correlation ids after the first line; keep only the reason.
    const description = (payload.error_description ?? `HTTP ${response.status}`).split(/\r?\n/)[0] ?? "";
    throw new MicrosoftIdentityError(error, description, response.status);
  }
  return payload;
}

function toTokenSet(payload: TokenEndpointResponse, previousRefreshToken?: string): MicrosoftTokenSet {
  if (!payload.access_token)
    throw new MicrosoftIdentityError("invalid_response", "no access_token in the token response", 502);
  const refreshToken = payload.refresh_token ?? previousRefreshToken;
  if (!refreshToken) {
    throw new MicrosoftIdentityError("invalid_response", "no refresh_token: offline_access was not granted", 502);
  }
  const expiresIn = Number(payload.expires_in ?? 3600);
  return {
    accessToken: payload.access_token,
    refreshToken,
    expiresAt: Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
    scopes: (payload.scope ?? "")
      .split(" ")
      .filter(Boolean)
      .map(shortScope)
      .filter((scope) => !(IDENTITY_SCOPES as readonly string[]).includes(scope)),
  };
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) throw new MicrosoftIdentityError("invalid_response", "malformed id_token", 502);
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/**
 * Reads who signed in from the id_token. It came straight from the token
 * endpoint over TLS in the code exchange, which OpenID Connect Core 3.1.3.7
 * accepts in place of checking its signature.
 */
function identityFromIdToken(idToken: string | undefined, clientId: string): MicrosoftIdentity {
  if (!idToken)
    throw new MicrosoftIdentityError("invalid_response", "no id_token: the openid scope was not granted", 502);
  const claims = decodeJwtPayload(idToken);
  const audience = claims.aud;
  if (audience !== clientId)
    throw new MicrosoftIdentityError("invalid_response", "id_token was issued to another app", 502);
  const tenantId = claims.tid;
  const objectId = claims.oid;
  if (typeof tenantId !== "string" || typeof objectId !== "string") {
    throw new MicrosoftIdentityError("invalid_response", "id_token lacks tid or oid", 502);
  }
  const username = String(claims.preferred_username ?? claims.email ?? "");
  return { tenantId, objectId, name: String(claims.name ?? username), username };
}

/** Exchanges the authorization code from the callback. */
export async function exchangeMicrosoftCode(
  env: Env,
  params: { code: string; redirectUri: string; codeVerifier: string },
  fetcher: typeof fetch = fetch,
): Promise<{ tokens: MicrosoftTokenSet; identity: MicrosoftIdentity }> {
  const payload = await requestTokens(
    env,
    {
      grant_type: "authorization_code",
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
    },
    fetcher,
  );
  return { tokens: toTokenSet(payload), identity: identityFromIdToken(payload.id_token, env.MICROSOFT_CLIENT_ID) };
}

/** Redeems a refresh token; Entra rotates it, so the returned set carries the new one. */
export async function refreshMicrosoftToken(
  env: Env,
  current: MicrosoftTokenSet,
  fetcher: typeof fetch = fetch,
): Promise<MicrosoftTokenSet> {
  const payload = await requestTokens(
    env,
    {
      grant_type: "refresh_token",
      refresh_token: current.refreshToken,
      scope: [...IDENTITY_SCOPES, ...current.scopes].join(" "),
    },
    fetcher,
  );
  const refreshed = toTokenSet(payload, current.refreshToken);
  return { ...refreshed, scopes: refreshed.scopes.length > 0 ? refreshed.scopes : current.scopes };
}
