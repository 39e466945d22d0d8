/** File arguments as Graph takes them: drives, item ids, paths and names. */
import type { DriveItem } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { isId } from "../shared/ids.ts";
import { scopesWith } from "../spec.ts";
import { countInput as pageCount, cursorInput as pageCursor } from "../shared/paging.ts";

/** Delegated permissions: the user's own OneDrive, plus SharePoint libraries (.All / Sites). */
/** The user's own OneDrive needs Files.*; another drive (a site's, a group's, one shared with you) the .All permission. */
export const READ_SCOPES = scopesWith(["Files.Read"], { driveId: ["Sites.Read.All"] });
export const WRITE_SCOPES = scopesWith(["Files.ReadWrite"], { driveId: ["Files.ReadWrite.All"] });

/** Characters OneDrive refuses in a file or folder name. */
export const NAME_FORBIDDEN = /["*:<>?\\|]/;

// Checked by refinements, which stay out of the listed JSON schema (its regexes cost tokens on every turn).
export const itemIdInput = z
  .string()
  .refine((value) => isId("driveItem", value), "not an item id; use one listFiles or searchFiles gave");
export const driveIdInput = z
  .string()
  .refine(
    (value) => isId("driveItem", value) || isId("site", value) || isId("guid", value),
    "not a drive id (b!…), site id (host,guid,guid) or group id",
  )
  .optional()
  .describe("Drive, site or group id; default your OneDrive");
export const pathInput = z
  .string()
  .refine((value) => value.length > 0 && value.length <= 1000, "a path of 1-1000 characters");
export const nameInput = z
  .string()
  .refine((value) => value.length > 0 && value.length <= 255, "a name of 1-255 characters");
export const countInput = pageCount(20, 50, "Page size");
export const cursorInput = pageCursor("nextCursor of the previous page");
export const conflictInput = z.enum(["fail", "replace", "rename"]).default("fail").describe("If the name exists");

/** An invalid_input error saying `message`. */
export function invalid(message: string): ToolError {
  return new ToolError("invalid_input", message);
}

/**
 * The Graph path of the drive: /me/drive, /drives/{id}, or /sites/{id}/drive
 * for a site id (site ids hold commas, drive ids never do).
 */
export function drivePath(driveId: string | undefined): string {
  if (!driveId) return "/me/drive";
  if (driveId.includes(",")) return `/sites/${encodeURIComponent(driveId)}/drive`;
  // A Microsoft 365 group's files: its team site library (drive ids are "b!…", never GUIDs).
  if (isId("guid", driveId)) return `/groups/${driveId}/drive`;
  return `/drives/${encodeURIComponent(driveId)}`;
}

/** A path's segments, checked: no "." or "..", no characters OneDrive forbids in names. */
export function pathSegments(path: string, field: string): string[] {
  const segments = path.split("/").filter((segment) => segment !== "");
  for (const segment of segments) {
    if (segment === "." || segment === ".." || NAME_FORBIDDEN.test(segment)) {
      throw invalid(`${field}: "${segment}" is not a valid file or folder name (no . or .., nor " * : < > ? \\ |).`);
    }
  }
  return segments;
}

/** The Graph address of an item: by id, by path from the root ("root:/a/b:"), or the root. */
export function itemAddress(
  drive: string,
  itemId: string | undefined,
  path: string | undefined,
  field = "path",
  idField = "itemId",
): string {
  if (itemId !== undefined && path !== undefined) throw invalid(`${idField}, ${field}: give one of them, not both.`);
  if (itemId !== undefined) return `${drive}/items/${encodeURIComponent(itemId)}`;
  const segments = pathSegments(path ?? "/", field);
  return segments.length === 0 ? `${drive}/root` : `${drive}/root:/${segments.map(encodeURIComponent).join("/")}:`;
}

/** The address of a new item named `name` in a folder given by path or id. */
function childAddress(drive: string, name: string, folderId: string | undefined, folderPath: string[]): string {
  const encoded = encodeURIComponent(name);
  if (folderId !== undefined) return `${drive}/items/${encodeURIComponent(folderId)}:/${encoded}:`;
  return `${drive}/root:/${[...folderPath.map(encodeURIComponent), encoded].join("/")}:`;
}

/** "/Documents/Reports" from parentReference.path ("/drive/root:/Documents" or "/drives/{id}/root:/Documents"). */
export function folderPathOf(item: DriveItem): string | undefined {
  const path = item.parentReference?.path;
  if (!path) return undefined;
  const index = path.indexOf("root:");
  if (index < 0) return undefined;
  try {
    return decodeURIComponent(path.slice(index + 5)) || "/";
  } catch {
    return path.slice(index + 5) || "/";
  }
}

export function fullPathOf(item: DriveItem): string | undefined {
  if (item.root) return "/";
  const folder = folderPathOf(item);
  return folder === undefined ? undefined : `${folder === "/" ? "" : folder}/${item.name ?? ""}`;
}

/** A Graph 409 on create, upload or move, as something a model can act on. */
export function nameConflict(error: unknown, name: string): unknown {
  if (error instanceof GraphError && error.status === 409) {
    return new ToolError(
      "conflict",
      `"${name}" already exists there; pass conflict "replace" to overwrite it or "rename" to keep both.`,
    );
  }
  return error;
}

export const itemInput = {
  itemId: itemIdInput.optional().describe("Item id"),
  path: pathInput.optional().describe('Or its path, e.g. "/Documents/a.md"'),
  driveId: driveIdInput,
};

export function requireItem(itemId: string | undefined, path: string | undefined): void {
  if (itemId === undefined && path === undefined) throw invalid("itemId, path: give the item's id or its path.");
}

/** Where a new item goes: a full path, or a parent folder id and a name. */
export function destination(
  drive: string,
  path: string | undefined,
  parentId: string | undefined,
  name: string | undefined,
): { address: string; name: string } {
  if (path !== undefined) {
    if (parentId !== undefined || name !== undefined)
      throw invalid("path, parentId: give a path, or a parentId and a name.");
    const segments = pathSegments(path, "path");
    const last = path.endsWith("/") ? undefined : segments.pop();
    if (last === undefined)
      throw invalid('path: give the full path including the file name, e.g. "/Documents/notes.md".');
    return { address: childAddress(drive, last, undefined, segments), name: last };
  }
  if (parentId === undefined || name === undefined)
    throw invalid("path, parentId: give a path, or a parentId and a name.");
  if (NAME_FORBIDDEN.test(name) || name.includes("/") || name.trim() !== name || name === "." || name === "..") {
    throw invalid(`name: "${name}" is not a valid name (no / " * : < > ? \\ |, no leading or trailing spaces).`);
  }
  return { address: childAddress(drive, name, parentId, []), name };
}

export function whereSaved(item: DriveItem): string {
  return fullPathOf(item) ?? item.name ?? "";
}
