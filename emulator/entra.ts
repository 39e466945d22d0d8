/**
 * Entra ID v2.0 endpoints: authorize (a sign-in page listing the demo users,
 * completable by a plain form post), token (authorization code with PKCE,
 * refresh token), OpenID configuration and keys. Errors follow Entra's shapes.
 */
import { createHash, createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { EmulatorState } from "./state.ts";
import { escapeHtml, formBody, html, json, redirect, type EmulatorRequest, type EmulatorResponse } from "./http.ts";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_USERS,
  findUser,
  TENANT_DOMAIN,
  TENANT_ID,
  TENANT_NAME,
} from "./tenant.ts";

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const IDENTITY_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
/** Delegated Graph permissions the emulator grants when asked. */
const KNOWN_GRAPH_SCOPES = new Set([
  "User.Read",
  "User.ReadBasic.All",
  "Mail.Read",
  "Mail.ReadWrite",
  "Mail.Send",
  "Calendars.Read",
  "Calendars.ReadWrite",
  "Contacts.Read",
  "Contacts.ReadWrite",
  "People.Read",
  "Files.Read",
  "Files.ReadWrite",
  "Files.ReadWrite.All",
  "Sites.Read.All",
  "Tasks.ReadWrite",
  "Team.ReadBasic.All",
  "Channel.ReadBasic.All",
  "ChannelMessage.Read.All",
  "ChannelMessage.Send",
  "Chat.ReadWrite",
  "OnlineMeetings.ReadWrite",
  "MailboxSettings.Read",
]);

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const KEY_ID = "emulator-key-1";

function base64Url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const header = base64Url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: KEY_ID }));
  const payload = base64Url(JSON.stringify(claims));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${base64Url(signature)}`;
}

function isTenantSegment(segment: string): boolean {
  return ["common", "organizations", "consumers", TENANT_ID, TENANT_DOMAIN].includes(segment.toLowerCase());
}

function isAllowedRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

/** "https://graph.microsoft.com/Mail.Read" → "Mail.Read". */
function shortScope(scope: string): string {
  return scope.slice(scope.lastIndexOf("/") + 1);
}

function entraError(status: number, error: string, description: string, code: number): EmulatorResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d{3}Z$/, "Z"),
    trace_id: traceId,
    correlation_id: correlationId,
  });
}

function errorPage(message: string): EmulatorResponse {
  return html(
    400,
    `<!doctype html><title>Sign in error</title><h1>Sorry, but we're having trouble signing you in.</h1><p>${escapeHtml(message)}</p>`,
  );
}

function redirectWithError(
  redirectUri: string,
  state: string | null,
  error: string,
  description: string,
): EmulatorResponse {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error);
  url.searchParams.set("error_description", description);
  if (state !== null) url.searchParams.set("state", state);
  return redirect(url.toString());
}

