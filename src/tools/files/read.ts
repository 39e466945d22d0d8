/** Finding and reading files in OneDrive and SharePoint document libraries. */
import type { DriveItem } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip, plural, shortDateTime } from "../shared/format.ts";
import type { GraphPage } from "../shared/paging.ts";
import { defineTool, type ToolContext } from "../spec.ts";
import { readItemText, notReadable } from "./content.ts";
import { driveLabel, listingOutput, personOf, renderListing, sharingOf, summarize, typeOf } from "./format.ts";
import {
  countInput,
  cursorInput,
  driveIdInput,
  drivePath,
  folderPathOf,
  fullPathOf,
  invalid,
  itemAddress,
  itemIdInput,
  itemInput,
  pathInput,
  pathSegments,
  READ_SCOPES,
  requireItem,
} from "./inputs.ts";
import { humanSize } from "./upload.ts";

const LIST_FIELDS = "id,name,size,folder,file,lastModifiedDateTime,lastModifiedBy,parentReference";
const DETAIL_FIELDS =
  "id,name,size,folder,file,createdDateTime,createdBy,lastModifiedDateTime,lastModifiedBy,parentReference,webUrl,shared,description";

/** One page of a folder's children, as Graph sorts them (by name). */
type ChildrenPage = GraphPage<DriveItem>;

/**
 * OneDrive for Business and SharePoint sort a folder's children by name (and
 * url) only, so "newest" is sorted here: the folder is read whole, up to this
 * many items, and served from the newest down.
 */
const MAX_SORTED_ITEMS = 5000;
const SORTED_PAGE = 999;
/** This tool's own cursor for the next slice of a newest-first listing (Graph has no nextLink for it). */
const NEWEST_CURSOR = "newest:";

interface NewestCursor {
  address: string;
  offset: number;
  count: number;
}

/** "newest:{offset}:{count}:{folder address}"; the pipeline keeps it server-side behind a short id. */
function newestCursor({ address, offset, count }: NewestCursor): string {
  return `${NEWEST_CURSOR}${offset}:${count}:${address}`;
}

function readNewestCursor(cursor: string): NewestCursor | undefined {
  const match = /^newest:(\d+):(\d+):(\/.+)$/.exec(cursor);
  return match ? { offset: Number(match[1]), count: Number(match[2]), address: match[3]! } : undefined;
}

/** Every child of a folder (up to MAX_SORTED_ITEMS), following Graph's pages; `complete` is false when cut. */
async function allChildren(
  graph: ToolContext["graph"],
  address: string,
): Promise<{ items: DriveItem[]; complete: boolean }> {
  const items: DriveItem[] = [];
  let page = await graph.get<ChildrenPage>(`${address}/children`, {
    query: { $top: SORTED_PAGE, $select: LIST_FIELDS, $orderby: "name" },
  });
  items.push(...page.value);
  while (page["@odata.nextLink"] && items.length < MAX_SORTED_ITEMS) {
    page = await graph.get<ChildrenPage>(page["@odata.nextLink"]);
    items.push(...page.value);
  }
  return {
    items: items.slice(0, MAX_SORTED_ITEMS),
    complete: !page["@odata.nextLink"] && items.length <= MAX_SORTED_ITEMS,
  };
}

function newestFirst(a: DriveItem, b: DriveItem): number {
  const difference = Date.parse(b.lastModifiedDateTime ?? "") - Date.parse(a.lastModifiedDateTime ?? "");
  return difference || (a.name ?? "").localeCompare(b.name ?? "");
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
  ...READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ path, folderId, count, orderBy, cursor, driveId }, { graph }) {
    const drive = drivePath(driveId);
    const newest = cursor ? readNewestCursor(cursor) : undefined;
    const address = newest?.address ?? itemAddress(drive, folderId, path, "path", "folderId");
    let items: DriveItem[];
    let nextCursor: string | undefined;
    let note = "";
    if (newest || (!cursor && orderBy === "newest")) {
      const size = newest?.count ?? count;
      const offset = newest?.offset ?? 0;
      const whole = await allChildren(graph, address);
      const sorted = whole.items.sort(newestFirst);
      items = sorted.slice(offset, offset + size);
      if (offset + size < sorted.length) {
        nextCursor = newestCursor({ address, offset: offset + size, count: size });
      }
      note = whole.complete
        ? ` (newest first, ${offset + 1}-${offset + items.length} of ${sorted.length})`
        : ` (newest first among the first ${MAX_SORTED_ITEMS} by name: the folder has more)`;
    } else {
      const page = await graph.get<ChildrenPage>(cursor ?? `${address}/children`, {
        query: cursor ? undefined : { $top: count, $select: LIST_FIELDS, $orderby: "name" },
      });
      items = page.value;
      nextCursor = page["@odata.nextLink"];
    }
    const first = items[0];
    const folder = first ? folderPathOf(first) : undefined;
    const label =
      folder ?? (path !== undefined ? `/${pathSegments(path, "path").join("/")}` : `folder ${folderId ?? "/"}`);
    return {
      text: renderListing(`${label} in ${driveLabel(driveId)}${items.length ? note : ""}`, items, nextCursor),
      structured: {
        driveId: first?.parentReference?.driveId ?? driveId ?? "",
        items: items.map((item) => summarize(item)),
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
  ...READ_SCOPES,
  access: "read",
  cacheKind: "files",
  async run({ query, count, cursor, driveId }, { graph }) {
    const drive = drivePath(driveId);
    // OData string literal: a single quote is written twice.
    const literal = encodeURIComponent(query.replace(/'/g, "''"));
    const page = await graph.get<GraphPage<DriveItem>>(cursor ?? `${drive}/root/search(q='${literal}')`, {
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
  ...READ_SCOPES,
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
      `${details.name} (${details.type}${item.folder ? `, ${plural(item.folder.childCount, "item")}` : ""}, ${details.size})`,
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
  ...READ_SCOPES,
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
