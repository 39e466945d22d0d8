import { createHash, randomBytes } from "node:crypto";
import { parseForm } from "../support/headless-browser.ts";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../../emulator/tenant.ts";

export const REDIRECT_URI = "http://localhost:9000/callback";

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizeUrl(
  base: string,
  challenge: string,
  scope = "openid profile offline_access User.Read Mail.Read Mail.Send",
): string {
  const url = new URL(`${base}/common/oauth2/v2.0/authorize`);
  url.searchParams.set("client_id", DEMO_CLIENT_ID);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("scope", scope);
  url.searchParams.set("state", "st");
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

/** Signs in through the HTML form as `user` and returns the authorization code. */
export async function signInCode(base: string, challenge: string, user: string, scope?: string): Promise<string> {
  const pageUrl = authorizeUrl(base, challenge, scope);
  const page = await fetch(pageUrl);
  const form = parseForm(await page.text(), pageUrl);
  const body = new URLSearchParams();
  for (const field of form.fields) if (field.type === "hidden") body.append(field.name, field.value);
  body.set("login_hint", user);
  const response = await fetch(form.action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
    redirect: "manual",
  });
  const location = new URL(response.headers.get("Location")!);
  return location.searchParams.get("code")!;
}

export async function tokenRequest(base: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${base}/common/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, ...fields }),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  scope: string;
  expires_in: number;
}

export async function signIn(base: string, user = "adele@contoso.example", scope?: string): Promise<Tokens> {
  const { verifier, challenge } = pkce();
  const code = await signInCode(base, challenge, user, scope);
  const response = await tokenRequest(base, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  return (await response.json()) as Tokens;
}

export async function graph(base: string, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/v1.0${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
}
