/**
 * The drive store behind the OneDrive and SharePoint endpoints: finding
 * drives and items (by id or path), presenting them as Graph does, and the
 * writes (create, replace, rename, move, delete) with OneDrive's name rules
 * and conflict behaviours. Shared by graph/drive.ts and graph/upload.ts.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  identityOf,
  indexableText,
  mimeTypeOf,
  type Identity,
  type StoredDrive,
  type StoredDriveItem,
  type StoredSite,
} from "../data/drive.ts";
import { isoSeconds } from "../data/time.ts";
import type { EmulatorState } from "../state.ts";
import { applySelect, type EntitySchema } from "./odata/select.ts";
import { GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";
import { groupFor } from "./group-access.ts";

/** Delegated permissions that reach the signed-in user's own OneDrive. */
export const ONEDRIVE_READ = [
  "Files.Read",
  "Files.ReadWrite",
  "Files.Read.All",
  "Files.ReadWrite.All",
  "Sites.Read.All",
  "Sites.ReadWrite.All",
];
export const ONEDRIVE_WRITE = ["Files.ReadWrite", "Files.ReadWrite.All", "Sites.ReadWrite.All"];
/** SharePoint document libraries need the .All permissions. */
export const LIBRARY_READ = ["Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"];
export const LIBRARY_WRITE = ["Files.ReadWrite.All", "Sites.ReadWrite.All"];
export const SITES_READ = ["Sites.Read.All", "Sites.ReadWrite.All"];

export const ITEM_NOT_FOUND = "Item not found";

/** What Graph returns for a driveItem without $select. */
const DRIVE_ITEM_DEFAULTS = [
  "@microsoft.graph.downloadUrl",
  "id",
  "name",
  "size",
  "createdDateTime",
  "lastModifiedDateTime",
  "createdBy",
  "lastModifiedBy",
  "parentReference",
  "file",
  "folder",
  "root",
  "image",
  "webUrl",
  "eTag",
  "cTag",
  "fileSystemInfo",
  "shared",
  "description",
];

export const DRIVE_ITEM_SCHEMA: EntitySchema = {
  type: "microsoft.graph.driveItem",
  // The facets below come only when $select names them.
  properties: [
    ...DRIVE_ITEM_DEFAULTS,
    "searchResult",
    "package",
    "photo",
    "video",
    "audio",
    "location",
    "remoteItem",
    "specialFolder",
    "sharepointIds",
    "webDavUrl",
    "deleted",
    "malware",
    "publication",
  ],
  defaultProperties: DRIVE_ITEM_DEFAULTS,
};

export const DRIVE_SCHEMA: EntitySchema = {
  type: "microsoft.graph.drive",
  properties: [
    "id",
    "driveType",
    "name",
    "description",
    "webUrl",
    "createdDateTime",
    "lastModifiedDateTime",
    "createdBy",
    "lastModifiedBy",
    "owner",
    "quota",
  ],
};

export const SITE_SCHEMA: EntitySchema = {
  type: "microsoft.graph.site",
  properties: [
    "id",
    "name",
    "displayName",
    "description",
    "webUrl",
    "createdDateTime",
    "lastModifiedDateTime",
    "siteCollection",
    "root",
  ],
};

/** Every drive of the tenant: the users' OneDrives and the sites' libraries. */
export function allDrives(state: EmulatorState): StoredDrive[] {
  return [...[...state.users.values()].map((data) => data.drive), ...state.sites.flatMap((site) => site.drives)];
}

export function findDriveById(state: EmulatorState, id: string): StoredDrive | undefined {
  return allDrives(state).find((drive) => drive.id === id);
}

export function findSite(state: EmulatorState, id: string): StoredSite {
  const site = state.sites.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!site) throw new GraphFailure(404, "itemNotFound", "Requested site could not be found");
  return site;
}

/** Whether the user may reach `drive` at all: their own OneDrive, or any team site's library. */
function reachable(context: GraphContext, drive: StoredDrive): boolean {
  return drive.ownerUserId === undefined || drive.ownerUserId === context.user.id;
}

/**
 * The drive a request addresses (/me/drive, /drives/{driveId}, /sites/{siteId}/drive),
 * with the permission check for libraries: Files.Read(Write) reaches only the user's own files.
 */
