/** Changing files: upload, create folders, move and rename, delete, share. Every one acts at once, as the user. */
import type { DriveItem, Permission } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { base64ByteLength, decodeBase64 } from "../shared/base64.ts";
import { plural } from "../shared/format.ts";
import { isId } from "../shared/ids.ts";
import { createdSince } from "../shared/once-marker.ts";
import { defineTool, type ToolContext } from "../spec.ts";
import {
  conflictInput,
  destination,
  driveIdInput,
  drivePath,
  invalid,
  itemAddress,
  itemIdInput,
  itemInput,
  NAME_FORBIDDEN,
  nameConflict,
  nameInput,
  pathInput,
  pathSegments,
  requireItem,
  whereSaved,
  WRITE_SCOPES,
} from "./inputs.ts";
import {
  humanSize,
  INLINE_MAX_BYTES,
  openSource,
  readAtMost,
  SIMPLE_UPLOAD_MAX_BYTES,
  SOURCE_MAX_BYTES,
  StreamFiller,
  uploadSmall,
  uploadWithSession,
  type ConflictBehavior,
} from "./upload.ts";

function tooLargeInline(bytes: number): ToolError {
  return new ToolError(
    "payload_too_large",
    `Inline content is ${(bytes / 1_000_000).toFixed(1)} MB; text and contentBase64 take up to ${INLINE_MAX_BYTES / 1_000_000} MB. For larger files pass sourceUrl (an https URL the server downloads, up to 250 MB).`,
  );
}

export const uploadFile = defineTool({
  name: "uploadFile",
  title: "Upload file",
  description:
    "Create or overwrite a file from text, base64 (up to 3 MB) or an https sourceUrl the server fetches (up to 250 MB). A keyed retry cannot check conflict rename.",
  input: {
    path: pathInput.optional().describe('Path with file name, e.g. "/Documents/a.md"'),
    parentId: itemIdInput.optional().describe("Or folder id, with name"),
    name: nameInput.optional().describe("File name, with parentId"),
    text: z.string().optional().describe("Content as text"),
    contentBase64: z.base64().optional().describe("Or as base64"),
    sourceUrl: z.string().max(4096).optional().describe("Or an https URL to fetch"),
    conflict: conflictInput,
    driveId: driveIdInput,
  },
  ...WRITE_SCOPES,
  access: "write",
  idempotencyKey: true,
  invalidates: ["files"],
  async run(
    { path, parentId, name, text, contentBase64, sourceUrl, conflict, driveId },
    { graph, progress, devUploadSourcePrefix },
  ) {
    const sources = [text, contentBase64, sourceUrl].filter((source) => source !== undefined).length;
    if (sources !== 1) throw invalid("text, contentBase64, sourceUrl: give exactly one of them.");
    const drive = drivePath(driveId);
    const target = destination(drive, path, parentId, name);
    const behavior = conflict as ConflictBehavior;
    let item: DriveItem;
    let via = "";
    try {
      if (text !== undefined || contentBase64 !== undefined) {
        const size = text !== undefined ? new TextEncoder().encode(text).length : base64ByteLength(contentBase64!);
        if (size > INLINE_MAX_BYTES) throw tooLargeInline(size);
        const bytes = text !== undefined ? new TextEncoder().encode(text) : decodeBase64(contentBase64!);
        item = await uploadSmall(
          graph,
          target.address,
          bytes,
          behavior,
          text !== undefined ? "text/plain; charset=utf-8" : "application/octet-stream",
        );
      } else {
        const source = await openSource(sourceUrl!, devUploadSourcePrefix);
        if (source.size !== undefined && source.size > SOURCE_MAX_BYTES) {
          await source.body.cancel();
          throw new ToolError(
            "payload_too_large",
            `sourceUrl: the file is ${humanSize(source.size)}; uploads take up to 250 MB.`,
          );
        }
        if (source.size === undefined || source.size <= SIMPLE_UPLOAD_MAX_BYTES) {
          const bytes = await readAtMost(source.body, SIMPLE_UPLOAD_MAX_BYTES);
          if (!bytes) {
            throw invalid(
              "sourceUrl: the server did not say how large the file is (no Content-Length); files over 4 MB need it.",
            );
          }
          item = await uploadSmall(graph, target.address, bytes, behavior, "application/octet-stream");
        } else {
          const total = source.size;
          const result = await uploadWithSession(
            graph,
            target.address,
            new StreamFiller(source.body),
            total,
            behavior,
            async (sent, all, message) => {
              await progress?.(sent, all, message);
            },
          );
          item = result.item;
          via = ` in ${result.fragments} parts`;
        }
      }
    } catch (error) {
      throw nameConflict(error, target.name);
    }
    const renamed = item.name && item.name !== target.name ? ` (renamed: "${target.name}" existed)` : "";
    return {
      text: `Uploaded ${item.name} (${humanSize(item.size)}) to ${whereSaved(item)}${via}${renamed} · id ${item.id}`,
    };
  },
  // conflictBehavior decides: "replace" may simply run again (same bytes, same file); with "fail" a file
  // at the path since the key was claimed is the earlier attempt's; "rename" would make a second copy.
  canReconcile: ({ conflict }) => conflict !== "rename",
  async reconcile({ path, parentId, name, text, contentBase64, conflict, driveId }, { graph, once }) {
    if (conflict === "replace") return undefined;
    const target = destination(drivePath(driveId), path, parentId, name);
    const item = await graph
      .get<DriveItem>(target.address, { query: { $select: "id,name,size,createdDateTime,parentReference" } })
      .catch((error: unknown) => {
        if (error instanceof GraphError && error.status === 404) return undefined;
        throw error;
      });
    if (!item) return undefined;
    const size =
      text !== undefined
        ? new TextEncoder().encode(text).length
        : contentBase64 !== undefined
          ? base64ByteLength(contentBase64)
          : item.size;
    if (!createdSince(item.createdDateTime, once) || item.size !== size) {
      throw nameConflict(new GraphError(409, "nameAlreadyExists", "The name exists."), target.name);
    }
    return { text: `Uploaded ${item.name} (${humanSize(item.size)}) to ${whereSaved(item)} · id ${item.id}` };
  },
});

