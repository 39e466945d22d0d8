/**
 * Files in OneDrive and SharePoint document libraries: list, search, details,
 * read (text, code, Office documents), upload (small, or large through an
 * upload session), folders, move and rename, delete, sharing links; and the
 * `microsoft://files/{id}` resource.
 */
import type { DriveItem, IdentitySet, Permission } from "@microsoft/microsoft-graph-types";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { GraphError, ToolError, toolErrorFromGraph } from "../graph/errors.ts";
import { defineTool, type ToolContext } from "./spec.ts";
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
} from "./files-upload.ts";
import { clip, shortDateTime } from "./format.ts";
import { officeText, type OfficeKind } from "./ooxml.ts";

/** Delegated permissions: the user's own OneDrive, plus SharePoint libraries (.All / Sites). */
const READ_SCOPES = ["Files.Read", "Sites.Read.All"];
const WRITE_SCOPES = ["Files.ReadWrite", "Files.ReadWrite.All"];

const LIST_FIELDS = "id,name,size,folder,file,lastModifiedDateTime,lastModifiedBy,parentReference";
const DETAIL_FIELDS =
  "id,name,size,folder,file,createdDateTime,createdBy,lastModifiedDateTime,lastModifiedBy,parentReference,webUrl,shared,description";
/** readFile downloads at most this much. */
const READ_MAX_BYTES = 10 * 1024 * 1024;
const RESOURCE_MAX_CHARS = 100_000;

