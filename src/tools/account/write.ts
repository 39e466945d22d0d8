/** Signing out of this server. */
import { ToolError } from "../../graph/errors.ts";
import { defineTool } from "../spec.ts";

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