export const createFolder = defineTool({
  name: "createFolder",
  title: "Create folder",
  description: "Create a folder (and any missing parent folders) in OneDrive or a SharePoint library.",
  input: {
    path: pathInput.describe('New folder\'s path, e.g. "/Documents/2027"'),
    conflict: z.enum(["fail", "rename"]).default("fail").describe("If the name exists"),
    driveId: driveIdInput,
  },
  ...WRITE_SCOPES,
  access: "write",
  invalidates: ["files"],
  async run({ path, conflict, driveId }, { graph }) {
    const drive = drivePath(driveId);
    const segments = pathSegments(path, "path");
    const name = segments.pop();
    if (name === undefined) throw invalid('path: give the new folder\'s full path, e.g. "/Documents/2027".');
    const parent = segments.length ? `${drive}/root:/${segments.map(encodeURIComponent).join("/")}:` : `${drive}/root`;
    let folder: DriveItem;
    try {
      folder = await graph.post<DriveItem>(`${parent}/children`, {
        name,
        folder: {},
        "@microsoft.graph.conflictBehavior": conflict,
      });
    } catch (error) {
      if (error instanceof GraphError && error.status === 409) {
        throw new ToolError(
          "conflict",
          `A folder or file named "${name}" already exists there; pass conflict "rename" to create "${name} 1".`,
        );
      }
      if (error instanceof GraphError && error.status === 404 && segments.length > 0) {
        // Graph creates no parents here: create the parent path first, then the folder.
        await createParents(graph, drive, segments);
        folder = await graph.post<DriveItem>(`${parent}/children`, {
          name,
          folder: {},
          "@microsoft.graph.conflictBehavior": conflict,
        });
      } else throw error;
    }
    return { text: `Created folder ${whereSaved(folder)} · id ${folder.id}` };
  },
});

/** Creates the folders along `segments` that do not exist yet (an existing one is kept). */
async function createParents(graph: ToolContext["graph"], drive: string, segments: readonly string[]): Promise<void> {
  for (let depth = 0; depth < segments.length; depth++) {
    const above = segments.slice(0, depth);
    const parent = above.length ? `${drive}/root:/${above.map(encodeURIComponent).join("/")}:` : `${drive}/root`;
    try {
      await graph.post(`${parent}/children`, {
        name: segments[depth],
        folder: {},
        "@microsoft.graph.conflictBehavior": "fail",
      });
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 409)) throw error;
    }
  }
}

