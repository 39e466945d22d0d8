/** A plain HTTP client for the emulator's sign-in, token, Graph and control endpoints, as an app would use them. */
import { createHash, randomBytes } from "node:crypto";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../../emulator/tenant.ts";

export const REDIRECT_URI = "http://localhost:9000/callback";
export const DEFAULT_SCOPE = "openid profile email offline_access User.Read Mail.Read Mail.Send";

export interface Tokens {
  token_type: string;
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; "request-id": string; "client-request-id": string };
  };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizeUrl(base: string, params: Record<string, string>, tenant = "common"): URL {
  const url = new URL(`${base}/${tenant}/oauth2/v2.0/authorize`);
  const defaults = {
    client_id: DEMO_CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: DEFAULT_SCOPE,
    state: "state-123",
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(name, value);
  return url;
}

export interface SignInForm {
  action: string;
  method: string;
  hidden: [string, string][];
  /** The account radio buttons: value and whether it is preselected. */
  accounts: { name: string; value: string; checked: boolean }[];
}

function decode(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decode(match[1]);
}

/** Reads the sign-in page the way a script-less client does: the form, its hidden fields and radio buttons. */
export function parseSignInForm(html: string, pageUrl: string): SignInForm {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in page:\n${html.slice(0, 300)}`);
  const formTag = /<form\b[^>]*>/.exec(form[0])![0];
  const inputs = form[1]!.match(/<input\b[^>]*>/g) ?? [];
  return {
    action: new URL(attribute(formTag, "action") ?? pageUrl, pageUrl).toString(),
    method: (attribute(formTag, "method") ?? "get").toUpperCase(),
    hidden: inputs
      .filter((tag) => attribute(tag, "type") === "hidden")
      .map((tag) => [attribute(tag, "name")!, attribute(tag, "value") ?? ""]),
    accounts: inputs
      .filter((tag) => attribute(tag, "type") === "radio")
      .map((tag) => ({
        name: attribute(tag, "name")!,
        value: attribute(tag, "value")!,
        checked: /\schecked\b/.test(tag),
      })),
  };
}

/** Submits the sign-in form as a browser would, choosing `user`'s radio button. */
export async function submitSignIn(form: SignInForm, user: string): Promise<Response> {
  const account = form.accounts.find((candidate) => candidate.value === user);
  if (!account) throw new Error(`no account ${user} on the sign-in page`);
  const body = new URLSearchParams(form.hidden);
  body.set(account.name, account.value);
  return fetch(form.action, {
    method: form.method,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
    redirect: "manual",
  });
}

/** The whole browser part: authorize page, account choice, redirect; returns the redirect back to the app. */
export async function authorizeAs(base: string, user: string, params: Record<string, string>): Promise<URL> {
  const url = authorizeUrl(base, params);
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}`);
  const response = await submitSignIn(parseSignInForm(await page.text(), url.toString()), user);
  const location = response.headers.get("Location");
  if (response.status !== 302 || !location) throw new Error(`sign-in answered ${response.status}`);
  return new URL(location);
}

export async function tokenRequest(
  base: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/common/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, ...fields }),
  });
}

/** Signs `user` in with PKCE and redeems the code. */
export async function signIn(base: string, user = "adele@contoso.example", scope = DEFAULT_SCOPE): Promise<Tokens> {
  const { verifier, challenge } = pkce();
  const redirect = await authorizeAs(base, user, { code_challenge: challenge, scope });
  const response = await tokenRequest(base, {
    grant_type: "authorization_code",
    code: redirect.searchParams.get("code") ?? "",
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (response.status !== 200) throw new Error(`token exchange answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Tokens;
}

/** A Graph call with a bearer token; `path` is under /v1.0 or a full URL (a nextLink). */
export async function graph(base: string, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const url = path.startsWith("http") ? path : `${base}/v1.0${path}`;
  return fetch(url, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
}

/** A JSON Graph call that must succeed. */
export async function graphJson<T>(base: string, token: string, path: string, init: RequestInit = {}): Promise<T> {
  const response = await graph(base, token, path, init);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function postJson(base: string, token: string, path: string, body: unknown): Promise<Response> {
  return graph(base, token, path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Calls the control API; returns the parsed JSON answer. */
export async function control<T = unknown>(
  base: string,
  path: string,
  body?: unknown,
  method = body === undefined ? "GET" : "POST",
): Promise<T> {
  const response = await fetch(`${base}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
