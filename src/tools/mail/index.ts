/** Mail: the workload's tools, in the order clients list them, and its resources. */
import { listMailFolders } from "./folders.ts";
import { getAttachment, getEmail, getEmails, searchEmails } from "./read.ts";
import { messageResource } from "./resources.ts";
import {
  createDraft,
  deleteEmail,
  forwardEmail,
  moveEmail,
  replyToEmail,
  sendDraft,
  sendEmail,
  updateEmail,
} from "./write.ts";

export const mailTools = [
  getEmails,
  searchEmails,
  getEmail,
  getAttachment,
  listMailFolders,
  sendEmail,
  replyToEmail,
  forwardEmail,
  createDraft,
  sendDraft,
  moveEmail,
  updateEmail,
  deleteEmail,
];

export const mailResources = [messageResource];
