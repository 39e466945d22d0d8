import { seal, unseal, type SealedValue } from "../auth/crypto.ts";

/** KV's shortest expiration. */
const MIN_TTL_SECONDS = 60;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Per-user cache of Graph reads in CACHE_KV. Keys hash the user, values are
 * sealed with the user bound in, so an entry never serves another user.
 */
export class UserCache {
  private readonly kv: KVNamespace;
  private readonly userKey: string;
  private readonly secret: string;

  constructor(kv: KVNamespace, userKey: string, secret: string) {
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
}
