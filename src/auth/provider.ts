import { OAuthProvider, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";

/** What the provider hands requests to: the token-protected endpoints, and everything else (sign-in pages). */
export interface ProviderHandlers {
  api: NonNullable<OAuthProviderOptions<Env>["apiHandlers"]>;
  fallback: NonNullable<OAuthProviderOptions<Env>["defaultHandler"]>;
}

/** Where an unauthenticated client learns how to get a token (RFC 9728). */
export function resourceMetadataUrl(origin: string): string {
  return `${origin}/.well-known/oauth-protected-resource`;
}

/**
 * The `WWW-Authenticate` challenge of a 401 that starts OAuth in MCP clients.
 * RFC 6750 §3.1: a request that carried no token gets no error code.
 */
export function bearerChallenge(origin: string, tokenSent = false): string {
  const base = `Bearer realm="OAuth", resource_metadata="${resourceMetadataUrl(origin)}"`;
  return tokenSent ? `${base}, error="invalid_token", error_description="Missing or invalid access token"` : base;
}

/** The provider's options for one origin. */
export function oauthProviderOptions(origin: string, handlers: ProviderHandlers): OAuthProviderOptions<Env> {
  return {
    apiHandlers: handlers.api,
    defaultHandler: handlers.fallback,
    authorizeEndpoint: "/authorize",
    tokenEndpoint: "/token",
    clientRegistrationEndpoint: "/register",
    // Client ID Metadata Documents (MCP's preferred registration) need the
    // global_fetch_strictly_public flag, set in production; without it only DCR is offered.
    clientIdMetadataDocumentEnabled: true,
    resourceMetadata: {
      resource: origin,
      authorization_servers: [origin],
      bearer_methods_supported: ["header"],
      resource_name: "Microsoft 365 MCP server",
    },
    accessTokenTTL: 3600,
  };
}

/**
 * The OAuth 2.1 authorization server and resource guard, one per origin
 * (the origin is the token audience): PUBLIC_URL in production, and each
 * loopback name in development.
 */
export function oauthProviderFactory(handlers: ProviderHandlers): (origin: string) => OAuthProvider<Env> {
  const providers = new Map<string, OAuthProvider<Env>>();
  return (origin) => {
    let provider = providers.get(origin);
    if (!provider) {
      provider = new OAuthProvider<Env>(oauthProviderOptions(origin, handlers));
      providers.set(origin, provider);
    }
    return provider;
  };
}
