import type { AccessTokenResult } from "../graph/token-source.ts";
import type { CacheKind } from "../tools/catalog.ts";
import type { CallGrant, UserAccount } from "./account/user-account.ts";

/** Every kind of cached data; one account round trip learns all their generations. */
export const CACHE_KINDS: readonly CacheKind[] = [
  "mail",
  "calendar",
  "contacts",
  "directory",
  "teams",
  "files",
  "tasks",
  "search",
];

/** Refresh this long before the Microsoft token's expiry (the account object refreshes with the same margin). */
const TOKEN_MARGIN_MS = 5 * 60 * 1000;
/** How long the view trusts itself without asking the account, should a pushed bump ever be lost. */
const VIEW_TTL_MS = 60_000;

/**
 * A session's memory of its user's account: the Microsoft access token and
 * the cache generations, as the account object last gave them. A warm call
 * then needs no account round trip at all. The account pushes every
 * generation bump to the user's open sessions; the view is dropped when Graph
 * fails (so the breaker is consulted), when the token nears expiry, and a
 * minute after it was fetched.
 */
export class AccountView {
  private grant: CallGrant | undefined;
  private fetchedAt = 0;

  /** The account's answer, from memory when it is still good, else fetched with `fetch`. */
  async current(fetch: () => Promise<CallGrant>): Promise<CallGrant> {
    const now = Date.now();
    const token = this.grant?.token;
    const usable =
      this.grant &&
      now - this.fetchedAt < VIEW_TTL_MS &&
      token?.ok === true &&
      (token.circuit ?? "closed") === "closed" &&
      token.expiresAt - TOKEN_MARGIN_MS > now;
    if (usable) return this.grant!;
    const grant = await fetch();
    this.grant = grant;
    this.fetchedAt = Date.now();
    return grant;
  }

  /** The account bumped generations (a write in this or another session). */
  bumped(generations: Record<string, string>): void {
    if (this.grant) this.grant = { ...this.grant, generations: { ...this.grant.generations, ...generations } };
  }

  /** A renewed token replaces the remembered one. */
  renewed(token: AccessTokenResult): void {
    if (this.grant) this.grant = { ...this.grant, token };
  }

  /** Graph failed: ask the account (and its breaker) next time. */
  forget(): void {
    this.grant = undefined;
  }
}

/** The account methods a call uses, typed as the object's own. */
export type AccountCalls = Pick<
  UserAccount,
  | "prepareCall"
  | "renewRejectedToken"
  | "admitCircuit"
  | "recordUpstream"
  | "beginOnce"
  | "finishOnce"
  | "bumpCacheGenerations"
  | "describe"
  | "requestConsent"
>;