// Ids go into Graph paths: only the characters Graph's drive, item and site ids use.
const ITEM_ID = /^[\w!-]{1,200}$/;
const SITE_ID = /^[\w-]+(?:[.,][\w-]+){0,8}$/;
const NAME_FORBIDDEN = /["*:<>?\\|]/;

// Checked by refinements, which stay out of the listed JSON schema (its regexes cost tokens on every turn).
const itemIdInput = z
  .string()
  .refine((value) => ITEM_ID.test(value), "not an item id; use one listFiles or searchFiles gave");
const driveIdInput = z
  .string()
  .refine((value) => ITEM_ID.test(value) || SITE_ID.test(value), "not a drive id (b!…) or site id (host,guid,guid)")
  .optional()
  .describe("Library drive id or site id; default: your OneDrive");
const pathInput = z.string().refine((value) => value.length > 0 && value.length <= 1000, "a path of 1-1000 characters");
const nameInput = z.string().refine((value) => value.length > 0 && value.length <= 255, "a name of 1-255 characters");
const countInput = z.number().int().min(1).max(50).default(20).describe("Page size");
const cursorInput = z.string().optional().describe("nextCursor of the previous page");
const conflictInput = z.enum(["fail", "replace", "rename"]).default("fail").describe("If the name exists");

const itemSummary = z.object({
  id: z.string(),
  name: z.string(),
  folder: z.boolean(),
  size: z.string(),
  modified: z.string(),
  modifiedBy: z.string(),
  path: z.string().optional(),
});
type ItemSummary = z.infer<typeof itemSummary>;

const listingOutput = {
  driveId: z.string(),
  items: z.array(itemSummary),
  nextCursor: z.string().optional(),
};

interface ItemPage {
  value: DriveItem[];
  "@odata.nextLink"?: string;
}

function invalid(message: string): ToolError {
  return new ToolError("invalid_input", message);
}

/**
 * The Graph path of the drive: /me/drive, /drives/{id}, or /sites/{id}/drive
 * for a site id (site ids hold commas, drive ids never do).
 */
function drivePath(driveId: string | undefined): string {
  if (!driveId) return "/me/drive";
  if (driveId.includes(",")) return `/sites/${encodeURIComponent(driveId)}/drive`;
  return `/drives/${encodeURIComponent(driveId)}`;
}

/** A path's segments, checked: no "." or "..", no characters OneDrive forbids in names. */
function pathSegments(path: string, field: string): string[] {
  const segments = path.split("/").filter((segment) => segment !== "");
  for (const segment of segments) {
    if (segment === "." || segment === ".." || NAME_FORBIDDEN.test(segment)) {
      throw invalid(`${field}: "${segment}" is not a valid file or folder name (no . or .., nor " * : < > ? \\ |).`);
    }
  }
  return segments;
}

/** The Graph address of an item: by id, by path from the root ("root:/a/b:"), or the root. */
function itemAddress(
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
function folderPathOf(item: DriveItem): string | undefined {
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

function fullPathOf(item: DriveItem): string | undefined {
  if (item.root) return "/";
  const folder = folderPathOf(item);
  return folder === undefined ? undefined : `${folder === "/" ? "" : folder}/${item.name ?? ""}`;
}

function personOf(identity: IdentitySet | null | undefined): string {
  return identity?.user?.displayName ?? identity?.application?.displayName ?? "";
}

function summarize(item: DriveItem, withPath = false): ItemSummary {
  const isFolder = Boolean(item.folder);
  const path = withPath ? folderPathOf(item) : undefined;
  return {
    id: item.id ?? "",
    name: item.name ?? "",
    folder: isFolder,
    size: humanSize(item.size),
    modified: shortDateTime(item.lastModifiedDateTime),
    modifiedBy: personOf(item.lastModifiedBy),
    ...(path !== undefined ? { path } : {}),
  };
}

function renderItem(item: DriveItem, index: number, withPath = false): string {
  const summary = summarize(item, withPath);
  const what = item.folder
    ? `${summary.name}/ · folder, ${count(item.folder.childCount, "item")}`
    : `${summary.name} · ${summary.size}`;
  const where = summary.path !== undefined ? ` · in ${summary.path}` : "";
  const by = summary.modifiedBy ? ` by ${summary.modifiedBy}` : "";
  return `${index + 1}. ${what}${where} · ${summary.modified}${by} · id ${summary.id}`;
}

function driveLabel(driveId: string | undefined): string {
  if (!driveId) return "your OneDrive";
  return driveId.includes(",") ? `site ${driveId}` : `drive ${driveId}`;
}

/** "1 item", "5 items". */
function count(n: number | null | undefined, noun: string): string {
  return `${n ?? 0} ${noun}${n === 1 ? "" : "s"}`;
}

function renderListing(heading: string, items: DriveItem[], nextCursor: string | undefined, withPath = false): string {
  if (items.length === 0) return `${heading}: nothing.`;
  const lines = [
    `${heading}: ${count(items.length, "item")}.`,
    ...items.map((item, index) => renderItem(item, index, withPath)),
  ];
  if (nextCursor) lines.push(`More: call again with cursor "${nextCursor}".`);
  return lines.join("\n");
}

/** A Graph 409 on create, upload or move, as something a model can act on. */
function nameConflict(error: unknown, name: string): unknown {
  if (error instanceof GraphError && error.status === 409) {
    return new ToolError(
      "conflict",
      `"${name}" already exists there; pass conflict "replace" to overwrite it or "rename" to keep both.`,
    );
  }
  return error;
}

export const listFiles = defineTool({
  name: "listFiles",
  title: "List files",
  description:
    "List a OneDrive or SharePoint folder's files and subfolders with sizes, dates and ids; searchFiles finds files by name or content.",
  input: {
    path: pathInput.optional().describe('Folder path, e.g. "/Documents"; default: top'),
    folderId: itemIdInput.optional().describe("Or the folder id"),
    count: countInput,
    orderBy: z.enum(["name", "newest"]).default("name").describe("Sort order"),
    cursor: cursorInput,
    driveId: driveIdInput,
  },
  output: listingOutput,
  scopes: READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ path, folderId, count, orderBy, cursor, driveId }, { graph }) {
    const drive = drivePath(driveId);
    const address = itemAddress(drive, folderId, path, "path", "folderId");
    const page = await graph.get<ItemPage>(cursor ?? `${address}/children`, {
      query: cursor
        ? undefined
        : {
            $top: count,
            $select: LIST_FIELDS,
            $orderby: orderBy === "newest" ? "lastModifiedDateTime desc" : "name",
          },
    });
    const items = page.value.map((item) => summarize(item));
    const nextCursor = page["@odata.nextLink"];
    const first = page.value[0];
    const folder = first ? folderPathOf(first) : undefined;
    const label =
      folder ?? (path !== undefined ? `/${pathSegments(path, "path").join("/")}` : `folder ${folderId ?? "/"}`);
    return {
      text: renderListing(`${label} in ${driveLabel(driveId)}`, page.value, nextCursor),
      structured: {
        driveId: first?.parentReference?.driveId ?? driveId ?? "",
        items,
        ...(nextCursor ? { nextCursor } : {}),
      },
    };
  },
});

export const searchFiles = defineTool({
  name: "searchFiles",
  title: "Search files",
  description:
    "Find files in OneDrive or one SharePoint library by words in name or content; searchMicrosoft365 searches mail, events and all sites.",
  input: {
    query: z
      .string()
      .trim()
      .refine((value) => value.length > 0 && value.length <= 300, "1-300 characters")
      .describe("Words to look for"),
    count: countInput,
    cursor: cursorInput,
    driveId: driveIdInput,
  },
  output: listingOutput,
  scopes: READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ query, count, cursor, driveId }, { graph }) {
    const drive = drivePath(driveId);
    // OData string literal: a single quote is written twice.
    const literal = encodeURIComponent(query.replace(/'/g, "''"));
    const page = await graph.get<ItemPage>(cursor ?? `${drive}/root/search(q='${literal}')`, {
      query: cursor ? undefined : { $top: count, $select: LIST_FIELDS },
    });
    const items = page.value.map((item) => summarize(item, true));
    const nextCursor = page["@odata.nextLink"];
    return {
      text: renderListing(`Files matching "${query}" in ${driveLabel(driveId)}`, page.value, nextCursor, true),
      structured: {
        driveId: page.value[0]?.parentReference?.driveId ?? driveId ?? "",
        items,
        ...(nextCursor ? { nextCursor } : {}),
      },
    };
  },
});

const itemInput = {
  itemId: itemIdInput.optional().describe("Item id"),
  path: pathInput.optional().describe('Or its path, e.g. "/Documents/a.md"'),
  driveId: driveIdInput,
};

function requireItem(itemId: string | undefined, path: string | undefined): void {
  if (itemId === undefined && path === undefined) throw invalid("itemId, path: give the item's id or its path.");
}

function sharingOf(item: DriveItem): string {
  const scope = item.shared?.scope;
  if (!scope) return "not shared";
  return scope === "anonymous"
    ? "shared: anyone with the link"
    : scope === "organization"
      ? "shared: people in your organization"
      : "shared: specific people";
}

/** "Word document", "PDF", "folder": what a file is, for people. */
function typeOf(item: DriveItem): string {
  if (item.folder) return "folder";
  const extension = extensionOf(item.name ?? "");
  const known: Record<string, string> = {
    docx: "Word document",
    doc: "Word 97-2003 document",
    xlsx: "Excel workbook",
    xls: "Excel 97-2003 workbook",
    pptx: "PowerPoint presentation",
    ppt: "PowerPoint 97-2003 presentation",
    pdf: "PDF",
  };
  return known[extension] ?? item.file?.mimeType ?? "file";
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export const getFileMetadata = defineTool({
  name: "getFileMetadata",
  title: "File details",
  description: "A file or folder's path, type, size, creation and last change (when, who), sharing state and web link.",
  input: itemInput,
  output: {
    id: z.string(),
    name: z.string(),
    path: z.string(),
    type: z.string(),
    size: z.string(),
    created: z.string(),
    createdBy: z.string(),
    modified: z.string(),
    modifiedBy: z.string(),
    shared: z.string(),
    webUrl: z.string(),
    driveId: z.string(),
  },
  scopes: READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ itemId, path, driveId }, { graph }) {
    requireItem(itemId, path);
    const item = await graph.get<DriveItem>(itemAddress(drivePath(driveId), itemId, path), {
      query: { $select: DETAIL_FIELDS },
    });
    const details = {
      id: item.id ?? "",
      name: item.name ?? "",
      path: fullPathOf(item) ?? "",
      type: typeOf(item),
      size: humanSize(item.size),
      created: shortDateTime(item.createdDateTime),
      createdBy: personOf(item.createdBy),
      modified: shortDateTime(item.lastModifiedDateTime),
      modifiedBy: personOf(item.lastModifiedBy),
      shared: sharingOf(item),
      webUrl: item.webUrl ?? "",
      driveId: item.parentReference?.driveId ?? driveId ?? "",
    };
    const lines = [
      `${details.name} (${details.type}${item.folder ? `, ${count(item.folder.childCount, "item")}` : ""}, ${details.size})`,
      `Path: ${details.path}`,
      `Created: ${details.created} by ${details.createdBy}`,
      `Modified: ${details.modified} by ${details.modifiedBy}`,
      `Sharing: ${details.shared}`,
      ...(item.description ? [`Description: ${clip(item.description, 300)}`] : []),
      `Web: ${details.webUrl}`,
      `id: ${details.id} · driveId: ${details.driveId}`,
    ];
    return { text: lines.join("\n"), structured: details };
  },
});

