/** Contact, people and directory arguments as Graph takes them. */
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { clip } from "../shared/format.ts";
import { isId } from "../shared/ids.ts";
import {
  countInput as pageCount,
  cursorInput as pageCursor,
  nextCursorOutput as pageNextCursor,
} from "../shared/paging.ts";

export const countInput = pageCount(20, 50, "Results per page");
export const cursorInput = pageCursor("nextCursor from the previous call");
export const nextCursorOutput = pageNextCursor("Pass as cursor for more");
export const contactIdInput = z.string().describe("Contact id from getContacts");

export function contactPath(id: string): string {
  if (!isId("exchange", id)) {
    throw new ToolError("invalid_input", `id: "${clip(id, 60)}" is not a contact id (use an id from getContacts).`);
  }
  return `/me/contacts/${encodeURIComponent(id)}`;
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
