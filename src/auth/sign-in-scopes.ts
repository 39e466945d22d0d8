/**
 * Which Graph permissions a sign-in asks for. By default a small base set
 * (consent on demand): tools that need more ask for it when first called.
 * CONSENT_MODE=upfront asks for everything the enabled catalog may use, for
 * managed tenants whose administrator consented for everyone.
 */
import { commaList } from "../shared/text.ts";
import { needsAdmin, permissionOf } from "../shared/permissions.ts";
import { graphScopes, type ToolSpec } from "../tools/catalog.ts";

/** Named base sets for BASE_SCOPES. */
const BASE_PRESETS: Readonly<Record<string, (catalog: readonly string[]) => string[]>> = {
  /** Identity and your own profile only: every tool asks when first used. */
  minimal: () => ["User.Read"],
  /** The default: read your own mail and calendar at once. */
  "mail-calendar": () => ["User.Read", "Mail.Read", "Calendars.Read", "MailboxSettings.Read"],
  /** Every read permission of the enabled tools a user may grant alone; changes and sends ask. */
  read: (catalog) => catalog.filter((scope) => permissionOf(scope).kind === "read" && !needsAdmin(scope)),
};
const DEFAULT_BASE = "mail-calendar";

/** Whether sign-in asks for everything at once (CONSENT_MODE=upfront). */
export function consentUpfront(env: Pick<Env, "CONSENT_MODE">): boolean {
  return (env.CONSENT_MODE ?? "").trim().toLowerCase() === "upfront";
}

/**
 * The permissions of a sign-in for `tools`: all of them up front, else the
 * base set (a preset name or permission names in BASE_SCOPES), keeping only
 * what the enabled catalog uses, and User.Read, which sign-in always needs.
 */
export function signInScopes(env: Pick<Env, "CONSENT_MODE" | "BASE_SCOPES">, tools: readonly ToolSpec[]): string[] {
  const catalog = graphScopes(tools);
  if (consentUpfront(env)) return catalog;
  const written = commaList(env.BASE_SCOPES?.replace(/\s+/g, ","));
  const names = written.length > 0 ? written : [DEFAULT_BASE];
  const base = names.flatMap((name) => BASE_PRESETS[name.toLowerCase()]?.(catalog) ?? [name]);
  const byLowerCase = new Map(catalog.map((scope) => [scope.toLowerCase(), scope]));
  const chosen = base.map((scope) => byLowerCase.get(scope.toLowerCase())).filter((scope) => scope !== undefined);
  const unknown = base.filter((scope) => !byLowerCase.has(scope.toLowerCase()));
  if (unknown.length > 0) {
    // Not fatal: a name no enabled tool uses is simply not asked for.
    console.warn(JSON.stringify({ event: "config_warning", setting: "BASE_SCOPES", ignored: unknown }));
  }
  return [...new Set(["User.Read", ...chosen])].sort();
}
