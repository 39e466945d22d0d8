import type { OnceOutcome, OnceRecord } from "../../tools/catalog.ts";

export type { OnceOutcome, OnceRecord };

/** How long an idempotency key remembers its first result. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A call still "running" after this long died with its Worker: treat it as one that may have acted. */
const PENDING_STALE_MS = 15 * 60 * 1000;
/** What a repeat that meets a running call is told to wait. */
const PENDING_RETRY_SECONDS = 2;

interface StoredOnce {
  argsHash: string;
  state: "pending" | "done" | "unknown";
  result?: unknown;
  /** When the key was claimed: names its marker, and every attempt started after it. */
  at: number;
  /** When the running attempt started. */
  attemptAt: number;
  /** state "unknown": no check before this, so that a request Graph is still working on lands first. */
  settleUntil?: number;
  /** The marker went out with a write that may have acted: the record outlives attempts that send nothing. */
  exposed?: boolean;
}

const PREFIX = "once:";

/** The marker of a key's use: a hash of the tool, the key and when it was claimed, 32 hex digits. */
async function markerOf(scope: string, key: string, at: number): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${scope}\n${key}\n${at}`));
  return [...new Uint8Array(digest).slice(0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Idempotency records of one user, in the account object's storage, each kept
 * for 24 hours. A key's life: claimed ("pending"), then "done" with the
 * result; deleted when its call certainly did not act; "unknown" when it may
 * have, until a later call checks (after `settleMs`) and finds the write or
 * runs it again under the same marker.
 */
export class OnceRecords {
  private readonly storage: DurableObjectStorage;
  private readonly settleMs: number;

  constructor(storage: DurableObjectStorage, settleMs: number) {
    this.storage = storage;
    this.settleMs = settleMs;
  }

  /** Claims a key for a call with these arguments; see {@link OnceRecord} for the answers. */
  async begin(scope: string, key: string, argsHash: string, reconcilable: boolean): Promise<OnceRecord> {
    const storageKey = `${PREFIX}${scope}:${key}`;
    const now = Date.now();
    const stored = await this.storage.get<StoredOnce>(storageKey);
    if (!stored || now - stored.at >= IDEMPOTENCY_TTL_MS) {
      await this.storage.put(storageKey, { argsHash, state: "pending", at: now, attemptAt: now } satisfies StoredOnce);
      return { state: "new", marker: { value: await markerOf(scope, key, now), since: now } };
    }
    if (stored.argsHash !== argsHash) return { state: "mismatch" };
    if (stored.state === "done") return { state: "done", result: stored.result };
    if (stored.state === "pending" && now - stored.attemptAt < PENDING_STALE_MS) {
      return { state: "pending", retryAfterSeconds: PENDING_RETRY_SECONDS };
    }
    // "unknown", or a call that died while pending: it may have acted.
    if (!reconcilable) return { state: "unknown" };
    const settleUntil = stored.settleUntil ?? 0;
    if (settleUntil > now) return { state: "settling", retryAfterSeconds: Math.ceil((settleUntil - now) / 1000) };
    await this.storage.put(storageKey, {
      ...stored,
      state: "pending",
      attemptAt: now,
      exposed: true,
      settleUntil: undefined,
    } satisfies StoredOnce);
    return { state: "reconcile", marker: { value: await markerOf(scope, key, stored.at), since: stored.at } };
  }

  /**
   * Ends a claimed key: "done" keeps the result; "unknown" marks a call that
   * may have acted and returns the seconds before it may be checked;
   * "released" lets the key run again (afresh, unless an earlier attempt may
   * have acted: then the next call checks first, without waiting).
   */
  async finish(scope: string, key: string, outcome: OnceOutcome): Promise<number | undefined> {
    const storageKey = `${PREFIX}${scope}:${key}`;
    const stored = await this.storage.get<StoredOnce>(storageKey);
    if (!stored) return undefined;
    switch (outcome.state) {
      case "done":
        await this.storage.put(storageKey, {
          ...stored,
          state: "done",
          result: outcome.result,
          settleUntil: undefined,
        } satisfies StoredOnce);
        return undefined;
      case "released":
        if (!stored.exposed) await this.storage.delete(storageKey);
        else await this.storage.put(storageKey, { ...stored, state: "unknown", settleUntil: Date.now() });
        return undefined;
      case "unknown": {
        const settle = outcome.settle === false ? 0 : this.settleMs;
        await this.storage.put(storageKey, {
          ...stored,
          state: "unknown",
          exposed: stored.exposed || outcome.settle !== false,
          settleUntil: Date.now() + settle,
        } satisfies StoredOnce);
        return Math.ceil(settle / 1000);
      }
    }
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
