/**
 * Cursors a model can hold: short, opaque, and good only for the listing
 * that issued them. A listing's next page is a Graph nextLink (a long URL)
 * or a tool's own token; the model gets a 12-character id for it instead,
 * which costs a few tokens per page and can name nothing else: the link
 * stays in the user's sealed cache, with the tool it belongs to.
 */
import { ToolError } from "../../graph/errors.ts";
import type { ToolContext, ToolOutput } from "../spec.ts";

/** How long a cursor can be used for the next page. */
export const CURSOR_TTL_SECONDS = 60 * 60;
const CURSOR_ID = /^[A-Za-z0-9_-]{12}$/;
/** How a listing's text offers its next page; the tools all say it this way. */
const CURSOR_IN_TEXT = /cursor "([^"]+)"/;

interface StoredCursor {
  tool: string;
  value: string;
}

function newCursorId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

const storageName = (id: string) => `cursor:${id}`;

/** The page a cursor stands for, for this tool only; anything else is refused as invalid input. */
export async function openCursor(tool: string, cursor: unknown, context: ToolContext): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  const refused = new ToolError(
    "invalid_input",
    `cursor: not a ${tool} cursor, or expired; pass back nextCursor exactly as this tool returned it, or list again without one.`,
  );
  if (typeof cursor !== "string" || !CURSOR_ID.test(cursor)) throw refused;
  const stored = await context.cache.recall<StoredCursor>(storageName(cursor));
  if (stored?.tool !== tool) throw refused;
  return stored.value;
}

/** The output with its next-page cursor (structured and in the text) replaced by a short id. */
export async function issueCursor(tool: string, output: ToolOutput, context: ToolContext): Promise<ToolOutput> {
  const structured = output.structured?.nextCursor;
  const value = typeof structured === "string" ? structured : CURSOR_IN_TEXT.exec(output.text)?.[1];
  if (!value) return output;
  const id = newCursorId();
  await context.cache.remember(storageName(id), { tool, value } satisfies StoredCursor, CURSOR_TTL_SECONDS);
  return {
    text: output.text.split(`cursor "${value}"`).join(`cursor "${id}"`),
    ...(output.structured
      ? { structured: { ...output.structured, ...(typeof structured === "string" ? { nextCursor: id } : {}) } }
      : {}),
  };
}
