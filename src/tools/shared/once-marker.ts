/**
 * How keyed writes find out whether an earlier attempt took effect. Outlook
 * items (messages, contacts) carry the key's marker as a single-value
 * extended property, which Graph filters on (`singleValueExtendedProperties/
 * any(...)`, learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get);
 * other items are found by what they are and when they were created.
 */
import type { GraphClient } from "../../graph/client.ts";
import { GraphError, ToolError } from "../../graph/errors.ts";
import type { OnceMarker } from "../spec.ts";

/** A string property in this server's own property set: invisible in Outlook, kept on the sent copy. */
export const ONCE_PROPERTY_ID = "String {8b0c5e2a-3f71-4d0e-a6c9-5d2b7e14f093} Name m365McpIdempotencyMarker";

/** The body fragment that puts `marker` on a new message or contact. */
export function markerProperty(marker: OnceMarker | undefined): Record<string, unknown> {
  return marker ? { singleValueExtendedProperties: [{ id: ONCE_PROPERTY_ID, value: marker.value }] } : {};
}

/**
 * The first item of the collection at `path` that carries `marker`, or
 * undefined. A refusal to read (403: the sign-in lacks a read permission)
 * means the check cannot be made, which is said, never taken for "not there".
 */
export async function findMarked<T>(
  graph: GraphClient,
  path: string,
  marker: OnceMarker,
  select: string,
  readScope: string,
): Promise<T | undefined> {
  const page = await readForCheck(
    () =>
      graph.get<{ value: T[] }>(path, {
        query: {
          $filter: `singleValueExtendedProperties/any(ep: ep/id eq '${ONCE_PROPERTY_ID}' and ep/value eq '${marker.value}')`,
          $select: select,
          $top: 1,
        },
      }),
    readScope,
  );
  return page.value[0];
}

/** Clocks differ: items created this long before the key was claimed still count as its attempts. */
export const CLOCK_SKEW_MS = 60_000;

/** Whether an item created at `created` (ISO) may belong to an attempt with `marker`. */
export function createdSince(created: string | null | undefined, marker: OnceMarker): boolean {
  const at = Date.parse(created ?? "");
  return Number.isFinite(at) && at >= marker.since - CLOCK_SKEW_MS;
}

/** Runs a read a check needs; a 403 becomes "cannot check" (conflict), naming the permission. */
export async function readForCheck<T>(read: () => Promise<T>, readScope: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof GraphError && error.status === 403) {
      throw new ToolError(
        "conflict",
        `idempotencyKey: an earlier call with this key may have acted, and checking needs the ${readScope} permission, which this sign-in lacks. Look in Microsoft 365 before trying again with a new key.`,
      );
    }
    throw error;
  }
}
