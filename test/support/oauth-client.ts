/** The MCP client's side of OAuth 2.1 (RFC 7591 registration, PKCE S256, token exchange), against any fetch. */

export interface RegisteredClient {
  client_id: string;
  redirect_uris: string[];
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64Url(new Uint8Array(digest)) };
}

export async function registerClient(
  fetcher: (request: Request) => Promise<Response>,
  origin: string,
  redirectUri = "http://127.0.0.1:9999/oauth/callback",
): Promise<RegisteredClient> {
  const response = await fetcher(
    new Request(`${origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_name: "Test MCP Client",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      }),
    }),
  );
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredClient;
}

export function authorizationUrl(
  origin: string,
  client: RegisteredClient,
  challenge: string,
  state = "state-123",
): string {
  const url = new URL(`${origin}/authorize`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", client.redirect_uris[0]!);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return url.toString();
}

export async function exchangeCode(
  fetcher: (request: Request) => Promise<Response>,
  origin: string,
  client: RegisteredClient,
  code: string,
  verifier: string,
): Promise<Response> {
  return fetcher(
    new Request(`${origin}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: client.redirect_uris[0]!,
        client_id: client.client_id,
        code_verifier: verifier,
      }),
    }),
  );
}
