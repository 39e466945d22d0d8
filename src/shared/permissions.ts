/**
 * Every delegated Graph permission the catalog may ask for, in plain words,
 * grouped the way a person thinks of them, with whether only an
 * administrator can grant it ("Admin consent required: Yes" in Microsoft's
 * permissions reference, https://learn.microsoft.com/graph/permissions-reference).
 * The consent pages read the words; the tool pipeline reads `adminOnly`.
 */

export type Area = "Mail" | "Calendar" | "Contacts" | "Teams" | "Groups" | "Files" | "To Do" | "Directory" | "Other";
export type Kind = "read" | "change" | "send";

export interface Permission {
  area: Area;
  kind: Kind;
  /** What it lets the server do, in words a person reads on a consent page. */
  words: string;
  /** Only an administrator can grant it, for the whole organization. */
  adminOnly?: true;
}

export const PERMISSIONS: Readonly<Record<string, Permission>> = {
  "Mail.Read": { area: "Mail", kind: "read", words: "Read your mail" },
  "Mail.ReadWrite": { area: "Mail", kind: "change", words: "Organize, draft, move and delete your mail" },
  "Mail.Send": { area: "Mail", kind: "send", words: "Send mail as you" },
  "Mail.Read.Shared": { area: "Mail", kind: "read", words: "Read shared mailboxes and mail delegated to you" },
  "Mail.Send.Shared": { area: "Mail", kind: "send", words: "Send mail as or on behalf of a shared mailbox" },
  "MailboxSettings.Read": { area: "Mail", kind: "read", words: "Read your mailbox settings, such as your time zone" },
  "Calendars.Read": { area: "Calendar", kind: "read", words: "Read your calendar" },
  "Calendars.ReadWrite": { area: "Calendar", kind: "change", words: "Create, change and delete your events" },
  "Calendars.Read.Shared": {
    area: "Calendar",
    kind: "read",
    words: "See when colleagues are free, and read calendars shared with you",
  },
  "Calendars.ReadWrite.Shared": {
    area: "Calendar",
    kind: "change",
    words: "Create and change events in calendars shared with you or delegated to you",
  },
  "Contacts.Read": { area: "Contacts", kind: "read", words: "Read your contacts" },
  "Contacts.ReadWrite": { area: "Contacts", kind: "change", words: "Create, change and delete your contacts" },
  "People.Read": { area: "Contacts", kind: "read", words: "See the people you work with most" },
  "Team.ReadBasic.All": { area: "Teams", kind: "read", words: "See the teams you belong to" },
  "Channel.ReadBasic.All": { area: "Teams", kind: "read", words: "See the channels of your teams" },
  "ChannelMessage.Read.All": {
    area: "Teams",
    kind: "read",
    words: "Read the messages in your teams' channels",
    adminOnly: true,
  },
  "ChannelMessage.Send": { area: "Teams", kind: "send", words: "Post in your teams' channels as you" },
  "Chat.ReadBasic": { area: "Teams", kind: "read", words: "See your chats and who is in them" },
  "Chat.Read": { area: "Teams", kind: "read", words: "Read your chat messages" },
  "ChatMessage.Send": { area: "Teams", kind: "send", words: "Send chat messages as you" },
  "OnlineMeetings.ReadWrite": { area: "Teams", kind: "change", words: "Create Teams meetings for you" },
  "GroupMember.Read.All": {
    area: "Groups",
    kind: "read",
    words: "See the Microsoft 365 groups you belong to",
    adminOnly: true,
  },
  "Group.Read.All": { area: "Groups", kind: "read", words: "Read your groups' calendars and files", adminOnly: true },
  "Group-Conversation.Read.All": {
    area: "Groups",
    kind: "read",
    words: "Read your groups' conversations",
    adminOnly: true,
  },
  "Group-Conversation.ReadWrite.All": {
    area: "Groups",
    kind: "send",
    words: "Reply in your groups' conversations",
    adminOnly: true,
  },
  "Files.Read": { area: "Files", kind: "read", words: "Read your OneDrive files" },
  "Files.Read.All": { area: "Files", kind: "read", words: "Read every file you can open, shared ones included" },
  "Files.ReadWrite": { area: "Files", kind: "change", words: "Upload, change, move and delete your files" },
  "Files.ReadWrite.All": {
    area: "Files",
    kind: "change",
    words: "Change every file you can open, shared ones included",
  },
  "Sites.Read.All": { area: "Files", kind: "read", words: "Read the SharePoint sites you can open" },
  "Tasks.Read": { area: "To Do", kind: "read", words: "Read your To Do tasks" },
  "Tasks.ReadWrite": { area: "To Do", kind: "change", words: "Create, change and delete your To Do tasks" },
  "User.Read": { area: "Directory", kind: "read", words: "Sign you in and read your profile" },
  "User.ReadBasic.All": {
    area: "Directory",
    kind: "read",
    words: "Read the names and addresses of people in your organization",
  },
  "User.Read.All": {
    area: "Directory",
    kind: "read",
    words: "Read the full profiles of people in your organization",
    adminOnly: true,
  },
};

/** A permission with no entry is still shown, by its name and a guess from it. */
export function permissionOf(scope: string): Permission {
  const known = PERMISSIONS[scope];
  if (known) return known;
  const kind: Kind = /Send/.test(scope) ? "send" : /Write/.test(scope) ? "change" : "read";
  return { area: "Other", kind, words: `Microsoft Graph permission ${scope}` };
}

/** Whether only an administrator can grant `scope`. */
export function needsAdmin(scope: string): boolean {
  return PERMISSIONS[scope]?.adminOnly === true;
}

/** `scopes` minus those `granted` holds (Entra compares permission names without regard to case). */
export function missingScopes(scopes: readonly string[], granted: readonly string[]): string[] {
  const held = new Set(granted.map((scope) => scope.toLowerCase()));
  return [...new Set(scopes)].filter((scope) => !held.has(scope.toLowerCase()));
}

/** "Read your mail" as it reads mid-sentence: "read your mail" (names such as OneDrive keep their capitals). */
export function lowerFirst(words: string): string {
  return words.charAt(0).toLowerCase() + words.slice(1);
}