export const moveItem = defineTool({
  name: "moveItem",
  title: "Move or rename",
  description: "Move a file or folder to another folder of its drive, and/or rename it.",
  input: {
    itemId: itemIdInput.describe("Item id"),
    destination: z.string().optional().describe('Target folder: path like "/Documents/Old", or id'),
    newName: nameInput.optional().describe("New name"),
    driveId: driveIdInput,
  },
  ...WRITE_SCOPES,
  access: "write",
  idempotent: true,
  invalidates: ["files"],
  async run({ itemId, destination: target, newName, driveId }, { graph }) {
    if (target === undefined && newName === undefined) {
      throw invalid("destination, newName: give a destination folder, a new name, or both.");
    }
    if (
      newName !== undefined &&
      (NAME_FORBIDDEN.test(newName) || newName.includes("/") || newName.trim() !== newName)
    ) {
      throw invalid(
        `newName: "${newName}" is not a valid name (no / " * : < > ? \\ |, no leading or trailing spaces).`,
      );
    }
    const drive = drivePath(driveId);
    let parentId: string | undefined;
    if (target !== undefined) {
      if (!target.startsWith("/") && !isId("driveItem", target)) {
        throw invalid('destination: give a folder path starting with "/" or a folder id.');
      }
      const folder = await graph.get<DriveItem>(
        target.startsWith("/")
          ? itemAddress(drive, undefined, target, "destination")
          : `${drive}/items/${encodeURIComponent(target)}`,
        { query: { $select: "id,folder" } },
      );
      if (!folder.folder) throw invalid(`destination: "${target}" is a file, not a folder.`);
      parentId = folder.id ?? undefined;
    }
    let moved: DriveItem;
    try {
      moved = await graph.patch<DriveItem>(`${drive}/items/${encodeURIComponent(itemId)}`, {
        ...(newName !== undefined ? { name: newName } : {}),
        ...(parentId !== undefined ? { parentReference: { id: parentId } } : {}),
      });
    } catch (error) {
      if (error instanceof GraphError && error.status === 409) {
        throw new ToolError("conflict", "An item with that name already exists in the destination; choose a newName.");
      }
      throw error;
    }
    return { text: `Moved to ${whereSaved(moved)} · id ${moved.id}` };
  },
});

export const deleteItem = defineTool({
  name: "deleteItem",
  title: "Delete file or folder",
  description: "Delete a file or folder (with its contents) to the recycle bin. Confirm with the user first.",
  input: {
    itemId: itemIdInput.describe("Item id"),
    driveId: driveIdInput,
  },
  ...WRITE_SCOPES,
  access: "write",
  destructive: true,
  idempotent: true,
  invalidates: ["files"],
  async run({ itemId, driveId }, { graph }) {
    const address = `${drivePath(driveId)}/items/${encodeURIComponent(itemId)}`;
    const item = await graph.get<DriveItem>(address, { query: { $select: "id,name,folder,root" } });
    if (item.root) throw invalid("itemId: that is the drive's top folder, which cannot be deleted.");
    await graph.delete(address);
    const what = item.folder ? `folder ${item.name} and its ${plural(item.folder.childCount, "item")}` : item.name;
    return { text: `Deleted ${what} (in the recycle bin; it can be restored from there).` };
  },
});

export const shareFile = defineTool({
  name: "shareFile",
  title: "Share file",
  description: "Create a view or edit link to a file or folder for your organization, specific people, or anyone.",
  input: {
    ...itemInput,
    type: z.enum(["view", "edit"]).default("view").describe("Link permission"),
    scope: z
      .enum(["organization", "users", "anonymous"])
      .default("organization")
      .describe("Who the link works for (users: the recipients)"),
    recipients: z.array(z.email()).optional().describe("Emails, for scope users"),
  },
  ...WRITE_SCOPES,
  access: "write",
  idempotent: true,
  invalidates: ["files"],
  async run({ itemId, path, driveId, type, scope, recipients }, { graph }) {
    requireItem(itemId, path);
    if (scope === "users" && !recipients?.length) {
      throw invalid("recipients: scope users needs the people's email addresses.");
    }
    if (recipients && recipients.length > 50) throw invalid("recipients: at most 50 addresses.");
    if (scope !== "users" && recipients) throw invalid("recipients: only for scope users.");
    let permission: Permission;
    try {
      permission = await graph.post<Permission>(`${itemAddress(drivePath(driveId), itemId, path)}/createLink`, {
        type,
        scope,
        ...(recipients ? { recipients: recipients.map((email) => ({ email })) } : {}),
      });
    } catch (error) {
      if (error instanceof GraphError && error.status === 403 && scope === "anonymous") {
        throw new ToolError(
          "forbidden",
          "Links for anyone (anonymous) are turned off by your organization's sharing policy here; use scope organization, or users with recipients.",
        );
      }
      throw error;
    }
    const audience =
      scope === "anonymous"
        ? "anyone with the link"
        : scope === "organization"
          ? "people in your organization"
          : (recipients ?? []).join(", ");
    return {
      text: `${type === "edit" ? "Edit" : "View"} link for ${audience}: ${permission.link?.webUrl ?? "(no link returned)"} · permission id ${permission.id}`,
    };
  },
});