export function driveOf(context: GraphContext, access: "read" | "write"): StoredDrive {
  let drive: StoredDrive | undefined;
  if (context.params.driveId !== undefined) {
    drive = findDriveById(context.state, context.params.driveId);
    if (!drive || !reachable(context, drive)) {
      throw new GraphFailure(
        404,
        "itemNotFound",
        "The drive you are trying to access does not exist or you do not have access to it.",
      );
    }
  } else if (context.params.groupId !== undefined) {
    drive = groupDrive(context);
  } else if (context.params.siteId !== undefined) {
    drive = findSite(context.state, context.params.siteId).drives[0];
    if (!drive) throw new GraphFailure(404, "itemNotFound", "The site has no document library.");
  } else {
    drive = context.state.dataOf(context.user.id).drive;
  }
  if (drive.driveType === "documentLibrary") {
    const allowed = access === "read" ? LIBRARY_READ : LIBRARY_WRITE;
    if (!allowed.some((scope) => context.grant.scopes.includes(scope))) {
      throw new GraphFailure(
        403,
        "accessDenied",
        "Access denied. You do not have permission to perform this action or access this resource.",
      );
    }
  }
  return drive;
}

export function findItem(drive: StoredDrive, id: string): StoredDriveItem {
  const item = id.toLowerCase() === "root" ? drive.items.get(drive.rootId) : drive.items.get(id);
  if (!item) throw new GraphFailure(404, "itemNotFound", ITEM_NOT_FOUND);
  return item;
}

/** Where a request points: a base item (the root, or one by id) and an optional path below it. */
export interface Address {
  base: StoredDriveItem;
  path?: string;
}

export function addressOf(context: GraphContext, drive: StoredDrive): Address {
  const base = context.params.itemId !== undefined ? findItem(drive, context.params.itemId) : root(drive);
  return { base, ...(context.params.itemPath !== undefined ? { path: context.params.itemPath } : {}) };
}

export function root(drive: StoredDrive): StoredDriveItem {
  return drive.items.get(drive.rootId)!;
}

export function childrenOf(drive: StoredDrive, folder: StoredDriveItem): StoredDriveItem[] {
  return [...drive.items.values()].filter((item) => item.parentId === folder.id);
}

export function childNamed(drive: StoredDrive, folder: StoredDriveItem, name: string): StoredDriveItem | undefined {
  const lower = name.toLowerCase();
  return childrenOf(drive, folder).find((item) => item.name.toLowerCase() === lower);
}

/** The segments of an item path ("Documents/Reports"), without empty ones. */
export function pathSegments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

/** The item at `path` below `base` (names match case-insensitively, as in OneDrive). */
export function itemAtPath(drive: StoredDrive, base: StoredDriveItem, path: string): StoredDriveItem {
  let current = base;
  for (const segment of pathSegments(path)) {
    const next = current.kind === "folder" ? childNamed(drive, current, segment) : undefined;
    if (!next) throw new GraphFailure(404, "itemNotFound", ITEM_NOT_FOUND);
    current = next;
  }
  return current;
}

/** "/Documents/Reports" for an item (the root is ""). */
export function pathOf(drive: StoredDrive, item: StoredDriveItem): string {
  const names: string[] = [];
  for (let current: StoredDriveItem | undefined = item; current && current.parentId;) {
    names.unshift(current.name);
    current = drive.items.get(current.parentId);
  }
  return names.length ? `/${names.join("/")}` : "";
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

export function webUrlOf(drive: StoredDrive, item: StoredDriveItem): string {
  return `${drive.webUrl}${encodePath(pathOf(drive, item))}`;
}

/** A file's size, or the total size of a folder's files. */
export function sizeOf(drive: StoredDrive, item: StoredDriveItem): number {
  if (item.kind === "file") return item.content?.length ?? 0;
  return childrenOf(drive, item).reduce((sum, child) => sum + sizeOf(drive, child), 0);
}

/** OneDrive's QuickXorHash of `bytes`, base64 (a 160-bit circular-shifting XOR with the length). */
export function quickXorHash(bytes: Buffer): string {
  const fold = new Uint8Array(160);
  for (let j = 0; j < bytes.length; j++) fold[j % 160]! ^= bytes[j]!;
  const mask = (1n << 160n) - 1n;
  let register = 0n;
  for (let i = 0; i < Math.min(160, bytes.length); i++) {
    const value = BigInt(fold[i]!) << BigInt((i * 11) % 160);
    register ^= (value & mask) | (value >> 160n);
  }
  const out = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) out[i] = Number((register >> BigInt(8 * i)) & 0xffn);
  let length = BigInt(bytes.length);
  for (let i = 0; i < 8; i++) {
    out[12 + i]! ^= Number(length & 0xffn);
    length >>= 8n;
  }
  return out.toString("base64");
}

const hashes = new WeakMap<Buffer, string>();

