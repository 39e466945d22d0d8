import { DurableObject } from "cloudflare:workers";
import { userHashOf } from "../observability.ts";
import { isSealedWithCurrentKey, keyRingOf, seal, unseal, type SealedValue } from "../auth/crypto.ts";
import {
  MicrosoftIdentityError,
  refreshMicrosoftToken,
  type MicrosoftIdentity,
  type MicrosoftTokenSet,
} from "../auth/microsoft.ts";

/** Refresh this long before Microsoft's expiry, so a token never dies mid-call. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * The circuit breaker's answer with a token: "closed" (all well), "probe"
 * (the breaker was open; this call tests whether Graph recovered) or
 * "degraded" (recent failures: report how this call went).
 */
export type CircuitState = "closed" | "probe" | "degraded";

export type AccessTokenResult =
  | { ok: true; accessToken: string; expiresAt: number; scopes: string[]; circuit?: CircuitState }
  | {
      ok: false;
      code: "auth_required" | "upstream_unavailable";
      message: string;
      retryAfterSeconds?: number;
    };

/** Consecutive upstream failures that open the breaker... */
const BREAKER_FAILURES = 5;
/** ...when they fall within this window, */
const BREAKER_WINDOW_MS = 60_000;
/** and how long it then stays open before one probe may pass (CIRCUIT_OPEN_SECONDS overrides). */
const BREAKER_OPEN_MS = 30_000;

/** How long an idempotency key remembers its first result. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** What a repeat of an idempotency key finds. */
export type OnceRecord =
  | { state: "new" }
  | { state: "pending" }
  | { state: "done"; result: unknown }
  | { state: "unknown" }
  | { state: "mismatch" };

interface CacheGenerations {
  /** Changes with every sign-in. */
  epoch: string;
  kinds: Record<string, number>;
}

interface StoredOnce {
  argsHash: string;
  state: "pending" | "done" | "unknown";
  result?: unknown;
  at: number;
}

interface StoredAccount {
  identity: MicrosoftIdentity;
  tokens: SealedValue;
  signedInAt: number;
}

/** The Durable Object name of one Microsoft user: tenant id and object id. */
export function userKeyOf(identity: Pick<MicrosoftIdentity, "tenantId" | "objectId">): string {
  return `${identity.tenantId}.${identity.objectId}`;
}

/** The UserAccount object of one user. */
export function userAccount(env: Env, userKey: string): DurableObjectStub<UserAccount> {
  const namespace = env.USER_ACCOUNT as DurableObjectNamespace<UserAccount>;
  return namespace.get(namespace.idFromName(userKey));
}

/**
 * One per Microsoft user: holds that user's Microsoft tokens (sealed with
 * AES-256-GCM) and refreshes them. A Durable Object is single-threaded and
 * strongly consistent, so however many MCP sessions of the user ask at once,
 * one refresh reaches Microsoft and its rotated refresh token is kept.
 */
export class UserAccount extends DurableObject<Env> {
  private refreshing: Promise<AccessTokenResult> | undefined;
  private cachedTokens: MicrosoftTokenSet | undefined;
  /** Times of the current run of upstream failures (the breaker's memory). */
  private failures: number[] = [];
  private openUntil = 0;
  private probing = false;

  private sealContext(identity: MicrosoftIdentity): string {
    return `microsoft-tokens:${userKeyOf(identity)}`;
  }

  /** Stores the tokens of a completed sign-in, replacing any earlier ones. */
  async saveSignIn(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    await this.persist(identity, tokens);
    // A new sign-in starts with a clean slate: no remembered outage, a fresh cache epoch.
    this.failures = [];
    this.openUntil = 0;
    this.probing = false;
    const epoch = crypto.randomUUID().slice(0, 8);
    await this.ctx.storage.put("cache-generations", { epoch, kinds: {} } satisfies CacheGenerations);
  }

  /** Who is signed in here and what Microsoft granted; never a token. */
  async describe(): Promise<{ identity: MicrosoftIdentity; scopes: string[]; expiresAt: number } | null> {
    const account = await this.ctx.storage.get<StoredAccount>("account");
    if (!account) return null;
    const tokens = await this.readTokens(account);
    return { identity: account.identity, scopes: tokens.scopes, expiresAt: tokens.expiresAt };
  }

