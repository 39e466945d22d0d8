import { sha256Hex } from "../shared/text.ts";

/**
 * Which account a sign-in name belongs to, so that an operator can remove one
 * person's data by the name they know (`npm run forget-user -- <upn>`). OAUTH_KV
 * keeps a hash of the name, never the name: `user-by-name:{sha256(name)}` gives
 * the account's name (tenant id + object id), and `name-of-user:{userKey}` the
 * hash back, so that sign-out removes both.
 */
const byName = (hash: string) => `user-by-name:${hash}`;
const nameOf = (userKey: string) => `name-of-user:${userKey}`;

function nameHash(username: string): Promise<string> {
  return sha256Hex(username.trim().toLowerCase());
}

/** A sign-in completed: `username` (the UPN) now finds `userKey`. */
export async function rememberUser(env: Env, username: string, userKey: string): Promise<void> {
  const hash = await nameHash(username);
  await Promise.all([env.OAUTH_KV.put(byName(hash), userKey), env.OAUTH_KV.put(nameOf(userKey), hash)]);
}

/** The account a sign-in name belongs to, if it has signed in here and not signed out since. */
export async function findUser(env: Env, username: string): Promise<string | null> {
  return env.OAUTH_KV.get(byName(await nameHash(username)));
}

/** Forgets which name the account had (sign-out, a dead sign-in, an operator's removal). */
export async function forgetUserName(env: Env, userKey: string): Promise<void> {
  const hash = await env.OAUTH_KV.get(nameOf(userKey));
  await Promise.all([
    env.OAUTH_KV.delete(nameOf(userKey)),
    // Another account may have taken the name since (a renamed user): leave its entry alone.
    hash ? removeIfOwned(env, hash, userKey) : undefined,
  ]);
}

async function removeIfOwned(env: Env, hash: string, userKey: string): Promise<void> {
  if ((await env.OAUTH_KV.get(byName(hash))) === userKey) await env.OAUTH_KV.delete(byName(hash));
}
