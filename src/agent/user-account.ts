import { DurableObject } from "cloudflare:workers";
import { seal, unseal, type SealedValue } from "../auth/crypto.ts";
import {
  MicrosoftIdentityError,
  refreshMicrosoftToken,
  type MicrosoftIdentity,
  type MicrosoftTokenSet,
} from "../auth/microsoft.ts";

/** Refresh this long before Microsoft's expiry, so a token never dies mid-call. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export type AccessTokenResult =
  | { ok: true; accessToken: string; expiresAt: number; scopes: string[] }
  | { ok: false; code: "auth_required" | "upstream_unavailable"; message: string };

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

  private sealContext(identity: MicrosoftIdentity): string {
    return `microsoft-tokens:${userKeyOf(identity)}`;
  }

  /** Stores the tokens of a completed sign-in, replacing any earlier ones. */
  async saveSignIn(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    await this.persist(identity, tokens);
  }

  /** Who is signed in here and what Microsoft granted; never a token. */
  async describe(): Promise<{ identity: MicrosoftIdentity; scopes: string[]; expiresAt: number } | null> {
    const account = await this.ctx.storage.get<StoredAccount>("account");
    if (!account) return null;
    const tokens = await this.readTokens(account);
    return { identity: account.identity, scopes: tokens.scopes, expiresAt: tokens.expiresAt };
  }

  /** A Microsoft access token valid for at least a few minutes, refreshed when needed. */
  async getAccessToken(): Promise<AccessTokenResult> {
    const account = await this.ctx.storage.get<StoredAccount>("account");
    if (!account) return signInRequired("You are not signed in to Microsoft 365 on this server.");
    const tokens = await this.readTokens(account);
    if (tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) {
      return { ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes };
    }
    return this.refreshOnce(account, tokens);
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

  /** Forgets the user's Microsoft tokens. */
  async signOut(): Promise<void> {
    this.cachedTokens = undefined;
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
      return { ok: true, accessToken: refreshed.accessToken, expiresAt: refreshed.expiresAt, scopes: refreshed.scopes };
    } catch (error) {
      if (error instanceof MicrosoftIdentityError && error.isPermanent) {
        await this.signOut();
        return signInRequired(`Microsoft refused to renew your sign-in (${error.error}: ${error.description}).`);
      }
      const reason = error instanceof MicrosoftIdentityError ? error.description : "unexpected error";
      return {
        ok: false,
        code: "upstream_unavailable",
        message: `Could not renew the Microsoft sign-in: ${reason}. Try again shortly.`,
      };
    }
  }

  private async persist(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    const sealed = await seal(tokens, this.env.TOKEN_ENCRYPTION_KEY, this.sealContext(identity));
    const account: StoredAccount = { identity, tokens: sealed, signedInAt: Date.now() };
    await this.ctx.storage.put("account", account);
    this.cachedTokens = tokens;
  }

  private async readTokens(account: StoredAccount): Promise<MicrosoftTokenSet> {
    this.cachedTokens ??= await unseal<MicrosoftTokenSet>(
      account.tokens,
      this.env.TOKEN_ENCRYPTION_KEY,
      this.sealContext(account.identity),
    );
    return this.cachedTokens;
  }
}

function signInRequired(reason: string): AccessTokenResult {
  return {
    ok: false,
    code: "auth_required",
    message: `${reason} Reconnect this MCP server in your client to sign in again.`,
  };
}