const TEXT_EXTENSIONS = new Set(
  (
    "txt md markdown csv tsv json jsonl xml yaml yml toml ini cfg conf log sql html htm css scss less svg " +
    "js mjs cjs ts tsx jsx py rb php java kt kts swift go rs c h cc cpp hpp cs vb fs ps1 psm1 sh bash zsh bat cmd " +
    "r m scala lua pl dart gradle properties env tex rst vtt srt ics vcf"
  ).split(" "),
);
const OFFICE: Record<string, OfficeKind> = {
  docx: "docx",
  docm: "docx",
  dotx: "docx",
  xlsx: "xlsx",
  xlsm: "xlsx",
  pptx: "pptx",
  ppsx: "pptx",
};

function isTextMime(mime: string | null | undefined): boolean {
  return Boolean(
    mime && (mime.startsWith("text/") || /^application\/(json|xml|javascript|x-sh|x-yaml|ld\+json)/.test(mime)),
  );
}

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; undefined when the bytes look binary. */
function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  return new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
}

const HTML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** The readable text of an HTML page: no head, scripts or styles; blocks on their own lines; links kept. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<a\b[^>]*?href\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/a\s*>/gi, (_all, href: string, label: string) => {
      const text = label.replace(/<[^>]+>/g, "").trim();
      return href && !href.startsWith("#") && text !== href ? `${label} (${href})` : label;
    })
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/(p|div|h[1-6]|ul|ol|table|tr|section|article|header|footer|blockquote|pre)\s*>/gi, "\n")
    .replace(/<\/t[dh]\s*>/gi, "\t")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] !== "#") return HTML_ENTITIES[entity.toLowerCase()] ?? whole;
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n[ \t]+/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