  /**
   * A Microsoft access token valid for at least a few minutes, refreshed when
   * needed, unless the circuit breaker is open: then the call is refused
   * without reaching Microsoft, with the time until the next probe.
   */
  async getAccessToken(): Promise<AccessTokenResult> {
    const circuit = this.admit();
    if (typeof circuit === "number") {
      return {
        ok: false,
        code: "upstream_unavailable",
        message: `Microsoft Graph failed ${BREAKER_FAILURES} times in a row for your account, so calls are paused for ${circuit} seconds to let it recover.`,
        retryAfterSeconds: circuit,
      };
    }
    const account = await this.ctx.storage.get<StoredAccount>("account");
    if (!account) return signInRequired("You are not signed in to Microsoft 365 on this server.");
    const tokens = await this.readTokens(account);
    const result =
      tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()
        ? ({ ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes } as const)
        : await this.refreshOnce(account, tokens);
    return result.ok ? { ...result, circuit } : result;
  }

  private openMs(): number {
    const seconds = Number(this.env.CIRCUIT_OPEN_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : BREAKER_OPEN_MS;
  }

  /** The breaker's verdict for one call: a state, or the seconds it stays open. */
  private admit(): CircuitState | number {
    const now = Date.now();
    if (this.openUntil > now) return Math.ceil((this.openUntil - now) / 1000);
    if (this.openUntil > 0) {
      // Half-open: one call probes Graph; the others wait for its outcome.
      if (this.probing) return Math.max(1, Math.ceil(this.openMs() / 1000 / 6));
      this.probing = true;
      return "probe";
    }
    return this.failures.length > 0 ? "degraded" : "closed";
  }

  /**
   * How a call that reached Graph went: `false` when Graph was unavailable
   * (5xx, timeout, unreachable) after retries. Opens the breaker after
   * BREAKER_FAILURES failures within BREAKER_WINDOW_MS; a success closes it.
   */
  async recordUpstream(ok: boolean): Promise<void> {
    const now = Date.now();
    if (ok) {
      this.failures = [];
      this.openUntil = 0;
      this.probing = false;
      return;
    }
    this.failures = [...this.failures.filter((at) => now - at < BREAKER_WINDOW_MS), now];
    if (this.probing || this.failures.length >= BREAKER_FAILURES) {
      this.openUntil = now + this.openMs();
      this.probing = false;
      console.log(
        JSON.stringify({ event: "circuit_open", failures: this.failures.length, seconds: BREAKER_OPEN_MS / 1000 }),
      );
    }
  }

  /**
   * Claims an idempotency key for a call with these arguments. "new": go
   * ahead and call {@link finishOnce}; "done": the first call's result;
   * "pending": the first call is still running; "unknown": the first call may
   * or may not have acted; "mismatch": the key was used with other arguments.
   */
  async beginOnce(scope: string, key: string, argsHash: string): Promise<OnceRecord> {
    const storageKey = `once:${scope}:${key}`;
    const stored = await this.ctx.storage.get<StoredOnce>(storageKey);
    if (stored && Date.now() - stored.at < IDEMPOTENCY_TTL_MS) {
      if (stored.argsHash !== argsHash) return { state: "mismatch" };
      if (stored.state === "done") return { state: "done", result: stored.result };
      return { state: stored.state };
    }
    await this.ctx.storage.put(storageKey, { argsHash, state: "pending", at: Date.now() } satisfies StoredOnce);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + IDEMPOTENCY_TTL_MS);
    return { state: "new" };
  }

  /**
   * Ends a claimed key: "done" keeps the result for repeats, "unknown" marks
   * a call that may have acted (a write that timed out), "forget" releases
   * the key of a call that certainly did nothing.
   */
  async finishOnce(
    scope: string,
    key: string,
    outcome: { state: "done"; result: unknown } | { state: "unknown" } | { state: "forget" },
  ): Promise<void> {
    const storageKey = `once:${scope}:${key}`;
    if (outcome.state === "forget") {
      await this.ctx.storage.delete(storageKey);
      return;
    }
    const stored = await this.ctx.storage.get<StoredOnce>(storageKey);
    if (!stored) return;
    await this.ctx.storage.put(storageKey, { ...stored, ...outcome } satisfies StoredOnce);
  }

  /** Drops idempotency records older than their 24 hours. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let oldest = Infinity;
    const records = await this.ctx.storage.list<StoredOnce>({ prefix: "once:" });
    const expired: string[] = [];
    for (const [key, record] of records) {
      if (now - record.at >= IDEMPOTENCY_TTL_MS) expired.push(key);
      else oldest = Math.min(oldest, record.at);
    }
    for (let i = 0; i < expired.length; i += 128) await this.ctx.storage.delete(expired.slice(i, i + 128));
    if (oldest !== Infinity) await this.ctx.storage.setAlarm(oldest + IDEMPOTENCY_TTL_MS);
  }

  /**
   * The current generation of each cached kind. A write bumps the kinds it
   * changes and a new sign-in starts a new epoch, orphaning older entries.
   */
  async cacheGenerations(kinds: readonly string[]): Promise<Record<string, string>> {
    const stored = await this.ctx.storage.get<CacheGenerations>("cache-generations");
    const epoch = stored?.epoch ?? "0";
    return Object.fromEntries(kinds.map((kind) => [kind, `${epoch}.${stored?.kinds[kind] ?? 0}`]));
  }

