/** Files and folders as a model reads them. */
import type { DriveItem, IdentitySet } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { plural, shortDateTime } from "../shared/format.ts";
import { moreLine } from "../shared/paging.ts";
import { folderPathOf } from "./inputs.ts";
import { humanSize } from "./upload.ts";

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

export const listingOutput = {
  driveId: z.string(),
  items: z.array(itemSummary),
  nextCursor: z.string().optional(),
};

/** The name of the user or app in an identity set. */
export function personOf(identity: IdentitySet | null | undefined): string {
  return identity?.user?.displayName ?? identity?.application?.displayName ?? "";
}

/** An item as a listing shows it; with `withPath`, the folder it is in. */
export function summarize(item: DriveItem, withPath = false): ItemSummary {
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
    ? `${summary.name}/ · folder, ${plural(item.folder.childCount, "item")}`
    : `${summary.name} · ${summary.size}`;
  const where = summary.path !== undefined ? ` · in ${summary.path}` : "";
  const by = summary.modifiedBy ? ` by ${summary.modifiedBy}` : "";
  return `${index + 1}. ${what}${where} · ${summary.modified}${by} · id ${summary.id}`;
}

/** "your OneDrive", "drive b!…" or "site host,guid,guid", for headings. */
export function driveLabel(driveId: string | undefined): string {
  if (!driveId) return "your OneDrive";
  return driveId.includes(",") ? `site ${driveId}` : `drive ${driveId}`;
}

/** A heading and one numbered line per item. */
export function renderListing(
  heading: string,
  items: DriveItem[],
  nextCursor: string | undefined,
  withPath = false,
): string {
  if (items.length === 0) return `${heading}: nothing.`;
  const lines = [
    `${heading}: ${plural(items.length, "item")}.`,
    ...items.map((item, index) => renderItem(item, index, withPath)),
  ];
  lines.push(...moreLine(nextCursor));
  return lines.join("\n");
}

/** Who can open the item through links, in words. */
export function sharingOf(item: DriveItem): string {
  const scope = item.shared?.scope;
  if (!scope) return "not shared";
  return scope === "anonymous"
    ? "shared: anyone with the link"
    : scope === "organization"
      ? "shared: people in your organization"
      : "shared: specific people";
}

/** "Word document", "PDF", "folder": what a file is, for people. */
export function typeOf(item: DriveItem): string {
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

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}
