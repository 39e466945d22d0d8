/** The Entra ID v2.0 endpoints under /{tenant}/, where {tenant} is common, organizations, the tenant id or its domain. */
import { json, type EmulatorRequest, type EmulatorResponse } from "../http.ts";
import type { EmulatorState } from "../state.ts";
import { TENANT_DOMAIN, TENANT_ID } from "../tenant.ts";
import { authorize } from "./authorize.ts";
import { entraError, entraErrorPage } from "./errors.ts";
import { jwks } from "./signing-key.ts";
import { token } from "./token.ts";

const ENTRA_PATH =
  /^\/([^/]+)\/(oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/;

const TENANT_SEGMENTS = new Set(["common", "organizations", TENANT_ID, TENANT_DOMAIN]);

function openIdConfiguration(origin: string, tenant: string): EmulatorResponse {
  const base = `${origin}/${tenant}`;
  return json(200, {
    issuer: `${origin}/${TENANT_ID}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    claims_supported: [
      "sub",
      "iss",
      "aud",
      "exp",
      "iat",
      "nbf",
      "name",
      "preferred_username",
      "email",
      "oid",
      "tid",
      "nonce",
    ],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    tenant_region_scope: "NA",
  });
}

/** Answers an Entra request; `userId` is set when tokens were issued. */
export function routeEntra(
  request: EmulatorRequest,
  state: EmulatorState,
  origin: string,
): { response: EmulatorResponse; userId?: string } | undefined {
  const match = ENTRA_PATH.exec(request.url.pathname);
  if (!match) return undefined;
  const [, tenant = "", endpoint] = match;
  const knownTenant = TENANT_SEGMENTS.has(tenant.toLowerCase());
  const method = request.method;
  switch (endpoint) {
    case "oauth2/v2.0/authorize":
      if (method !== "GET" && method !== "POST") return undefined;
      if (!knownTenant) {
        return {
          response: entraErrorPage(
            90002,
            `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
          ),
        };
      }
      return { response: authorize(request, state) };
    case "oauth2/v2.0/token":
      if (method !== "POST") return undefined;
      if (!knownTenant) return { response: entraError(400, "invalid_request", 90002, `Tenant '${tenant}' not found.`) };
      return token(request, state, origin);
    case "v2.0/.well-known/openid-configuration":
      if (method !== "GET") return undefined;
      if (!knownTenant) return { response: entraError(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found.`) };
      return { response: openIdConfiguration(origin, tenant) };
    default:
      return method === "GET" ? { response: json(200, jwks()) } : undefined;
  }
}
