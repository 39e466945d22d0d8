import { keyRingOf } from "../shared/crypto.ts";
import { signOutEverywhere } from "../auth/logout.ts";
import { configTtlMs, readRuntimeConfig } from "../config.ts";
import { UserCache } from "../graph/cache.ts";
import { GraphClient } from "../graph/client.ts";
import { ToolError } from "../graph/errors.ts";
import type { AccessTokenResult } from "../graph/token-source.ts";
import type { AccountSummary, CacheKind, ToolContext } from "../tools/catalog.ts";
import { userAccount, type CallGrant, type UserAccount } from "./account/user-account.ts";
import type { SessionProps } from "./props.ts";

/** Every kind of cached data; a call learns all their generations in its one account round trip. */
const CACHE_KINDS: readonly CacheKind[] = [
  "mail",
  "calendar",
  "contacts",
  "directory",
  "teams",
  "files",
  "tasks",
  "search",
];

/** Round trips one call made beyond the request that carried it: Durable Object calls and KV reads. */
export interface HopMeter {
  durableObjects: number;
  kvReads: number;
}

/** A KV namespace whose reads are counted on `meter`. */
function meteredKv(kv: KVNamespace, meter: HopMeter): KVNamespace {
  return new Proxy(kv, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "get" || typeof value !== "function")
        return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) => {
        meter.kvReads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * The per-call context of the tools for one signed-in user: a Graph client,
 * the user's cache and services. A call's first need of the account (its token
 * or a cache generation) fetches both in one round trip; the token then serves
 * every Graph request of that call.
 */
export function toolContextFactory(
  env: Env,
  props: SessionProps,
  userHash: string,
  onCall?: (meter: HopMeter) => void,
): () => ToolContext & { meter: HopMeter } {
  return () => {
    const meter: HopMeter = { durableObjects: 0, kvReads: 0 };
    onCall?.(meter);
    // The stub's methods, typed as the object's own: every call is one round trip, counted.
    const account = userAccount(env, props.userKey) as unknown as UserAccount;
    const viaAccount = <T>(call: () => Promise<T>): Promise<T> => {
      meter.durableObjects++;
      return call();
    };
    let grant: Promise<CallGrant> | undefined;
    let token: Promise<AccessTokenResult> | undefined;
    const prepared = () => (grant ??= viaAccount(() => account.prepareCall(CACHE_KINDS)));
    const cacheKv = meteredKv(env.CACHE_KV, meter);
    return {
      meter,
      graph: new GraphClient(
        env.GRAPH_BASE_URL,
        {
          get: () => (token ??= prepared().then((call) => call.token)),
          renewRejected: (rejected) => (token = viaAccount(() => account.renewRejectedToken(rejected))),
          recordUpstream: (ok) => viaAccount(() => account.recordUpstream(ok)),
        },
        { timeoutSeconds: Number(env.GRAPH_TIMEOUT_SECONDS) || undefined },
      ),
      services: {
        userHash,
        beginOnce: (scope, key, argsHash) => viaAccount(() => account.beginOnce(scope, key, argsHash)),
        finishOnce: (scope, key, outcome) => viaAccount(() => account.finishOnce(scope, key, outcome)),
        cacheGenerations: async (kinds) => {
          const { generations } = await prepared();
          return Object.fromEntries(kinds.map((kind) => [kind, generations[kind] ?? "0"]));
        },
        bumpCacheGenerations: (kinds) => viaAccount(() => account.bumpCacheGenerations(kinds)),
        metrics: env.METRICS,
        signOut: () => signOutEverywhere(env, props.userKey),
        runtimeConfig: () =>
          readRuntimeConfig(env, { maxAgeMs: configTtlMs(env), onKvRead: () => void meter.kvReads++ }),
      },
      cache: new UserCache(cacheKv, props.userKey, keyRingOf(env)),
      account: async (): Promise<AccountSummary> => {
        const described = await viaAccount(() => account.describe());
        if (!described)
          throw new ToolError("auth_required", "You are not signed in to Microsoft 365. Reconnect to sign in.");
        return { ...described.identity, scopes: described.scopes, tokenExpiresAt: described.expiresAt };
      },
    };
  };
}
