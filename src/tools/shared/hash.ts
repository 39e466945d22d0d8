/** Hashes that identify a call's arguments: idempotency keys and cache entries compare these. */
import { sha256Hex } from "../../shared/text.ts";

/** JSON with object keys sorted and undefined members left out, so equal arguments serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The SHA-256 of `value`'s canonical JSON. */
export function argumentsHash(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