  async bumpCacheGenerations(kinds: readonly string[]): Promise<void> {
    const stored = (await this.ctx.storage.get<CacheGenerations>("cache-generations")) ?? { epoch: "0", kinds: {} };
    for (const kind of kinds) stored.kinds[kind] = (stored.kinds[kind] ?? 0) + 1;
    await this.ctx.storage.put("cache-generations", stored);
  }

  /**
   * Graph refused `rejectedToken` as expired or invalid. Refreshes, unless a
   * concurrent call already replaced that token, in which case the new one is returned.
   */
  async renewRejectedToken(rejectedToken: string): Promise<AccessTokenResult> {
    const account = await this.ctx.storage.get<StoredAccount>("account");
    if (!account) return signInRequired("You are not signed in to Microsoft 365 on this server.");
    const tokens = await this.readTokens(account);
    if (tokens.accessToken !== rejectedToken && tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) {
      return { ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes };
    }
    return this.refreshOnce(account, tokens);
  }

  /** Answers health checks: the object is reachable. */
  async ping(): Promise<"ok"> {
    return "ok";
  }

  /** Forgets everything of the user: Microsoft tokens, idempotency records, cache generations. */
  async signOut(): Promise<void> {
    this.cachedTokens = undefined;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  private refreshOnce(account: StoredAccount, tokens: MicrosoftTokenSet): Promise<AccessTokenResult> {
    this.refreshing ??= this.refresh(account, tokens).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(account: StoredAccount, tokens: MicrosoftTokenSet): Promise<AccessTokenResult> {
    try {
      const refreshed = await refreshMicrosoftToken(this.env, tokens);
      await this.persist(account.identity, refreshed);
      await this.logRefresh(account, "ok");
      return { ok: true, accessToken: refreshed.accessToken, expiresAt: refreshed.expiresAt, scopes: refreshed.scopes };
    } catch (error) {
      if (error instanceof MicrosoftIdentityError && error.isPermanent) {
        // The sign-in is dead: revoke the user's MCP grants too, so their
        // clients get 401 on the next request and start a new sign-in.
        const userKey = userKeyOf(account.identity);
        await this.logRefresh(account, "refused");
        await this.signOut();
        this.ctx.waitUntil(
          import("../auth/logout.ts")
            .then(({ revokeGrantsOf }) => revokeGrantsOf(this.env, userKey))
            .catch(() => undefined),
        );
        return signInRequired(`Microsoft refused to renew your sign-in (${error.error}: ${error.description}).`);
      }
      const reason = error instanceof MicrosoftIdentityError ? error.description : "unexpected error";
      await this.logRefresh(account, "failed");
      return {
        ok: false,
        code: "upstream_unavailable",
        message: `Could not renew the Microsoft sign-in: ${reason}. Try again shortly.`,
      };
    }
  }

  /** Counts refreshes: a log line, and a data point where Analytics Engine is bound. */
  private async logRefresh(account: StoredAccount, outcome: "ok" | "refused" | "failed"): Promise<void> {
    const user = await userHashOf(userKeyOf(account.identity));
    console.log(JSON.stringify({ event: "token_refresh", user, outcome }));
    this.env.METRICS?.writeDataPoint({ blobs: ["token_refresh", outcome], doubles: [1], indexes: [user] });
  }

  private async persist(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    const sealed = await seal(tokens, keyRingOf(this.env), this.sealContext(identity));
    const account: StoredAccount = { identity, tokens: sealed, signedInAt: Date.now() };
    await this.ctx.storage.put("account", account);
    this.cachedTokens = tokens;
  }

  private async readTokens(account: StoredAccount): Promise<MicrosoftTokenSet> {
    if (this.cachedTokens) return this.cachedTokens;
    const ring = keyRingOf(this.env);
    const tokens = await unseal<MicrosoftTokenSet>(account.tokens, ring, this.sealContext(account.identity));
    // Sealed with a previous key during a rotation: reseal with the current one, keeping the sign-in.
    if (!(await isSealedWithCurrentKey(account.tokens, ring))) {
      await this.ctx.storage.put("account", {
        ...account,
        tokens: await seal(tokens, ring, this.sealContext(account.identity)),
      });
    }
    this.cachedTokens = tokens;
    return tokens;
  }
}

function signInRequired(reason: string): AccessTokenResult {
  return {
    ok: false,
    code: "auth_required",
    message: `${reason} Reconnect this MCP server in your client to sign in again.`,
  };
}
