import { userAccount } from "../session/account/user-account.ts";
import { UserCache } from "../graph/cache.ts";
import { keyRingOf } from "../shared/crypto.ts";
import { revokeGrantsOf } from "./grants.ts";
import { forgetUserName } from "./user-index.ts";

export interface SignOutReport {
  grantsRevoked: number;
  sessionsEnded: number;
  cacheEntriesDeleted: number;
}

/**
 * Signs a user out of this server everywhere: revokes every MCP grant of the
 * user (so their clients' tokens stop working and the clients sign in again),
 * ends their open sessions and live connections, and deletes their Microsoft
 * tokens, idempotency records and cached Graph data.
 */
export async function signOutEverywhere(env: Env, userKey: string): Promise<SignOutReport> {
  const grantsRevoked = await revokeGrantsOf(env, userKey);
  const sessionsEnded = await userAccount(env, userKey).signOut();
  const cacheEntriesDeleted = await new UserCache(env.CACHE_KV, userKey, keyRingOf(env)).clear();
  await forgetUserName(env, userKey);
  console.log(JSON.stringify({ event: "signed_out", grantsRevoked, sessionsEnded, cacheEntriesDeleted }));
  return { grantsRevoked, sessionsEnded, cacheEntriesDeleted };
}
