/** The count and cursor inputs of listings, and the page shape Graph answers them with. */
import { z } from "zod";

/** One page of a Graph collection; `@odata.nextLink` is the cursor for the next. */
export interface GraphPage<T> {
  value: T[];
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
}

/** A page size of 1 to `max` items, `fallback` when absent; each tool keeps its own default and wording. */
export function countInput(fallback: number, max: number, description: string) {
  return z.number().int().min(1).max(max).default(fallback).describe(description);
}

/** The cursor a listing takes back: the `nextCursor` of the previous page. */
export function cursorInput(description: string) {
  return z.string().optional().describe(description);
}

/** The `nextCursor` a listing returns. */
export function nextCursorOutput(description = "Pass as `cursor` to get the next page") {
  return z.string().optional().describe(description);
}

/** The "More: ..." line that tells a model how to get the next page. */
export function moreLine(nextCursor: string | undefined, lead = "More"): string[] {
  return nextCursor ? [`${lead}: call again with cursor "${nextCursor}".`] : [];
}
