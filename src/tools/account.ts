import type { User } from "@microsoft/microsoft-graph-types";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { ToolError } from "../graph/errors.ts";
import { defineTool, type ToolContext } from "./spec.ts";

export const authenticate = defineTool({
  name: "authenticate",
  title: "Who am I",
  description:
    "Who is signed in to Microsoft 365: account, tenant, granted permissions, token expiry. Use when a call fails for permissions.",
  input: {},
  output: {
    name: z.string(),
    username: z.string(),
    tenantId: z.string(),
    scopes: z.array(z.string()),
    tokenExpiresAt: z.string(),
  },
  scopes: [],
  access: "read",
  async run(_args, { account }) {
    const summary = await account();
    const expires = new Date(summary.tokenExpiresAt).toISOString();
    return {
      text: [
        `Signed in as ${summary.name} <${summary.username}>`,
        `Tenant: ${summary.tenantId}`,
        `Permissions: ${summary.scopes.join(", ") || "none"}`,
        `Microsoft token valid until ${expires}; it renews automatically.`,
      ].join("\n"),
      structured: {
        name: summary.name,
        username: summary.username,
        tenantId: summary.tenantId,
        scopes: summary.scopes,
        tokenExpiresAt: expires,
      },
    };
  },
});

export const logout = defineTool({
  name: "logout",
  title: "Sign out",
  description:
    "Sign out of Microsoft 365 on this server: revokes this connection and deletes the stored Microsoft sign-in and cached data. Only when the user asks.",
  input: {},
  scopes: [],
  access: "write",
  destructive: true,
  idempotent: true,
  async run(_args, { services }) {
    if (!services) throw new ToolError("auth_required", "No one is signed in on this connection.");
    const report = await services.signOut();
    return {
      text: `Signed out: ${report.grantsRevoked} connection(s) revoked, Microsoft sign-in and ${report.cacheEntriesDeleted} cached item(s) deleted. Reconnect to sign in again.`,
    };
  },
});

const PROFILE_FIELDS =
  "id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,department,officeLocation,businessPhones,mobilePhone,preferredLanguage";

/** A directory profile changes rarely; five minutes of staleness is harmless. */
const PROFILE_CACHE_SECONDS = 300;

/** `microsoft://profile`: the signed-in user's directory profile. */
export function registerProfileResource(server: McpServer, context: () => ToolContext): void {
  server.registerResource(
    "profile",
    "microsoft://profile",
    {
      title: "My Microsoft 365 profile",
      description: "The signed-in user's name, email, job title, department, office and phones",
      mimeType: "application/json",
    },
    async (uri) => {
      const { graph, cache } = context();
      const user = await cache.read("profile", PROFILE_CACHE_SECONDS, () =>
        graph.get<User>("/me", { query: { $select: PROFILE_FIELDS } }),
      );
      const profile = Object.fromEntries(
        Object.entries(user).filter(
          ([key, value]) =>
            !key.startsWith("@odata") && value !== null && !(Array.isArray(value) && value.length === 0),
        ),
      );
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(profile) }] };
    },
  );
}

/** Graph permissions the resources need. */
export const RESOURCE_SCOPES = ["User.Read"] as const;
