/** Scopes as Entra reads and reports them: OpenID Connect scopes plus delegated Graph permissions. */

export const IDENTITY_SCOPES: readonly string[] = ["openid", "profile", "email", "offline_access"];

const GRAPH_RESOURCE = "https://graph.microsoft.com/";

/** The delegated Graph permissions the demo app may ask for (canonical spelling). */
export const GRAPH_PERMISSIONS: readonly string[] = [
  "User.Read",
  "User.ReadWrite",
  "User.ReadBasic.All",
  "User.Read.All",
  "Mail.ReadBasic",
  "Mail.Read",
  "Mail.ReadWrite",
  "Mail.Send",
  "Mail.Read.Shared",
  "Mail.ReadWrite.Shared",
  "Mail.Send.Shared",
  "MailboxSettings.Read",
  "MailboxSettings.ReadWrite",
  "Calendars.ReadBasic",
  "Calendars.Read",
  "Calendars.ReadWrite",
  "Calendars.Read.Shared",
  "Calendars.ReadWrite.Shared",
  "Contacts.Read",
  "Contacts.ReadWrite",
  "People.Read",
  "Files.Read",
  "Files.ReadWrite",
  "Files.Read.All",
  "Files.ReadWrite.All",
  "Sites.Read.All",
  "Tasks.Read",
  "Tasks.ReadWrite",
  "Team.ReadBasic.All",
  "Channel.ReadBasic.All",
  "ChannelMessage.Read.All",
  "ChannelMessage.Send",
  "Chat.ReadBasic",
  "Chat.Read",
  "Chat.ReadWrite",
  "ChatMessage.Send",
  "OnlineMeetings.ReadWrite",
  "GroupMember.Read.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
  "Group-Conversation.Read.All",
  "Group-Conversation.ReadWrite.All",
];

const BY_LOWER_CASE = new Map([...IDENTITY_SCOPES, ...GRAPH_PERMISSIONS].map((scope) => [scope.toLowerCase(), scope]));

export interface ParsedScopes {
  /** Known scopes in canonical short form, without duplicates, in request order. */
  scopes: string[];
  /** Scopes the demo app cannot have, as written. */
  unknown: string[];
}

/**
 * Reads a space-separated scope parameter. Graph permissions may be written
 * short ("Mail.Read") or with the resource ("https://graph.microsoft.com/Mail.Read"),
 * in any letter case; ".default" stands for every permission the app has.
 */
export function parseScopes(value: string | null): ParsedScopes {
  const scopes = new Set<string>();
  const unknown: string[] = [];
  for (const written of (value ?? "").split(/\s+/).filter(Boolean)) {
    const short = written.toLowerCase().startsWith(GRAPH_RESOURCE) ? written.slice(GRAPH_RESOURCE.length) : written;
    if (short === ".default") {
      for (const permission of GRAPH_PERMISSIONS) scopes.add(permission);
      continue;
    }
    const canonical = short.includes("/") ? undefined : BY_LOWER_CASE.get(short.toLowerCase());
    if (canonical) scopes.add(canonical);
    else unknown.push(written);
  }
  return { scopes: [...scopes], unknown };
}

export function graphPermissions(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !IDENTITY_SCOPES.includes(scope));
}

/** The `scope` of a token response, Entra style: "Mail.Read User.Read profile openid email". */
export function grantedScopeString(scopes: readonly string[]): string {
  const identity = ["profile", "openid", "email"].filter((scope) => scopes.includes(scope));
  return [...graphPermissions(scopes), ...identity].join(" ");
}
