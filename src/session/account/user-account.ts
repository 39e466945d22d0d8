import { DurableObject } from "cloudflare:workers";
import { revokeGrantsOf } from "../../auth/grants.ts";
import { forgetUserName } from "../../auth/user-index.ts";
import {
  MicrosoftIdentityError,
  refreshMicrosoftToken,
  type MicrosoftIdentity,
  type MicrosoftTokenSet,
} from "../../auth/microsoft.ts";
import { UserCache } from "../../graph/cache.ts";
import type { AccessTokenResult, CircuitState } from "../../graph/token-source.ts";
import { keyRingOf } from "../../shared/crypto.ts";
import { missingScopes } from "../../shared/permissions.ts";
import { userHashOf } from "../../observability.ts";
import { CircuitBreaker } from "./breaker.ts";
import { CacheGenerations, generationOf } from "./cache-generations.ts";
import { OnceRecords, type OnceOutcome, type OnceRecord } from "./once-records.ts";
import { endSessions, grantChanged, pushGenerations, SessionRegistry } from "./session-registry.ts";
import { StepUps, STEP_UP_TTL_MS, ticketIndexKey, type StepUp } from "./step-ups.ts";
import { TokenStore, userKeyOf } from "./token-store.ts";

export { userKeyOf } from "./token-store.ts";

/** Refresh this long before Microsoft's expiry, so a token never dies mid-call. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Everything one tool call needs from the account, in one round trip. */
export interface CallGrant {
  token: AccessTokenResult;
  /** Cache generation of each kind the call asked about. */
  generations: Record<string, string>;
}

/** What a call lacking permissions gets from the account: a consent link's ticket, and whether an administrator stands in the way. */
export interface ConsentTicket {
  kind: "link" | "admin";
  ticket: string;
  expiresAt: number;
  elicitationId: string;
  /** kind "admin": the permissions Microsoft said only an administrator can grant. */
  adminScopes: string[];
}

/** What the step-up page shows of a link: whose it is and what it adds now. */
export interface StepUpView {
  username: string;
  requestedBy: string;
  /** The link's permissions the account still lacks. */
  adding: string[];
}

/** Where Microsoft said only an administrator can grant a permission; asked again after this long. */
const ADMIN_REFUSAL_KEY = "admin-refused";

/** The UserAccount object of one user. */
export function userAccount(env: Env, userKey: string): DurableObjectStub<UserAccount> {
  const namespace = env.USER_ACCOUNT as DurableObjectNamespace<UserAccount>;
  return namespace.get(namespace.idFromName(userKey));
}

/**
 * One per Microsoft user, composed of its token store, circuit breaker,
 * idempotency records, cache generations and the registry of open sessions.
 * A Durable Object is single-threaded and strongly consistent, so however
 * many sessions of the user ask at once, one refresh reaches Microsoft and
 * its rotated refresh token is kept.
 */
