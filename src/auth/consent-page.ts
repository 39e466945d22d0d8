import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import { escapeHtml, htmlPage } from "../shared/html.ts";

type Area = "Mail" | "Calendar" | "Contacts" | "Teams" | "Groups" | "Files" | "To Do" | "Directory" | "Other";
type Kind = "read" | "change" | "send";

interface Permission {
  area: Area;
  kind: Kind;
  /** What it lets the server do, in words a person reads on the consent page. */
  words: string;
}

/** Every Graph permission a tool may ask for, in plain words and grouped the way a person thinks of them. */
const PERMISSIONS: Record<string, Permission> = {
  "Mail.Read": { area: "Mail", kind: "read", words: "Read your mail" },
  "Mail.ReadWrite": { area: "Mail", kind: "change", words: "Organize, draft, move and delete your mail" },
  "Mail.Send": { area: "Mail", kind: "send", words: "Send mail as you" },
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
  "Mail.Read.Shared": { area: "Mail", kind: "read", words: "Read shared mailboxes and mail delegated to you" },
  "Mail.Send.Shared": { area: "Mail", kind: "send", words: "Send mail as or on behalf of a shared mailbox" },
  "GroupMember.Read.All": { area: "Groups", kind: "read", words: "See the Microsoft 365 groups you belong to" },
  "Group.Read.All": { area: "Groups", kind: "read", words: "Read your groups' calendars and files" },
  "Group-Conversation.Read.All": { area: "Groups", kind: "read", words: "Read your groups' conversations" },
  "Group-Conversation.ReadWrite.All": { area: "Groups", kind: "send", words: "Reply in your groups' conversations" },
  "Contacts.Read": { area: "Contacts", kind: "read", words: "Read your contacts" },
  "Contacts.ReadWrite": { area: "Contacts", kind: "change", words: "Create, change and delete your contacts" },
  "People.Read": { area: "Contacts", kind: "read", words: "See the people you work with most" },
  "Team.ReadBasic.All": { area: "Teams", kind: "read", words: "See the teams you belong to" },
  "Channel.ReadBasic.All": { area: "Teams", kind: "read", words: "See the channels of your teams" },
  "ChannelMessage.Read.All": { area: "Teams", kind: "read", words: "Read the messages in your teams' channels" },
  "ChannelMessage.Send": { area: "Teams", kind: "send", words: "Post in your teams' channels as you" },
  "Chat.ReadBasic": { area: "Teams", kind: "read", words: "See your chats and who is in them" },
  "Chat.Read": { area: "Teams", kind: "read", words: "Read your chat messages" },
  "ChatMessage.Send": { area: "Teams", kind: "send", words: "Send chat messages as you" },
  "OnlineMeetings.ReadWrite": { area: "Teams", kind: "change", words: "Create Teams meetings for you" },
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
  },
};

const AREAS: readonly Area[] = [
  "Mail",
  "Calendar",
  "Contacts",
  "Teams",
  "Groups",
  "Files",
  "To Do",
  "Directory",
  "Other",
];
const KIND_WORDS: Record<Kind, string> = { read: "read", change: "change", send: "send as you" };

/** A permission this page has no words for yet is still shown, by its name and a guess from it. */
function permissionOf(scope: string): Permission {
  const known = PERMISSIONS[scope];
  if (known) return known;
  const kind: Kind = /Send/.test(scope) ? "send" : /Write/.test(scope) ? "change" : "read";
  return { area: "Other", kind, words: `Microsoft Graph permission ${scope}` };
}

function spokenList(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : (words[0] ?? "");
}

/** One line per area: "Mail: read, change and send as you". */
function summary(scopes: readonly string[]): string {
  const byArea = new Map<Area, Set<Kind>>();
  for (const scope of scopes) {
    const { area, kind } = permissionOf(scope);
    byArea.set(area, (byArea.get(area) ?? new Set()).add(kind));
  }
  return AREAS.filter((area) => byArea.has(area))
    .map((area) => {
      const kinds = (["read", "change", "send"] as const).filter((kind) => byArea.get(area)!.has(kind));
      return `<dt>${escapeHtml(area)}</dt><dd>${escapeHtml(spokenList(kinds.map((kind) => KIND_WORDS[kind])))}</dd>`;
    })
    .join("");
}

/**
 * The page asking whether an MCP client may act for the user in Microsoft 365.
 * Who asks, where access goes and what it allows come first, then the decision;
 * the exact permission list follows, folded, so a phone shows the buttons at once.
 */
export function consentPage(details: ConsentDescription, handle: string, graphScopes: readonly string[]): string {
  const client = escapeHtml(details.clientName || "An unnamed MCP client");
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself; its name is not verified.";
  const loopbackWarning = details.redirectIsLoopback
    ? `<p class="warn"><strong>This sends access to an app on your computer.</strong> Continue only if you just started connecting from it.</p>`
    : "";
  const permissions = graphScopes
    .map(
      (scope) => `<li>${escapeHtml(permissionOf(scope).words)} <span class="muted">(${escapeHtml(scope)})</span></li>`,
    )
    .join("");
  return htmlPage(
    `Allow ${details.clientName || "this app"}?`,
    `<main><h1>Allow ${client} to use your Microsoft 365 account?</h1>
<p>${origin} Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${loopbackWarning}
<p>After you allow it, you sign in with Microsoft. The app will be able to:</p>
<dl class="can">${summary(graphScopes)}</dl>
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
<div class="actions"><button class="primary" name="decision" value="approve">Allow and sign in</button><button name="decision" value="deny">Cancel</button></div>
</form>
<details><summary>All ${graphScopes.length} Microsoft Graph permissions it asks for</summary><ul>${permissions}</ul></details>
<p class="muted">You can revoke access at any time by disconnecting the server in your client.</p></main>`,
  );
}

/** A page for an authorization that cannot go on (expired page, failed sign-in); nothing is redirected. */
export function authorizationErrorPage(message: string): string {
  return htmlPage(
    "Authorization failed",
    `<main><h1>Authorization failed</h1><p>${escapeHtml(message)}</p><p>Start connecting again from your MCP client.</p></main>`,
  );
}
