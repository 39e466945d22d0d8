/** Determinism for the seed: a seeded PRNG and stable, Graph-shaped ids. */
import { createHash } from "node:crypto";

/** mulberry32: small, fast and good enough to lay out demo data the same way on every start. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

/**
 * An id shaped like an Exchange id in Graph (long, URL-safe base64, ending in
 * "AAA="), the same for the same prefix and parts.
 */
export function stableId(prefix: string, ...parts: (string | number)[]): string {
  const key = parts.join("|");
  const digest = Buffer.concat(["a", "b", "c"].map((salt) => createHash("sha256").update(`${salt}|${key}`).digest()));
  return `${prefix}${digest.toString("base64url").slice(0, 120)}AAA=`;
}

/** A GUID derived from its parts, for ids that Graph shows as GUIDs. */
export function stableGuid(...parts: (string | number)[]): string {
  const hex = createHash("sha256").update(parts.join("|")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
