import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { completeAuthorization, HeadlessBrowser } from "../support/headless-browser.ts";

/**
 * The OAuth side of an MCP SDK client, kept in memory. When the SDK sends the
 * user to authorize, a headless browser walks consent and Microsoft sign-in.
 */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl = "http://127.0.0.1:53682/oauth/callback";
  private client?: OAuthClientInformationMixed;
  private savedTokens?: OAuthTokens;
  private verifier = "";
  authorizationUrl?: URL;

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "E2E SDK Client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/**
 * Connects an SDK client the way an MCP host does: the first attempt is
 * refused (401), the SDK discovers OAuth and registers, the user signs in,
 * the code is exchanged, and a fresh transport connects with the token.
 */
export async function connectWithSignIn(
  makeTransport: (provider: InMemoryOAuthProvider) => Transport & { finishAuth(code: string): Promise<void> },
  user: string,
  provider = new InMemoryOAuthProvider(),
  /** The client that connects once signed in (one declaring capabilities, say). */
  connected = new Client({ name: "e2e", version: "1.0.0" }),
): Promise<{ client: Client; provider: InMemoryOAuthProvider }> {
  const first = makeTransport(provider);
  const client = new Client({ name: "e2e", version: "1.0.0" });
  try {
    await client.connect(first);
    return { client, provider };
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) throw error;
  }
  const redirect = await completeAuthorization(new HeadlessBrowser(), provider.authorizationUrl.toString(), { user });
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`sign-in ended without a code: ${redirect}`);
  await first.finishAuth(code);
  await connected.connect(makeTransport(provider));
  return { client: connected, provider };
}
