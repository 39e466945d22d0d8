/**
 * Files in OneDrive and SharePoint document libraries: list, search, details,
 * read (text, code, Office documents), upload (small, or large through an
 * upload session), folders, move and rename, delete, sharing links; and the
 * `microsoft://files/{id}` resource.
 */
import { getFileMetadata, listFiles, readFile, searchFiles } from "./read.ts";
import { fileResource } from "./resources.ts";
import { createFolder, deleteItem, moveItem, shareFile, uploadFile } from "./write.ts";

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

export const fileResources = [fileResource];