export class UserAccount extends DurableObject<Env> {
  private readonly tokens: TokenStore;
  private readonly breaker: CircuitBreaker;
  private readonly once: OnceRecords;
  private readonly generations: CacheGenerations;
  private readonly sessions: SessionRegistry;
  private readonly stepUps: StepUps;
  private refreshing: Promise<AccessTokenResult> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.tokens = new TokenStore(ctx.storage, env);
    this.breaker = new CircuitBreaker(env.CIRCUIT_OPEN_SECONDS);
    // A write that timed out may still be running at Microsoft: it is checked no sooner than one Graph timeout later.
    this.once = new OnceRecords(ctx.storage, (Number(env.GRAPH_TIMEOUT_SECONDS) || 20) * 1000);
    this.generations = new CacheGenerations(ctx.storage);
    this.sessions = new SessionRegistry(ctx.storage);
    this.stepUps = new StepUps(ctx.storage);
  }

  /**
   * Stores the tokens of a completed sign-in, replacing any earlier ones, with
   * a clean slate. A sign-in asks for the base permissions only: those the
   * user added since (consent on demand) are carried over by a refresh, which
   * Entra grants for any permission already consented to.
   */
  async saveSignIn(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    const previous = await this.tokens.read().catch(() => null);
    const earlier = previous ? missingScopes(previous.tokens.scopes, tokens.scopes) : [];
    if (earlier.length > 0) {
      tokens = await refreshMicrosoftToken(this.env, { ...tokens, scopes: [...tokens.scopes, ...earlier] }).catch(
        () => tokens,
      );
    }
    await this.tokens.save(identity, tokens);
    this.breaker.reset();
    await this.generations.newEpoch();
  }

  /** Who is signed in here, what Microsoft granted, and what it said needs an administrator; never a token. */
  async describe(): Promise<{
    identity: MicrosoftIdentity;
    scopes: string[];
    expiresAt: number;
    adminRefused: string[];
  } | null> {
    const current = await this.tokens.read();
    if (!current) return null;
    return {
      identity: current.identity,
      scopes: current.tokens.scopes,
      expiresAt: current.tokens.expiresAt,
      adminRefused: await this.adminRefused(),
    };
  }

  /**
   * A consent link for `scopes` a call lacks: a single-use ticket its URL
   * carries (only its hash is kept, here and in OAUTH_KV, which names the
   * user for the link's pages). "admin" when Microsoft already said only an
   * administrator can grant one of them; the link then picks up a later grant.
   */
  async requestConsent(scopes: string[], requestedBy: string, sessionName?: string): Promise<ConsentTicket> {
    const current = await this.tokens.read();
    if (!current) throw new Error("requestConsent without a signed-in user");
    const { ticket, step } = await this.stepUps.open({
      scopes,
      requestedBy,
      ...(sessionName ? { sessionName } : {}),
    });
    await this.env.OAUTH_KV.put(await ticketIndexKey(ticket), userKeyOf(current.identity), {
      expirationTtl: STEP_UP_TTL_MS / 1000,
    });
    const refused = await this.adminRefused();
    const adminScopes = scopes.filter((scope) => refused.includes(scope));
    return {
      kind: adminScopes.length > 0 ? "admin" : "link",
      ticket,
      expiresAt: step.expiresAt,
      elicitationId: step.elicitationId,
      adminScopes,
    };
  }

  /** What the link `ticket` adds, for its page; null once it is used or expired. */
  async describeStepUp(ticket: string): Promise<StepUpView | null> {
    const [current, step] = [await this.tokens.read(), await this.stepUps.peek(ticket)];
    if (!current || !step) return null;
    return {
      username: current.identity.username,
      requestedBy: step.requestedBy,
      adding: missingScopes(step.scopes, current.tokens.scopes),
    };
  }

  /**
   * The Microsoft authorization a link starts: every permission held plus the
   * link's (Entra asks the person only about the new ones), for this account.
   */
  async startStepUp(
    ticket: string,
  ): Promise<{ challenge: string; loginHint: string; scopes: string[]; adding: string[] } | null> {
    const current = await this.tokens.read();
    const started = current ? await this.stepUps.start(ticket) : undefined;
    if (!current || !started) return null;
    return {
      challenge: started.challenge,
      loginHint: current.identity.username,
      scopes: [...new Set([...current.tokens.scopes, ...started.step.scopes])],
      adding: missingScopes(started.step.scopes, current.tokens.scopes),
    };
  }

  /** Uses the link up as Microsoft's answer arrives: its record the first time, null ever after. */
  async claimStepUp(ticket: string): Promise<StepUp | null> {
    return (await this.stepUps.claim(ticket)) ?? null;
  }

  /**
   * Microsoft's tokens for a followed link. They replace the account's only
   * when they are this account's: a link cannot attach another person.
   * The user's sessions forget their remembered token, and the one that asked
   * hears that its URL elicitation completed.
   */
  async completeStepUp(
    identity: MicrosoftIdentity,
    tokens: MicrosoftTokenSet,
    step: StepUp,
  ): Promise<"ok" | "other_account" | "signed_out"> {
    const current = await this.tokens.read();
    if (!current) return "signed_out";
    if (userKeyOf(identity) !== userKeyOf(current.identity)) return "other_account";
    const kept = missingScopes(current.tokens.scopes, tokens.scopes);
    await this.tokens.save(current.identity, { ...tokens, scopes: [...tokens.scopes, ...kept] });
    this.breaker.reset();
    const refused = await this.adminRefused();
    await this.ctx.storage.put(ADMIN_REFUSAL_KEY, missingScopes(refused, tokens.scopes));
    const names = await this.sessions.names();
    this.ctx.waitUntil(grantChanged(this.env, names, step.sessionName, step.elicitationId));
    return "ok";
  }

  /** Microsoft answered a link that only an administrator can grant these: calls needing them say so. */
  async recordAdminRefusal(scopes: string[]): Promise<void> {
    const refused = await this.adminRefused();
    await this.ctx.storage.put(ADMIN_REFUSAL_KEY, [...new Set([...refused, ...scopes])]);
  }

  private async adminRefused(): Promise<string[]> {
    return (await this.ctx.storage.get<string[]>(ADMIN_REFUSAL_KEY)) ?? [];
  }

  /** A call's token and cache generations together: the one account round trip of a warm call. */
  async prepareCall(kinds: readonly string[]): Promise<CallGrant> {
    const generations = await this.generations.current();
    return {
      token: await this.getAccessToken(),
      generations: Object.fromEntries(kinds.map((kind) => [kind, generationOf(generations, kind)])),
    };
  }

  /**
   * A Microsoft access token valid for at least a few minutes, refreshed when
   * needed, with the circuit breaker's summary: "closed" when no circuit has
   * recent failures, else the call asks {@link admitCircuit} before each request.
   */
  async getAccessToken(): Promise<AccessTokenResult> {
    const current = await this.tokens.read();
    if (!current) return signInRequired("You are not signed in to Microsoft 365 on this server.");
    const { tokens } = current;
    const result =
      tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()
        ? ({ ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes } as const)
        : await this.refreshOnce(current.identity, tokens);
    return result.ok ? { ...result, circuit: this.breaker.summary() } : result;
  }

  /** Whether a request on `circuit` ("mail:write") may go to Graph, or the seconds its circuit stays open. */
  async admitCircuit(circuit: string): Promise<CircuitState | number> {
    return this.breaker.admit(circuit);
  }

  /**
   * Graph refused `rejectedToken` as expired or invalid. Refreshes, unless a
   * concurrent call already replaced that token, in which case the new one is returned.
   */
  async renewRejectedToken(rejectedToken: string): Promise<AccessTokenResult> {
    const current = await this.tokens.read();
    if (!current) return signInRequired("You are not signed in to Microsoft 365 on this server.");
    const { tokens } = current;
    if (tokens.accessToken !== rejectedToken && tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) {
      return { ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes };
    }
    return this.refreshOnce(current.identity, tokens);
  }

  /** How a request on `circuit` that reached Graph went; feeds the circuit breaker. */
  async recordUpstream(ok: boolean, circuit: string): Promise<void> {
    this.breaker.record(circuit, ok);
  }

  async beginOnce(scope: string, key: string, argsHash: string, reconcilable: boolean): Promise<OnceRecord> {
    const record = await this.once.begin(scope, key, argsHash, reconcilable);
    if (record.state === "new" && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + 24 * 60 * 60 * 1000);
    }
    return record;
  }

  async finishOnce(scope: string, key: string, outcome: OnceOutcome): Promise<number | undefined> {
    return this.once.finish(scope, key, outcome);
  }

  /** Drops idempotency records past their 24 hours. */
  override async alarm(): Promise<void> {
    const next = await this.once.expire();
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  async cacheGenerations(kinds: readonly string[]): Promise<Record<string, string>> {
    const generations = await this.generations.current();
    return Object.fromEntries(kinds.map((kind) => [kind, generationOf(generations, kind)]));
  }

  /**
   * A write made `kinds` stale: bumps them, returns the new generations, and
   * tells the user's other open sessions, whose memory of them must not serve
   * stale reads.
   */
  async bumpCacheGenerations(kinds: readonly string[], fromSession?: string): Promise<Record<string, string>> {
    await this.generations.bump(kinds);
    const current = await this.generations.current();
    const bumped = Object.fromEntries(kinds.map((kind) => [kind, generationOf(current, kind)]));
    const others = (await this.sessions.names()).filter((name) => name !== fromSession);
    if (others.length > 0) this.ctx.waitUntil(pushGenerations(this.env, others, bumped));
    return bumped;
  }

  /** A session of this user opened under a grant (its object name): sign-out, or revoking the grant, ends it. */
  async addSession(name: string, grantId: string): Promise<void> {
    await this.sessions.add(name, grantId);
  }

  /**
   * One grant was revoked (a replayed refresh token): ends that grant's
   * sessions, leaving the user's other clients signed in; returns how many.
   */
  async endGrantSessions(grantId: string, reason = "grant_revoked"): Promise<number> {
    return endSessions(this.env, await this.sessions.names(grantId), reason);
  }

  async removeSession(name: string): Promise<void> {
    await this.sessions.remove(name);
  }

  /** Answers health checks: the object is reachable. */
  async ping(): Promise<"ok"> {
    return "ok";
  }

  /**
   * Forgets everything of the user (Microsoft tokens, idempotency records,
   * cache generations) and ends every open session; returns how many ended.
   */
  async signOut(reason = "signed_out"): Promise<number> {
    const names = await this.sessions.names();
    this.tokens.forget();
    this.generations.forget();
    this.breaker.reset();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    return endSessions(this.env, names, reason);
  }

  private refreshOnce(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<AccessTokenResult> {
    this.refreshing ??= this.refresh(identity, tokens).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<AccessTokenResult> {
    try {
      const refreshed = await refreshMicrosoftToken(this.env, tokens);
      await this.tokens.save(identity, refreshed);
      await this.logRefresh(identity, "ok");
      return { ok: true, accessToken: refreshed.accessToken, expiresAt: refreshed.expiresAt, scopes: refreshed.scopes };
    } catch (error) {
      if (error instanceof MicrosoftIdentityError && error.isPermanent) {
        // The sign-in is dead: revoke the user's MCP grants and end their
        // sessions, so their clients get 401 and start a new sign-in.
        await this.logRefresh(identity, "refused");
        const userKey = userKeyOf(identity);
        await this.signOut("sign_in_expired");
        this.ctx.waitUntil(
          Promise.all([
            revokeGrantsOf(this.env, userKey),
            forgetUserName(this.env, userKey),
            new UserCache(this.env.CACHE_KV, userKey, keyRingOf(this.env)).clear(),
          ]).catch(() => undefined),
        );
        return signInRequired(`Microsoft refused to renew your sign-in (${error.error}: ${error.description}).`);
      }
      const reason = error instanceof MicrosoftIdentityError ? error.description : "unexpected error";
      await this.logRefresh(identity, "failed");
      return {
        ok: false,
        code: "upstream_unavailable",
        message: `Could not renew the Microsoft sign-in: ${reason}. Try again shortly.`,
      };
    }
  }

  /** Counts refreshes: a log line, and a data point where Analytics Engine is bound. */
  private async logRefresh(identity: MicrosoftIdentity, outcome: "ok" | "refused" | "failed"): Promise<void> {
    const user = await userHashOf(userKeyOf(identity));
    console.log(JSON.stringify({ event: "token_refresh", user, outcome }));
    this.env.METRICS?.writeDataPoint({ blobs: ["token_refresh", outcome], doubles: [1], indexes: [user] });
  }
}

function signInRequired(reason: string): AccessTokenResult {
  return {
    ok: false,
    code: "auth_required",
    message: `${reason} Reconnect this MCP server in your client to sign in again.`,
  };
}
