import { seal, unseal, type KeyRing, type SealedValue } from "../shared/crypto.ts";
import { sha256Hex } from "../shared/text.ts";

/** KV's shortest expiration. */
const MIN_TTL_SECONDS = 60;

/**
 * Per-user cache of Graph reads in CACHE_KV. Keys hash the user, values are
 * sealed with the user bound in, so an entry never serves another user.
 */
export class UserCache {
  private readonly kv: KVNamespace;
  private readonly userKey: string;
  private readonly secret: KeyRing;

  constructor(kv: KVNamespace, userKey: string, secret: KeyRing) {
    this.kv = kv;
    this.userKey = userKey;
    this.secret = secret;
  }

  private async storageKey(name: string): Promise<string> {
    return `cache:${await sha256Hex(this.userKey)}:${name}`;
  }

  /** The cached value of `name`, or `load()`'s, stored for `ttlSeconds`. */
  async read<T>(name: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const key = await this.storageKey(name);
    const context = `cache:${this.userKey}:${name}`;
    const stored = await this.kv.get<SealedValue>(key, "json");
    if (stored) {
      try {
        return await unseal<T>(stored, this.secret, context);
      } catch {
        // Sealed under another key or for another context: treat as a miss.
      }
    }
    const value = await load();
    await this.kv.put(key, JSON.stringify(await seal(value, this.secret, context)), {
      expirationTtl: Math.max(MIN_TTL_SECONDS, ttlSeconds),
    });
    return value;
  }

  /** Deletes every cached entry of this user; returns how many. */
  async clear(): Promise<number> {
    const prefix = await this.storageKey("");
    let deleted = 0;
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix, ...(cursor ? { cursor } : {}) });
      await Promise.all(page.keys.map((key) => this.kv.delete(key.name)));
      deleted += page.keys.length;
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return deleted;
  }
}
