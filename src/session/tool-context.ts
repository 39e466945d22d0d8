import { signOutEverywhere } from "../auth/logout.ts";
import { configTtlMs, readRuntimeConfig } from "../config.ts";
import { UserCache } from "../graph/cache.ts";
import { GraphClient } from "../graph/client.ts";
import { ToolError } from "../graph/errors.ts";
import type { AccessTokenResult } from "../graph/token-source.ts";
import { keyRingOf } from "../shared/crypto.ts";
import { enabledTools, graphScopes, type AccountSummary, type ToolContext } from "../tools/catalog.ts";
import { missingScopes, needsAdmin } from "../shared/permissions.ts";
import { CONSENT_PATH } from "./account/step-ups.ts";
import { userAccount, type CallGrant } from "./account/user-account.ts";
import { AccountView, CACHE_KINDS, type AccountCalls } from "./account-view.ts";
import type { SessionProps } from "./props.ts";

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
      if (typeof value !== "function") return value;
      if (property !== "get" && property !== "getWithMetadata") return value.bind(target);
      return (...args: unknown[]) => {
        meter.kvReads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface ToolContextOptions {
  /** The session's memory of the account; without one (a stateless call) every call asks the account. */
  view?: AccountView;
  /** The session object's name, so the account does not push a bump back to its author. */
  sessionName?: string;
  /** Round trips the request already made before the call (the session object's own). */
  hopsBefore?: number;
  /** The server's origin as the user reached it: consent links point there (default PUBLIC_URL). */
  origin?: string;
}

/**
 * The per-call context of the tools for one signed-in user: a Graph client,
 * the user's cache and services. A call needs the account's token and cache
 * generations; a session remembers them (AccountView), so a warm call makes
 * no account round trip, and a cold one makes exactly one for both.
 */
export function toolContextFactory(
  env: Env,
  props: SessionProps,
  userHash: string,
  options: ToolContextOptions = {},
): () => ToolContext & { meter: HopMeter } {
  const view = options.view ?? new AccountView();
  return () => {
    const meter: HopMeter = { durableObjects: options.hopsBefore ?? 0, kvReads: 0 };
    // The stub's methods, typed as the object's own: every call is one round trip, counted.
    const account = userAccount(env, props.userKey) as unknown as AccountCalls;
    const viaAccount = <T>(call: () => Promise<T>): Promise<T> => {
      meter.durableObjects++;
      return call();
    };
    let grant: Promise<CallGrant> | undefined;
    const prepared = () => (grant ??= view.current(() => viaAccount(() => account.prepareCall(CACHE_KINDS))));
    let token: Promise<AccessTokenResult> | undefined;
    const scopesOf = (call: CallGrant) => (call.token.ok ? call.token.scopes : undefined);
    const origin = options.origin ?? (env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : undefined);
    return {
      meter,
      ...(env.DEV_UPLOAD_SOURCE_PREFIX ? { devUploadSourcePrefix: env.DEV_UPLOAD_SOURCE_PREFIX } : {}),
      graph: new GraphClient(
        env.GRAPH_BASE_URL,
        {
          get: () => (token ??= prepared().then((call) => call.token)),
          renewRejected: (rejected) =>
            (token = viaAccount(() => account.renewRejectedToken(rejected)).then((renewed) => {
              view.renewed(renewed);
              return renewed;
            })),
          admit: (circuit) => viaAccount(() => account.admitCircuit(circuit)),
          recordUpstream: (ok, circuit) => {
            if (!ok) view.forget();
            return viaAccount(() => account.recordUpstream(ok, circuit));
          },
        },
        { timeoutSeconds: Number(env.GRAPH_TIMEOUT_SECONDS) || undefined },
      ),
      services: {
        userHash,
        beginOnce: (scope, key, argsHash, reconcilable) =>
          viaAccount(() => account.beginOnce(scope, key, argsHash, reconcilable)),
        finishOnce: (scope, key, outcome) => viaAccount(() => account.finishOnce(scope, key, outcome)),
        cacheGenerations: async (kinds) => {
          const { generations } = await prepared();
          return Object.fromEntries(kinds.map((kind) => [kind, generations[kind] ?? "0"]));
        },
        bumpCacheGenerations: async (kinds) => {
          view.bumped(await viaAccount(() => account.bumpCacheGenerations(kinds, options.sessionName)));
        },
        metrics: env.METRICS,
        signOut: () => signOutEverywhere(env, props.userKey),
        runtimeConfig: () =>
          readRuntimeConfig(env, { maxAgeMs: configTtlMs(env), onKvRead: () => void meter.kvReads++ }),
      },
      cache: new UserCache(meteredKv(env.CACHE_KV, meter), props.userKey, keyRingOf(env)),
      consent: {
        granted: async () => scopesOf(await prepared()),
        regranted: async () => {
          // The session's memory may predate a consent given a moment ago in the browser.
          view.forget();
          grant = undefined;
          token = undefined;
          return scopesOf(await prepared());
        },
        request: async (scopes, requestedBy) => {
          const answer = await viaAccount(() => account.requestConsent([...scopes], requestedBy, options.sessionName));
          if (!origin) throw new ToolError("internal", "The server does not know its public address (PUBLIC_URL).");
          const url = `${origin}${CONSENT_PATH}?ticket=${encodeURIComponent(answer.ticket)}`;
          return answer.kind === "admin"
            ? { kind: "admin", scopes: answer.adminScopes, url, expiresAt: answer.expiresAt }
            : { kind: "link", url, expiresAt: answer.expiresAt, elicitationId: answer.elicitationId };
        },
      },
      account: async (): Promise<AccountSummary> => {
        const described = await viaAccount(() => account.describe());
        if (!described)
          throw new ToolError("auth_required", "You are not signed in to Microsoft 365. Reconnect to sign in.");
        const wanted = graphScopes(enabledTools(env, await readRuntimeConfig(env, { maxAgeMs: configTtlMs(env) })));
        const missing = missingScopes(wanted, described.scopes);
        return {
          ...described.identity,
          scopes: described.scopes,
          missing,
          needsAdmin: missing.filter((scope) => needsAdmin(scope) || described.adminRefused.includes(scope)),
          tokenExpiresAt: described.expiresAt,
        };
      },
    };
  };
}