interface ReadText {
  item: DriveItem;
  /** The whole text, or undefined when the file is not readable as text. */
  text: string | undefined;
}

/** Downloads an item and extracts its text (plain text, code, HTML, Word, Excel, PowerPoint). */
async function readItemText(context: Pick<ToolContext, "graph">, address: string, drive: string): Promise<ReadText> {
  const { graph } = context;
  const item = await graph.get<DriveItem>(address, {
    query: { $select: "id,name,size,file,folder,package,webUrl,lastModifiedDateTime,lastModifiedBy,parentReference" },
  });
  if (item.folder || item.package) {
    throw invalid(`"${item.name}" is a folder; use listFiles to see what is in it.`);
  }
  const extension = extensionOf(item.name ?? "");
  const office = OFFICE[extension];
  const textual = TEXT_EXTENSIONS.has(extension) || (extension === "" && isTextMime(item.file?.mimeType));
  if (!office && !textual) return { item, text: undefined };
  if ((item.size ?? 0) > READ_MAX_BYTES) {
    throw new ToolError(
      "payload_too_large",
      `"${item.name}" is ${humanSize(item.size)}; this tool reads files up to ${humanSize(READ_MAX_BYTES)}. Open it on the web: ${item.webUrl ?? ""}`,
    );
  }
  const { bytes } = await graph.getBytes(`${drive}/items/${encodeURIComponent(item.id ?? "")}/content`, READ_MAX_BYTES);
  if (office) return { item, text: await officeText(bytes, office) };
  const decoded = decodeText(bytes);
  if (decoded === undefined) return { item, text: undefined };
  return { item, text: extension === "html" || extension === "htm" ? htmlToText(decoded) : decoded };
}

function notReadable(item: DriveItem): string {
  return `"${item.name}" is a ${typeOf(item)} (${humanSize(item.size)}), which this tool cannot read as text. Open it on the web: ${item.webUrl ?? "(no link)"}`;
}

