import { OAuthProvider, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";
import { logoutEndpoint, mcpEndpoint, sseEndpoint } from "../http/mcp-transports.ts";
import { authorizationRoutes } from "./authorize.ts";

const providers = new Map<string, OAuthProvider<Env>>();

/** The canonical origin of this server: PUBLIC_URL when set, else the request's own. */
export function publicOrigin(request: Request, env: Env): string {
  return env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : new URL(request.url).origin;
}

/** Where an unauthenticated client learns how to get a token (RFC 9728). */
export function resourceMetadataUrl(origin: string): string {
  return `${origin}/.well-known/oauth-protected-resource`;
}

/** The `WWW-Authenticate` challenge of a 401 that starts OAuth in MCP clients. */
export function bearerChallenge(origin: string): string {
  return `Bearer realm="OAuth", resource_metadata="${resourceMetadataUrl(origin)}", error="invalid_token", error_description="Missing or invalid access token"`;
}

/**
 * The OAuth 2.1 authorization server and resource guard for one origin. The
 * origin is the token audience, so it is fixed per provider; one Worker serves
 * localhost and 127.0.0.1 in development, or its PUBLIC_URL in production.
 */
export function oauthProviderFor(origin: string): OAuthProvider<Env> {
  let provider = providers.get(origin);
  if (!provider) {
    provider = new OAuthProvider<Env>(oauthProviderOptions(origin));
    providers.set(origin, provider);
  }
  return provider;
}

/** The provider's options for one origin (also what `getOAuthApi` needs to manage grants). */
export function oauthProviderOptions(origin: string): OAuthProviderOptions<Env> {
  return {
    apiHandlers: { "/mcp": mcpEndpoint, "/sse": sseEndpoint, "/logout": logoutEndpoint },
    defaultHandler: { fetch: (request, env, ctx) => authorizationRoutes.fetch(request, env, ctx) },
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
