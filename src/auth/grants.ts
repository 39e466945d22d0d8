import { getOAuthApi } from "@cloudflare/workers-oauth-provider";
import { oauthProviderOptions } from "./provider.ts";

/**
 * getOAuthApi builds a whole provider to reach its grant store, which lives in
 * OAUTH_KV whatever origin issued a grant; its handlers are never called from here.
 */
const GRANT_STORE_ONLY = { fetch: () => new Response(null, { status: 404 }) };

function grantStore(env: Env) {
  const origin = env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : "http://127.0.0.1";
  return getOAuthApi(
    oauthProviderOptions(origin, { api: { "/mcp": GRANT_STORE_ONLY }, fallback: GRANT_STORE_ONLY }),
    env,
  );
}

/** What the refresh-replay rule remembers of a grant's rotated refresh tokens (hashes). */
export const rotationsKey = (grantId: string) => `refresh-rotation:${grantId}`;

/** Revokes one grant and every token issued under it, and forgets its rotated refresh tokens. */
export async function revokeGrant(env: Env, grantId: string, userId: string): Promise<void> {
  await grantStore(env).revokeGrant(grantId, userId);
  await env.OAUTH_KV.delete(rotationsKey(grantId));
}

/** Revokes every MCP grant (and so every token) of a user; returns how many. */
export async function revokeGrantsOf(env: Env, userKey: string): Promise<number> {
  const oauth = grantStore(env);
  let revoked = 0;
  let cursor: string | undefined;
  do {
    const page = await oauth.listUserGrants(userKey, cursor ? { cursor } : undefined);
    for (const grant of page.items) {
      await oauth.revokeGrant(grant.id, userKey);
      await env.OAUTH_KV.delete(rotationsKey(grant.id));
      revoked++;
    }
    cursor = page.cursor;
  } while (cursor);
  return revoked;
}