function signInPage(params: URLSearchParams, action: string): string {
  const hint = (params.get("login_hint") ?? "").toLowerCase();
  const hidden = [...params]
    .filter(([name]) => name !== "login_hint")
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const choices = DEMO_USERS.map((user, index) => {
    const checked = hint ? user.userPrincipalName === hint : index === 0;
    return `<label><input type="radio" name="login_hint" value="${escapeHtml(user.userPrincipalName)}"${checked ? " checked" : ""}> ${escapeHtml(user.displayName)} &lt;${escapeHtml(user.userPrincipalName)}&gt; <small>${escapeHtml(user.jobTitle)}</small></label><br>`;
  }).join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to ${escapeHtml(TENANT_NAME)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.4rem 0}</style></head>
<body><h1>Sign in to ${escapeHtml(TENANT_NAME)}</h1>
<p>Microsoft emulator: pick a demo account. No password is needed.</p>
<form method="post" action="${escapeHtml(action)}">
${hidden}
${choices}
<p><button type="submit" name="action" value="signin">Sign in</button></p>
</form></body></html>`;
}

interface ValidatedAuthorize {
  params: URLSearchParams;
  scopes: string[];
}

/** Validates an authorize request; an invalid client or redirect URI is shown, never redirected to. */
function validateAuthorize(params: URLSearchParams): ValidatedAuthorize | EmulatorResponse {
  const clientId = params.get("client_id");
  const redirectUri = params.get("redirect_uri");
  const state = params.get("state");
  if (clientId !== DEMO_CLIENT_ID) {
    return errorPage(
      `AADSTS700016: Application with identifier '${clientId ?? ""}' was not found in the directory '${TENANT_NAME}'.`,
    );
  }
  if (!redirectUri || !isAllowedRedirect(redirectUri)) {
    return errorPage(
      `AADSTS50011: The redirect URI '${redirectUri ?? ""}' specified in the request does not match the redirect URIs configured for the application.`,
    );
  }
  if (params.get("response_type") !== "code") {
    return redirectWithError(
      redirectUri,
      state,
      "unsupported_response_type",
      "AADSTS700054: response_type must be 'code'.",
    );
  }
  if (!params.get("code_challenge") || params.get("code_challenge_method") !== "S256") {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      "AADSTS9002325: Proof Key for Code Exchange (S256) is required.",
    );
  }
  const requested = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (requested.length === 0) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_request",
      "AADSTS900144: The request body must contain the following parameter: 'scope'.",
    );
  }
  const unknown = requested
    .map(shortScope)
    .filter((scope) => !IDENTITY_SCOPES.has(scope) && !KNOWN_GRAPH_SCOPES.has(scope));
  if (unknown.length > 0) {
    return redirectWithError(
      redirectUri,
      state,
      "invalid_scope",
      `AADSTS70011: The provided value for scope ${unknown.join(" ")} is not valid.`,
    );
  }
  return { params, scopes: [...new Set(requested.map(shortScope))] };
}

export function authorizeGet(request: EmulatorRequest, tenant: string): EmulatorResponse {
  if (!isTenantSegment(tenant)) return errorPage(`AADSTS90002: Tenant '${tenant}' not found.`);
  const validated = validateAuthorize(request.url.searchParams);
  if ("status" in validated) return validated;
  return html(200, signInPage(validated.params, request.url.pathname));
}

export function authorizePost(request: EmulatorRequest, tenant: string, state: EmulatorState): EmulatorResponse {
  if (!isTenantSegment(tenant)) return errorPage(`AADSTS90002: Tenant '${tenant}' not found.`);
  const form = formBody(request);
  const validated = validateAuthorize(form);
  if ("status" in validated) return validated;
  const user = findUser(form.get("login_hint") ?? "");
  if (!user)
    return html(
      400,
      signInPage(form, request.url.pathname).replace("<form", "<p><strong>Choose an account.</strong></p><form"),
    );
  const code = EmulatorState.token("code");
  state.codes.set(code, {
    clientId: form.get("client_id")!,
    redirectUri: form.get("redirect_uri")!,
    codeChallenge: form.get("code_challenge")!,
    scopes: validated.scopes,
    userId: user.id,
    nonce: form.get("nonce") ?? undefined,
    expiresAt: Date.now() + CODE_LIFETIME_MS,
    used: false,
  });
  const target = new URL(form.get("redirect_uri")!);
  target.searchParams.set("code", code);
  const clientState = form.get("state");
  if (clientState !== null) target.searchParams.set("state", clientState);
  target.searchParams.set("session_state", randomUUID());
  return redirect(target.toString());
}

function clientCredentials(
  request: EmulatorRequest,
  form: URLSearchParams,
): { clientId: string | null; secret: string | null } {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? "");
  if (basic?.[1]) {
    const [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
    return { clientId: decodeURIComponent(id ?? ""), secret: decodeURIComponent(secret ?? "") };
  }
  return { clientId: form.get("client_id"), secret: form.get("client_secret") };
}

function issueTokens(
  state: EmulatorState,
  issuer: string,
  userId: string,
  clientId: string,
  scopes: string[],
  nonce?: string,
): EmulatorResponse {
  const user = DEMO_USERS.find((candidate) => candidate.id === userId)!;
  const graphScopes = scopes.filter((scope) => !IDENTITY_SCOPES.has(scope));
  const accessToken = EmulatorState.token("emu-at");
  const lifetime = state.accessTokenLifetimeSeconds;
  state.accessTokens.set(accessToken, {
    userId,
    clientId,
    scopes: graphScopes,
    expiresAt: Date.now() + lifetime * 1000,
  });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...graphScopes, ...scopes.filter((scope) => IDENTITY_SCOPES.has(scope) && scope !== "offline_access")].join(
      " ",
    ),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (scopes.includes("offline_access")) {
    const refreshToken = EmulatorState.token("emu-rt");
    state.refreshTokens.set(refreshToken, { userId, clientId, scopes, revoked: false });
    body.refresh_token = refreshToken;
  }
  if (scopes.includes("openid")) {
    const now = Math.floor(Date.now() / 1000);
    body.id_token = signJwt(
      {
        aud: clientId,
        iss: `${issuer}/${TENANT_ID}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: user.displayName,
        oid: user.id,
        preferred_username: user.userPrincipalName,
        email: user.mail,
        sub: createHash("sha256").update(`${user.id}|${clientId}`).digest("base64url").slice(0, 43),
        tid: TENANT_ID,
        ver: "2.0",
        ...(nonce ? { nonce } : {}),
      },
      privateKey,
    );
  }
  return json(200, body, { "Cache-Control": "no-store", Pragma: "no-cache" });
}