function hashOf(content: Buffer): string {
  let hash = hashes.get(content);
  if (hash === undefined) {
    hash = quickXorHash(content);
    hashes.set(content, hash);
  }
  return hash;
}

function identitySet(identity: Identity): Record<string, unknown> {
  return {
    user: { ...(identity.email ? { email: identity.email } : {}), id: identity.id, displayName: identity.displayName },
  };
}

const SCOPE_RANK = { users: 0, organization: 1, anonymous: 2 } as const;

/** The `shared` facet: the widest scope the item's sharing links and grants reach. */
function sharedFacet(drive: StoredDrive, item: StoredDriveItem): Record<string, unknown> | undefined {
  if (item.permissions.length === 0) return undefined;
  const scopes = item.permissions.map((permission) => permission.link?.scope ?? "users");
  const widest = scopes.reduce((best, scope) => (SCOPE_RANK[scope] > SCOPE_RANK[best] ? scope : best));
  return {
    owner: identitySet(drive.owner),
    scope: widest,
    sharedDateTime: item.permissions[0]!.createdDateTime,
  };
}

export function parentReference(drive: StoredDrive, item: StoredDriveItem): Record<string, unknown> {
  const parent = item.parentId ? drive.items.get(item.parentId) : undefined;
  return {
    driveType: drive.driveType,
    driveId: drive.id,
    ...(parent
      ? {
          id: parent.id,
          name: parent.parentId ? parent.name : drive.driveType === "business" ? "Documents" : drive.name,
          path: `/drives/${drive.id}/root:${encodePath(pathOf(drive, parent))}`,
        }
      : {}),
    ...(drive.siteId ? { siteId: drive.siteId } : {}),
  };
}

/** A signed, expiring, token-free download URL for a file's current content, like Graph's downloadUrl. */
const DOWNLOAD_KEY = randomBytes(32);
const DOWNLOAD_LIFETIME_MS = 60 * 60 * 1000;

export function downloadUrl(origin: string, drive: StoredDrive, item: StoredDriveItem): string {
  const payload = Buffer.from(
    JSON.stringify({ d: drive.id, i: item.id, v: item.version, e: Date.now() + DOWNLOAD_LIFETIME_MS }),
  ).toString("base64url");
  const signature = createHmac("sha256", DOWNLOAD_KEY).update(payload).digest("base64url");
  return `${origin}/_download/${payload}.${signature}`;
}

/** The drive and item a download token names, or undefined when it is forged, expired or the item is gone. */
export function readDownloadToken(
  state: EmulatorState,
  token: string,
): { drive: StoredDrive; item: StoredDriveItem } | "expired" | undefined {
  const [payload = "", signature = ""] = token.split(".");
  const expected = createHmac("sha256", DOWNLOAD_KEY).update(payload).digest("base64url");
  if (signature !== expected) return undefined;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { d: string; i: string; e: number };
  if (claims.e < Date.now()) return "expired";
  const drive = findDriveById(state, claims.d);
  const item = drive?.items.get(claims.i);
  return drive && item?.kind === "file" ? { drive, item } : undefined;
}

/** A driveItem as Graph returns it, with `select` applied (Graph's default properties without). */
export function presentItem(
  context: Pick<GraphContext, "origin">,
  drive: StoredDrive,
  item: StoredDriveItem,
  select?: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const guid = item.id.slice(2, 34);
  const isRoot = item.parentId === null;
  const shared = sharedFacet(drive, item);
  const resource: Record<string, unknown> = {
    ...(item.kind === "file" ? { "@microsoft.graph.downloadUrl": downloadUrl(context.origin, drive, item) } : {}),
    createdBy: identitySet(item.createdBy),
    createdDateTime: item.createdDateTime,
    eTag: `"{${guid}},${item.version}"`,
    id: item.id,
    lastModifiedBy: identitySet(item.lastModifiedBy),
    lastModifiedDateTime: item.lastModifiedDateTime,
    name: item.name,
    parentReference: parentReference(drive, item),
    webUrl: isRoot ? drive.webUrl : webUrlOf(drive, item),
    cTag: `"c:{${guid}},${item.version}"`,
    ...(item.description ? { description: item.description } : {}),
    ...(item.kind === "file"
      ? {
          file: {
            mimeType: item.mimeType ?? mimeTypeOf(item.name),
            hashes: { quickXorHash: hashOf(item.content ?? Buffer.alloc(0)) },
          },
        }
      : { folder: { childCount: childrenOf(drive, item).length } }),
    fileSystemInfo: { createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime },
    ...(item.image ? { image: item.image } : {}),
    ...(isRoot ? { root: {} } : {}),
    ...(shared ? { shared } : {}),
    size: sizeOf(drive, item),
    ...extra,
  };
  return applySelect(resource, DRIVE_ITEM_SCHEMA, select);
}

