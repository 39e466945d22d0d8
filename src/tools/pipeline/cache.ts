/**
 * The per-user cache of reads, and its invalidation by writes: an entry's key
 * holds its kind's generation, which a write bumps, so a write makes every
 * earlier read of that kind unreachable at once.
 */
import type { UserCache } from "../../graph/cache.ts";
import { argumentsHash } from "../shared/hash.ts";
import type { CacheKind, CallServices } from "../spec.ts";

/** How a call met the cache, for its log line. */
export type CacheOutcome = "hit" | "miss" | "bypass";

export interface CachedRead {
  /** "tool" or "resource": keeps a tool's entries apart from a resource's of the same name. */
  namespace: string;
  name: string;
  kind: CacheKind;
  ttlSeconds: number;
  /** What the read depends on besides the user: its arguments or template variables. */
  args: unknown;
}

/** `load()`'s value, served from the user's cache while its kind's generation stands. */
export async function readThroughCache<T>(
  read: CachedRead,
  services: CallServices,
  cache: UserCache,
  load: () => Promise<T>,
): Promise<{ value: T; outcome: CacheOutcome }> {
  const generation = (await services.cacheGenerations([read.kind]))[read.kind] ?? "0";
  const key = `${read.namespace}:${read.name}:${read.kind}:${generation}:${await argumentsHash(read.args)}`;
  let loaded = false;
  const value = await cache.read(key, read.ttlSeconds, async () => {
    loaded = true;
    return load();
  });
  return { value, outcome: loaded ? "miss" : "hit" };
}

/** Makes the cached reads of `kinds` stale, after a write changed them. */
export async function invalidate(kinds: readonly CacheKind[] | undefined, services: CallServices): Promise<void> {
  if (kinds?.length) await services.bumpCacheGenerations(kinds);
}
