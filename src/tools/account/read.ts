/** Who is signed in. */
import { z } from "zod";
import { defineTool } from "../spec.ts";

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
    missing: z.array(z.string()),
    needsAdmin: z.array(z.string()),
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
        ...(summary.missing.length > 0
          ? [`Not granted yet (a tool needing one answers with a consent link): ${summary.missing.join(", ")}`]
          : []),
        ...(summary.needsAdmin.length > 0 ? [`Only an administrator can grant: ${summary.needsAdmin.join(", ")}`] : []),
        `Microsoft token valid until ${expires}; it renews automatically.`,
      ].join("\n"),
      structured: {
        name: summary.name,
        username: summary.username,
        tenantId: summary.tenantId,
        scopes: summary.scopes,
        missing: summary.missing,
        needsAdmin: summary.needsAdmin,
        tokenExpiresAt: expires,
      },
    };
  },
});
