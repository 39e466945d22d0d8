import { isSealedWithCurrentKey, keyRingOf, seal, unseal, type SealedValue } from "../../shared/crypto.ts";
import type { MicrosoftIdentity, MicrosoftTokenSet } from "../../auth/microsoft.ts";

interface StoredAccount {
  identity: MicrosoftIdentity;
  tokens: SealedValue;
  signedInAt: number;
}

const KEY = "account";

/** The Durable Object name of one Microsoft user: tenant id and object id. */
export function userKeyOf(identity: Pick<MicrosoftIdentity, "tenantId" | "objectId">): string {
  return `${identity.tenantId}.${identity.objectId}`;
}

/**
 * One user's Microsoft tokens, sealed with AES-256-GCM at rest (bound to the
 * user) and kept unsealed in memory while the object lives. A value sealed
 * with a previous key during a rotation is resealed with the current one.
 */
export class TokenStore {
  private account: StoredAccount | null | undefined;
  private tokens: MicrosoftTokenSet | undefined;

  private readonly storage: DurableObjectStorage;
  private readonly env: Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEYS_PREVIOUS">;

  constructor(
    storage: DurableObjectStorage,
    env: Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEYS_PREVIOUS">,
  ) {
    this.storage = storage;
    this.env = env;
  }

  private context(identity: MicrosoftIdentity): string {
    return `microsoft-tokens:${userKeyOf(identity)}`;
  }

  /** Who is signed in, or null. */
  async identity(): Promise<MicrosoftIdentity | null> {
    if (this.account === undefined) this.account = (await this.storage.get<StoredAccount>(KEY)) ?? null;
    return this.account?.identity ?? null;
  }

  /** The current token set, or null when no one is signed in. */
  async read(): Promise<{ identity: MicrosoftIdentity; tokens: MicrosoftTokenSet } | null> {
    const identity = await this.identity();
    const account = this.account;
    if (!identity || !account) return null;
    if (!this.tokens) {
      const ring = keyRingOf(this.env);
      this.tokens = await unseal<MicrosoftTokenSet>(account.tokens, ring, this.context(identity));
      if (!(await isSealedWithCurrentKey(account.tokens, ring))) await this.save(identity, this.tokens);
    }
    return { identity, tokens: this.tokens };
  }

  async save(identity: MicrosoftIdentity, tokens: MicrosoftTokenSet): Promise<void> {
    const sealed = await seal(tokens, keyRingOf(this.env), this.context(identity));
    this.account = { identity, tokens: sealed, signedInAt: Date.now() };
    await this.storage.put(KEY, this.account);
    this.tokens = tokens;
  }

  forget(): void {
    this.account = null;
    this.tokens = undefined;
  }
}