export const readFile = defineTool({
  name: "readFile",
  title: "Read file",
  description:
    "Read a file's text (text, code, CSV, JSON, HTML, Word, Excel, PowerPoint); long text comes in parts via offset.",
  input: {
    ...itemInput,
    maxChars: z.number().int().min(500).max(100_000).default(20_000).describe("Characters per part"),
    offset: z.number().int().min(0).max(1e9).default(0).describe("Start character, to continue"),
  },
  scopes: READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ itemId, path, driveId, maxChars, offset }, context) {
    requireItem(itemId, path);
    const drive = drivePath(driveId);
    const { item, text } = await readItemText(context, itemAddress(drive, itemId, path), drive);
    if (text === undefined) return { text: notReadable(item) };
    if (offset > 0 && offset >= text.length) {
      throw invalid(`offset: the text has ${text.length} characters; start below that.`);
    }
    const part = text.slice(offset, offset + maxChars);
    const end = offset + part.length;
    const header = `${item.name} (${typeOf(item)}, ${humanSize(item.size)}, modified ${shortDateTime(item.lastModifiedDateTime)}${item.lastModifiedBy ? ` by ${personOf(item.lastModifiedBy)}` : ""}) · id ${item.id}`;
    const note =
      end < text.length
        ? `\n---\n[Cut: characters ${offset}-${end} of ${text.length}. Call again with offset ${end} for more.]`
        : offset > 0
          ? `\n---\n[Characters ${offset}-${end} of ${text.length}: the end.]`
          : "";
    return { text: `${header}\n---\n${part || "(empty file)"}${note}` };
  },
});

function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64.replace(/\s+/g, ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function base64ByteLength(base64: string): number {
  const clean = base64.replace(/\s+/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

function tooLargeInline(bytes: number): ToolError {
  return new ToolError(
    "payload_too_large",
    `Inline content is ${(bytes / 1_000_000).toFixed(1)} MB; text and contentBase64 take up to ${INLINE_MAX_BYTES / 1_000_000} MB. For larger files pass sourceUrl (an https URL the server downloads, up to 250 MB).`,
  );
}

/** Where a new item goes: a full path, or a parent folder id and a name. */
function destination(
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

function whereSaved(item: DriveItem): string {
  return fullPathOf(item) ?? item.name ?? "";
}

export const uploadFile = defineTool({
  name: "uploadFile",
  title: "Upload file",
  description:
    "Create or overwrite a file from text, base64 (up to 3 MB) or an https sourceUrl the server fetches (up to 250 MB).",
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
  scopes: WRITE_SCOPES,
  access: "write",
  idempotencyKey: true,
  invalidates: ["files"],
  async run({ path, parentId, name, text, contentBase64, sourceUrl, conflict, driveId }, { graph, progress }) {
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
        const source = await openSource(sourceUrl!, graph.resolveUrl("/").host);
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
  scopes: WRITE_SCOPES,
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
  scopes: WRITE_SCOPES,
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
      if (!target.startsWith("/") && !ITEM_ID.test(target)) {
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
  scopes: WRITE_SCOPES,
  access: "write",
  destructive: true,
  idempotent: true,
  invalidates: ["files"],
  async run({ itemId, driveId }, { graph }) {
    const address = `${drivePath(driveId)}/items/${encodeURIComponent(itemId)}`;
    const item = await graph.get<DriveItem>(address, { query: { $select: "id,name,folder,root" } });
    if (item.root) throw invalid("itemId: that is the drive's top folder, which cannot be deleted.");
    await graph.delete(address);
    const what = item.folder ? `folder ${item.name} and its ${count(item.folder.childCount, "item")}` : item.name;
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
  scopes: WRITE_SCOPES,
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

export const fileTools = [
  listFiles,
  searchFiles,
  getFileMetadata,
  readFile,
  uploadFile,
  createFolder,
  moveItem,
  deleteItem,
  shareFile,
];

/** `microsoft://files/{id}`: the text of a file in the user's OneDrive, as readFile reads it. */
export function registerFileResources(server: McpServer, context: () => ToolContext): void {
  server.registerResource(
    "file",
    new ResourceTemplate("microsoft://files/{id}", { list: undefined }),
    {
      title: "OneDrive file",
      description: "The text of a file in your OneDrive by item id (text, code, Word, Excel, PowerPoint)",
      mimeType: "text/plain",
    },
    async (uri, variables) => {
      const id = String(variables.id ?? "");
      if (!ITEM_ID.test(id)) throw invalid("id: not a OneDrive item id.");
      try {
        const { item, text } = await readItemText(context(), `/me/drive/items/${encodeURIComponent(id)}`, "/me/drive");
        const body =
          text === undefined
            ? notReadable(item)
            : text.length > RESOURCE_MAX_CHARS
              ? `${text.slice(0, RESOURCE_MAX_CHARS)}\n[Cut at ${RESOURCE_MAX_CHARS} of ${text.length} characters; use readFile with offset for more.]`
              : text;
        return { contents: [{ uri: uri.href, mimeType: "text/plain", text: body }] };
      } catch (error) {
        throw error instanceof GraphError ? toolErrorFromGraph(error, READ_SCOPES) : error;
      }
    },
  );
}
