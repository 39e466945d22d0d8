import { seal, unseal, type KeyRing, type SealedValue } from "../shared/crypto.ts";
import { sha256Hex } from "../shared/text.ts";

/** KV's shortest expiration. */
const MIN_TTL_SECONDS = 60;

/** Entries this isolate keeps unsealed in memory in front of KV, oldest dropped first. */
const MEMORY_ENTRIES = 256;
const inMemory = new Map<string, { value: unknown; expiresAt: number }>();

function remember(key: string, value: unknown, ttlSeconds: number): void {
  inMemory.delete(key);
  inMemory.set(key, { value: structuredClone(value), expiresAt: Date.now() + ttlSeconds * 1000 });
  if (inMemory.size > MEMORY_ENTRIES) inMemory.delete(inMemory.keys().next().value!);
}

/**
 * Per-user cache of Graph reads in CACHE_KV. Keys hash the user, values are
 * sealed with the user bound in, so an entry never serves another user. The
 * isolate also keeps recent entries unsealed in memory for the same time, so
 * a session's repeat read costs no KV round trip.
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
    const recent = inMemory.get(key);
    if (recent && recent.expiresAt > Date.now()) return structuredClone(recent.value) as T;
    const context = `cache:${this.userKey}:${name}`;
    const stored = await this.kv.get<SealedValue>(key, "json");
    if (stored) {
      try {
        const value = await unseal<T>(stored, this.secret, context);
        remember(key, value, ttlSeconds);
        return value;
      } catch {
        // Sealed under another key or for another context: treat as a miss.
      }
    }
    const value = await load();
    await this.kv.put(key, JSON.stringify(await seal(value, this.secret, context)), {
      expirationTtl: Math.max(MIN_TTL_SECONDS, ttlSeconds),
    });
    remember(key, value, ttlSeconds);
    return value;
  }

  /** Stores `value` under `name` for `ttlSeconds`, sealed like every entry. */
  async remember(name: string, value: unknown, ttlSeconds: number): Promise<void> {
    const key = await this.storageKey(name);
    const sealed = await seal(value, this.secret, `cache:${this.userKey}:${name}`);
    await this.kv.put(key, JSON.stringify(sealed), { expirationTtl: Math.max(MIN_TTL_SECONDS, ttlSeconds) });
    remember(key, value, ttlSeconds);
  }

  /** The value stored under `name`, or undefined when there is none (or it cannot be opened). */
  async recall<T>(name: string): Promise<T | undefined> {
    const key = await this.storageKey(name);
    const recent = inMemory.get(key);
    if (recent && recent.expiresAt > Date.now()) return structuredClone(recent.value) as T;
    const stored = await this.kv.get<SealedValue>(key, "json");
    if (!stored) return undefined;
    try {
      return await unseal<T>(stored, this.secret, `cache:${this.userKey}:${name}`);
    } catch {
      return undefined;
    }
  }

  /** Deletes every cached entry of this user; returns how many. */
  async clear(): Promise<number> {
    const prefix = await this.storageKey("");
    for (const key of [...inMemory.keys()]) if (key.startsWith(prefix)) inMemory.delete(key);
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
