/** The mail folder tree, with unread and total counts. */
import type { MailFolder } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import type { GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { folderSegment, idSegment } from "./inputs.ts";

const FOLDER_FIELDS = "id,displayName,childFolderCount,unreadItemCount,totalItemCount";
/** Folders per request; a mailbox with more in one place is rare, and the note says so. */
const FOLDERS_PER_LEVEL = 100;
/** Child folder requests per call, however deep the tree. */
const MAX_FOLDER_REQUESTS = 25;

const folderSummary = z.object({
  id: z.string(),
  path: z.string(),
  unread: z.number(),
  total: z.number(),
  childFolderCount: z.number(),
});
type FolderSummary = z.infer<typeof folderSummary>;

export const listMailFolders = defineTool({
  name: "listMailFolders",
  title: "List mail folders",
  description:
    "List mail folders with unread and total counts and ids, subfolders included, to pick a folder for getEmails or moveEmail.",
  input: {
    parentFolder: z.string().optional().describe("List under this folder (name or id); default: top level"),
    depth: z.number().int().min(1).max(5).default(2).describe("Subfolder levels to include"),
  },
  output: { folders: z.array(folderSummary) },
  scopes: ["Mail.Read"],
  access: "read",
  cacheKind: "mail",
  async run({ parentFolder, depth }, { graph }) {
    const folders: (FolderSummary & { name: string; level: number })[] = [];
    let requests = 0;
    const notes: string[] = [];
    const visit = async (path: string, prefix: string, level: number): Promise<void> => {
      requests++;
      const page = await graph.get<GraphPage<MailFolder>>(path, {
        query: { $top: FOLDERS_PER_LEVEL, $select: FOLDER_FIELDS },
      });
      for (const folder of page.value) {
        const name = folder.displayName ?? "(unnamed)";
        const summary = {
          id: folder.id ?? "",
          path: prefix ? `${prefix}/${name}` : name,
          unread: folder.unreadItemCount ?? 0,
          total: folder.totalItemCount ?? 0,
          childFolderCount: folder.childFolderCount ?? 0,
          name,
          level,
        };
        folders.push(summary);
        if (summary.childFolderCount === 0 || level >= depth) continue;
        if (requests >= MAX_FOLDER_REQUESTS) {
          notes.push(`Subfolders of ${summary.path} not listed; call again with parentFolder set to its id.`);
          continue;
        }
        // Depth first: each folder's subfolders follow it, so the text reads as a tree.
        await visit(`/me/mailFolders/${idSegment(summary.id, "id")}/childFolders`, summary.path, level + 1);
      }
      if (page["@odata.nextLink"]) {
        notes.push(
          `${prefix || "The top level"} has more than ${FOLDERS_PER_LEVEL} folders; the first ${FOLDERS_PER_LEVEL} are listed.`,
        );
      }
    };
    const start = parentFolder
      ? `/me/mailFolders/${folderSegment(parentFolder, "parentFolder").segment}/childFolders`
      : "/me/mailFolders";
    await visit(start, "", 1);
    const unread = folders.reduce((sum, folder) => sum + folder.unread, 0);
    const heading = parentFolder ? `Folders under ${parentFolder}` : "Mail folders";
    if (folders.length === 0) return { text: `${heading}: none.`, structured: { folders: [] } };
    const lines = [
      `${heading}: ${folders.length}, ${unread} unread message${unread === 1 ? "" : "s"}.`,
      ...folders.map(
        (folder) =>
          `${"  ".repeat(folder.level - 1)}- ${folder.name}: ${folder.unread} unread / ${folder.total} total${folder.childFolderCount && folder.level >= depth ? ` (+${folder.childFolderCount} subfolders)` : ""} | id: ${folder.id}`,
      ),
      ...notes,
    ];
    return {
      text: lines.join("\n"),
      structured: { folders: folders.map(({ name: _name, level: _level, ...folder }) => folder) },
    };
  },
});