function pkceMatches(verifier: string, challenge: string): boolean {
  return createHash("sha256").update(verifier).digest("base64url") === challenge;
}

export function token(
  request: EmulatorRequest,
  tenant: string,
  state: EmulatorState,
  issuer: string,
): EmulatorResponse {
  if (!isTenantSegment(tenant)) return entraError(400, "invalid_request", `Tenant '${tenant}' not found.`, 90002);
  if (!(request.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
    return entraError(400, "invalid_request", "The request body must be application/x-www-form-urlencoded.", 900144);
  }
  const form = formBody(request);
  const { clientId, secret } = clientCredentials(request, form);
  if (clientId !== DEMO_CLIENT_ID) {
    return entraError(
      400,
      "unauthorized_client",
      `Application with identifier '${clientId ?? ""}' was not found in the directory.`,
      700016,
    );
  }
  if (secret !== DEMO_CLIENT_SECRET) {
    return entraError(
      401,
      "invalid_client",
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
      7000215,
    );
  }
  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") {
    const code = state.codes.get(form.get("code") ?? "");
    if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== clientId) {
      return entraError(
        400,
        "invalid_grant",
        "The provided authorization code or refresh token has expired or is invalid. Send a new interactive authorization request.",
        70008,
      );
    }
    if (form.get("redirect_uri") !== code.redirectUri) {
      return entraError(
        400,
        "invalid_grant",
        "The reply URL does not match the reply URL used to obtain the authorization code.",
        500112,
      );
    }
    const verifier = form.get("code_verifier");
    if (!verifier || !pkceMatches(verifier, code.codeChallenge)) {
      return entraError(
        400,
        "invalid_grant",
        "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        501481,
      );
    }
    code.used = true;
    return issueTokens(state, issuer, code.userId, clientId, code.scopes, code.nonce);
  }
  if (grantType === "refresh_token") {
    const presented = state.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!presented || presented.clientId !== clientId) {
      return entraError(400, "invalid_grant", "The refresh token is invalid or malformed.", 9002313);
    }
    if (presented.revoked) {
      return entraError(
        400,
        "invalid_grant",
        "The refresh token has expired or was revoked due to inactivity or a password change.",
        700082,
      );
    }
    const requested = (form.get("scope") ?? "").split(/\s+/).filter(Boolean).map(shortScope);
    const extra = requested.filter((scope) => !presented.scopes.includes(scope) && scope !== "offline_access");
    if (extra.length > 0) {
      return entraError(
        400,
        "invalid_grant",
        `The user or administrator has not consented to use the application for ${extra.join(" ")}.`,
        65001,
      );
    }
    const scopes = requested.length > 0 ? [...new Set([...requested, "offline_access"])] : presented.scopes;
    return issueTokens(state, issuer, presented.userId, clientId, scopes);
  }
  return entraError(400, "unsupported_grant_type", `The grant type '${grantType ?? ""}' is not supported.`, 70003);
}

export function openIdConfiguration(issuer: string, tenant: string): EmulatorResponse {
  const base = `${issuer}/${tenant}`;
  return json(200, {
    issuer: `${issuer}/${TENANT_ID}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ["code"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
  });
}

export function keys(): EmulatorResponse {
  const jwk = publicKey.export({ format: "jwk" });
  return json(200, { keys: [{ ...jwk, kid: KEY_ID, use: "sig", alg: "RS256" }] });
}
