import type { OnceRecord } from "../../tools/catalog.ts";

export type { OnceRecord };

/** How long an idempotency key remembers its first result. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type OnceOutcome = { state: "done"; result: unknown } | { state: "unknown" } | { state: "forget" };

interface StoredOnce {
  argsHash: string;
  state: "pending" | "done" | "unknown";
  result?: unknown;
  at: number;
}

const PREFIX = "once:";

/** Idempotency records of one user, in the account object's storage, each kept for 24 hours. */
export class OnceRecords {
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /**
   * Claims a key for a call with these arguments. "new": go ahead and call
   * {@link finish}; "done": the first call's result; "pending": the first call
   * is still running; "unknown": it may or may not have acted; "mismatch": the
   * key was used with other arguments.
   */
  async begin(scope: string, key: string, argsHash: string): Promise<OnceRecord> {
    const storageKey = `${PREFIX}${scope}:${key}`;
    const stored = await this.storage.get<StoredOnce>(storageKey);
    if (stored && Date.now() - stored.at < IDEMPOTENCY_TTL_MS) {
      if (stored.argsHash !== argsHash) return { state: "mismatch" };
      if (stored.state === "done") return { state: "done", result: stored.result };
      return { state: stored.state };
    }
    await this.storage.put(storageKey, { argsHash, state: "pending", at: Date.now() } satisfies StoredOnce);
    return { state: "new" };
  }

  /** Ends a claimed key: "done" keeps the result, "unknown" marks a call that may have acted, "forget" releases it. */
  async finish(scope: string, key: string, outcome: OnceOutcome): Promise<void> {
    const storageKey = `${PREFIX}${scope}:${key}`;
    if (outcome.state === "forget") {
      await this.storage.delete(storageKey);
      return;
    }
    const stored = await this.storage.get<StoredOnce>(storageKey);
    if (!stored) return;
    await this.storage.put(storageKey, { ...stored, ...outcome } satisfies StoredOnce);
  }

  /** Drops records past their 24 hours; returns when the oldest remaining one expires, if any. */
  async expire(now = Date.now()): Promise<number | undefined> {
    let oldest = Infinity;
    const expired: string[] = [];
    for (const [key, record] of await this.storage.list<StoredOnce>({ prefix: PREFIX })) {
      if (now - record.at >= IDEMPOTENCY_TTL_MS) expired.push(key);
      else oldest = Math.min(oldest, record.at);
    }
    for (let i = 0; i < expired.length; i += 128) await this.storage.delete(expired.slice(i, i + 128));
    return oldest === Infinity ? undefined : oldest + IDEMPOTENCY_TTL_MS;
  }
}