export function presentDrive(drive: StoredDrive): Record<string, unknown> {
  const used = [...drive.items.values()].reduce((sum, item) => sum + (item.content?.length ?? 0), 0);
  const deleted = drive.recycleBin.reduce((sum, item) => sum + (item.content?.length ?? 0), 0);
  return {
    createdDateTime: drive.createdDateTime,
    description: drive.description,
    id: drive.id,
    lastModifiedDateTime: root(drive).lastModifiedDateTime,
    name: drive.name,
    webUrl: drive.webUrl,
    driveType: drive.driveType,
    createdBy: { user: { displayName: "System Account" } },
    owner: drive.ownerUserId
      ? identitySet(drive.owner)
      : { group: { id: drive.owner.id, displayName: drive.owner.displayName } },
    quota: { deleted, remaining: drive.quotaTotal - used - deleted, state: "normal", total: drive.quotaTotal, used },
  };
}

export function presentSite(site: StoredSite): Record<string, unknown> {
  return {
    createdDateTime: site.createdDateTime,
    description: site.description,
    id: site.id,
    lastModifiedDateTime: site.lastModifiedDateTime,
    name: site.name,
    webUrl: site.webUrl,
    displayName: site.displayName,
    root: {},
    siteCollection: { hostname: site.id.split(",")[0] },
  };
}

const INVALID_NAME = /["*:<>?/\\|]/;
const RESERVED_NAMES = /^(\.lock|con|prn|aux|nul|com\d|lpt\d|desktop\.ini|_vti_)$/i;

/** OneDrive's file name rules. */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new GraphFailure(400, "invalidRequest", "A name is required.");
  }
  if (
    INVALID_NAME.test(name) ||
    RESERVED_NAMES.test(name) ||
    name !== name.trim() ||
    name.endsWith(".") ||
    name.length > 255
  ) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      `The provided name '${name}' is not valid: names cannot contain " * : < > ? / \\ |, start or end with a space, end with a period, or be a reserved name.`,
    );
  }
  return name;
}

export type ConflictBehavior = "rename" | "replace" | "fail";

export function conflictBehavior(value: unknown, fallback: ConflictBehavior): ConflictBehavior {
  if (value === undefined || value === null) return fallback;
  if (value === "rename" || value === "replace" || value === "fail") return value;
  throw new GraphFailure(
    400,
    "invalidRequest",
    `Invalid value '${String(value)}' for @microsoft.graph.conflictBehavior: expected rename, replace or fail.`,
  );
}

/** "notes 1.md", "notes 2.md", ...: the name OneDrive picks on a rename conflict. */
export function uniqueName(drive: StoredDrive, folder: StoredDriveItem, name: string): string {
  if (!childNamed(drive, folder, name)) return name;
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : "";
  for (let n = 1; ; n++) {
    const candidate = `${stem} ${n}${extension}`;
    if (!childNamed(drive, folder, candidate)) return candidate;
  }
}

export function conflict(name: string): GraphFailure {
  return new GraphFailure(409, "nameAlreadyExists", `The specified item name '${name}' already exists.`);
}

function newItemId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return `01${[...randomBytes(32)].map((byte) => alphabet[byte % 32]).join("")}`;
}

/** Marks `item` and its parent folders as changed now by `user`. */
export function touch(drive: StoredDrive, item: StoredDriveItem, by: Identity): void {
  const now = isoSeconds(Date.now());
  item.lastModifiedDateTime = now;
  item.lastModifiedBy = by;
  item.version++;
  const parent = item.parentId ? drive.items.get(item.parentId) : undefined;
  if (parent) parent.lastModifiedDateTime = now;
}

export function createItem(
  drive: StoredDrive,
  parent: StoredDriveItem,
  name: string,
  kind: "folder" | "file",
  by: Identity,
  content?: Buffer,
): StoredDriveItem {
  const now = isoSeconds(Date.now());
  const item: StoredDriveItem = {
    id: newItemId(),
    name,
    parentId: parent.id,
    kind,
    ...(kind === "file"
      ? {
          mimeType: mimeTypeOf(name),
          content: content ?? Buffer.alloc(0),
          text: indexableText(name, content ?? Buffer.alloc(0)),
        }
      : {}),
    createdDateTime: now,
    lastModifiedDateTime: now,
    createdBy: by,
    lastModifiedBy: by,
    version: 1,
    permissions: [],
  };
  drive.items.set(item.id, item);
  parent.lastModifiedDateTime = now;
  return item;
}

