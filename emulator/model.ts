/** The shapes the emulator keeps per user: Graph's resource types plus what the store needs besides. */
import type { Calendar, Contact, Event, FileAttachment, MailFolder, Message } from "@microsoft/microsoft-graph-types";
import type { TodoStore } from "./data/todo.ts";
import type { StoredDrive } from "./data/drive.ts";

/** Mail folders that Graph also accepts by name wherever a folder id goes. */
export const WELL_KNOWN_FOLDER_NAMES = [
  "msgfolderroot",
  "inbox",
  "sentitems",
  "drafts",
  "archive",
  "deleteditems",
  "junkemail",
  "outbox",
  "conversationhistory",
] as const;

export type WellKnownFolderName = (typeof WELL_KNOWN_FOLDER_NAMES)[number];

export interface StoredFolder extends MailFolder {
  id: string;
  displayName: string;
  /** Null for the root folder. */
  parentFolderId: string | null;
  /** Not part of Graph's v1.0 mailFolder: the store's way to resolve "inbox" and friends. */
  wellKnownName?: WellKnownFolderName;
}

/** A file attachment; shared between resets, so never mutated. */
export interface StoredAttachment extends FileAttachment {
  "@odata.type": "#microsoft.graph.fileAttachment";
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentBytes: string;
}

export interface StoredMessage extends Message {
  id: string;
  parentFolderId: string;
  conversationId: string;
  receivedDateTime: string;
  changeKey: string;
  attachments: StoredAttachment[];
}

export interface Mailbox {
  folders: StoredFolder[];
  /** By message id. */
  messages: Map<string, StoredMessage>;
}

export interface StoredEvent extends Event {
  id: string;
  /** The calendar the event is in (store only: Graph's event has no such property). */
  calendarId: string;
  /**
   * Series masters (store only): occurrences changed (the changed properties)
   * or deleted (null), by their original start as wall-clock time in the
   * series' time zone ("2026-11-23T08:45:00").
   */
  exceptions?: Record<string, Partial<Event> | null>;
}

/** A calendar of the user's (Graph's calendar resource). */
export interface StoredCalendar extends Calendar {
  id: string;
  name: string;
  isDefaultCalendar: boolean;
  canEdit: boolean;
}

export interface StoredContact extends Contact {
  id: string;
}

/** Everything one demo user owns. */
export interface UserData {
  mailbox: Mailbox;
  /** Events of all the user's calendars (each names its calendar). */
  events: StoredEvent[];
  calendars: StoredCalendar[];
  contacts: StoredContact[];
  /** Microsoft To Do: lists and their tasks. */
  todo: TodoStore;
  /** The user's OneDrive. */
  drive: StoredDrive;
}
