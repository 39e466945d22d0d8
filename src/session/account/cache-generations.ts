const KEY = "cache-generations";

interface StoredGenerations {
  /** Changes with every sign-in. */
  epoch: string;
  kinds: Record<string, number>;
}

/**
 * The generation of each kind of cached data of one user. A write bumps the
 * kinds it changes and a new sign-in starts a new epoch, orphaning older
 * cache entries, which then expire in KV on their own.
 */
export class CacheGenerations {
  private memo: StoredGenerations | undefined;

  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  private async load(): Promise<StoredGenerations> {
    this.memo ??= (await this.storage.get<StoredGenerations>(KEY)) ?? { epoch: "0", kinds: {} };
    return this.memo;
  }

  /** Every kind's generation, `${epoch}.${count}`; a kind never bumped is at 0. */
  async current(): Promise<{ epoch: string; kinds: Record<string, number> }> {
    return this.load();
  }

  async bump(kinds: readonly string[]): Promise<void> {
    const stored = await this.load();
    for (const kind of kinds) stored.kinds[kind] = (stored.kinds[kind] ?? 0) + 1;
    await this.storage.put(KEY, stored);
  }

  async newEpoch(): Promise<void> {
    this.memo = { epoch: crypto.randomUUID().slice(0, 8), kinds: {} };
    await this.storage.put(KEY, this.memo);
  }

  forget(): void {
    this.memo = undefined;
  }
}

/** The generation string of one kind, as cache keys carry it. */
export function generationOf(generations: { epoch: string; kinds: Record<string, number> }, kind: string): string {
  return `${generations.epoch}.${generations.kinds[kind] ?? 0}`;
}