/** Folders along `segments` below `base`, created where missing (as a PUT by path does). */
export function ensureFolders(
  drive: StoredDrive,
  base: StoredDriveItem,
  segments: readonly string[],
  by: Identity,
): StoredDriveItem {
  let current = base;
  for (const segment of segments) {
    if (current.kind !== "folder")
      throw new GraphFailure(400, "invalidRequest", `'${current.name}' is a file, not a folder.`);
    current = childNamed(drive, current, segment) ?? createItem(drive, current, checkName(segment), "folder", by);
  }
  if (current.kind !== "folder")
    throw new GraphFailure(400, "invalidRequest", `'${current.name}' is a file, not a folder.`);
  return current;
}

/**
 * Stores `content` as `name` in `parent` under a conflict behaviour: a new
 * file (created: true), the existing file replaced, or a renamed new file.
 */
export function writeFile(
  drive: StoredDrive,
  parent: StoredDriveItem,
  name: string,
  content: Buffer,
  behavior: ConflictBehavior,
  by: Identity,
): { item: StoredDriveItem; created: boolean } {
  checkName(name);
  const existing = childNamed(drive, parent, name);
  if (existing) {
    if (behavior === "fail") throw conflict(name);
    if (behavior === "replace") {
      if (existing.kind === "folder") throw conflict(name);
      replaceContent(drive, existing, content, by);
      return { item: existing, created: false };
    }
    return { item: createItem(drive, parent, uniqueName(drive, parent, name), "file", by, content), created: true };
  }
  return { item: createItem(drive, parent, name, "file", by, content), created: true };
}

export function replaceContent(drive: StoredDrive, item: StoredDriveItem, content: Buffer, by: Identity): void {
  item.content = content;
  item.text = indexableText(item.name, content);
  delete item.image;
  touch(drive, item, by);
}

function isWithin(drive: StoredDrive, item: StoredDriveItem, ancestor: StoredDriveItem): boolean {
  for (
    let current: StoredDriveItem | undefined = item;
    current;
    current = current.parentId ? drive.items.get(current.parentId) : undefined
  ) {
    if (current.id === ancestor.id) return true;
  }
  return false;
}

/** PATCH: rename and/or move within the drive. */
export function moveItem(
  drive: StoredDrive,
  item: StoredDriveItem,
  changes: { name?: string; parentId?: string; description?: string },
  by: Identity,
): void {
  if (item.parentId === null && (changes.name !== undefined || changes.parentId !== undefined)) {
    throw new GraphFailure(400, "invalidRequest", "The root folder cannot be renamed or moved.");
  }
  const parent =
    changes.parentId !== undefined ? findItem(drive, changes.parentId) : drive.items.get(item.parentId ?? "");
  const name = changes.name !== undefined ? checkName(changes.name) : item.name;
  if (parent && changes.parentId !== undefined) {
    if (parent.kind !== "folder") throw new GraphFailure(400, "invalidRequest", "The destination is not a folder.");
    if (isWithin(drive, parent, item))
      throw new GraphFailure(400, "invalidRequest", "A folder cannot be moved into itself or one of its subfolders.");
  }
  if (parent) {
    const clash = childNamed(drive, parent, name);
    if (clash && clash.id !== item.id) throw conflict(name);
    item.parentId = parent.id;
  }
  item.name = name;
  if (changes.description !== undefined) item.description = changes.description;
  touch(drive, item, by);
}

/** DELETE: the item and everything in it go to the recycle bin. */
export function deleteItem(drive: StoredDrive, item: StoredDriveItem): void {
  if (item.parentId === null) throw new GraphFailure(403, "accessDenied", "The root folder cannot be deleted.");
  const doomed = [...drive.items.values()].filter((candidate) => isWithin(drive, candidate, item));
  for (const gone of doomed) drive.items.delete(gone.id);
  drive.recycleBin.push(...doomed);
  const parent = drive.items.get(item.parentId);
  if (parent) parent.lastModifiedDateTime = isoSeconds(Date.now());
}

export function userIdentity(context: GraphContext): Identity {
  return identityOf(context.user);
}

export function newPermissionId(): string {
  return randomUUID();
}

/** A group's drive: its team site's first library, for the group's members (and anyone, for a public group). */
function groupDrive(context: GraphContext): StoredDrive {
  const group = groupFor(context.state, context.params.groupId!, context.user);
  const drive = context.state.sites.find((site) => site.name === group.siteName)?.drives[0];
  if (!drive) throw new GraphFailure(404, "itemNotFound", "The group has no document library.");
  return drive;
}
