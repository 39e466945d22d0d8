import { getOAuthApi } from "@cloudflare/workers-oauth-provider";
import { userAccount } from "../agent/user-account.ts";
import { UserCache } from "../graph/cache.ts";
import { keyRingOf } from "./crypto.ts";
import { oauthProviderOptions } from "./provider.ts";

export interface SignOutReport {
  grantsRevoked: number;
  cacheEntriesDeleted: number;
}

/**
 * Signs a user out of this server everywhere: revokes every MCP grant of the
 * user (so their clients' tokens stop working and the clients sign in again),
 * deletes their Microsoft tokens, idempotency records and cached Graph data.
 */
export async function signOutEverywhere(env: Env, userKey: string): Promise<SignOutReport> {
  const grantsRevoked = await revokeGrantsOf(env, userKey);
  await userAccount(env, userKey).signOut();
  const cacheEntriesDeleted = await new UserCache(env.CACHE_KV, userKey, keyRingOf(env)).clear();
  console.log(JSON.stringify({ event: "signed_out", grantsRevoked, cacheEntriesDeleted }));
  return { grantsRevoked, cacheEntriesDeleted };
}

/** Revokes every MCP grant (and so every token) of a user; returns how many. */
export async function revokeGrantsOf(env: Env, userKey: string): Promise<number> {
  // Grants live in OAUTH_KV whatever origin issued them; the origin only shapes metadata.
  const oauth = getOAuthApi(oauthProviderOptions("https://localhost"), env);
  let revoked = 0;
  let cursor: string | undefined;
  do {
    const page = await oauth.listUserGrants(userKey, cursor ? { cursor } : undefined);
    for (const grant of page.items) {
      await oauth.revokeGrant(grant.id, userKey);
      revoked++;
    }
    cursor = page.cursor;
  } while (cursor);
  return revoked;
}
