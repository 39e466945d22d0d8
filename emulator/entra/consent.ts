/**
 * Who may grant the demo app a permission. Entra lets a user consent for
 * themselves only to permissions that need no administrator, and only as far
 * as the tenant's user-consent setting allows; an administrator's consent for
 * the whole tenant covers everything the app asks for. The tenant's setting
 * is the emulator state's `consent`, changed through the control API.
 */
import { GRAPH_PERMISSIONS, IDENTITY_SCOPES } from "./scopes.ts";

/**
 * Delegated permissions of the demo app whose "Admin consent required" is Yes
 * in Microsoft's Graph permissions reference. Every other one a user may grant.
 */
export const ADMIN_ONLY_PERMISSIONS: readonly string[] = [
  "User.Read.All",
  "ChannelMessage.Read.All",
  "GroupMember.Read.All",
  "Group.Read.All",
  "Group-Conversation.Read.All",
  "Group-Conversation.ReadWrite.All",
];

/**
 * The permissions this tenant classifies as low impact (an administrator's
 * choice in Entra; these are the ones Microsoft suggests: sign-in and the
 * user's own profile).
 */
export const LOW_IMPACT_PERMISSIONS: readonly string[] = ["openid", "profile", "email", "offline_access", "User.Read"];

/**
 * The tenant's consent settings. `adminConsent`: an administrator granted
 * the demo app all its permissions for every user. `userConsent`: what users
 * may grant themselves: "all" (every permission that needs no administrator),
 * "lowImpact" (only LOW_IMPACT_PERMISSIONS) or "none".
 */
export interface ConsentPolicy {
  adminConsent: boolean;
  userConsent: "all" | "lowImpact" | "none";
}

/** The demo tenant as `npm run dev` starts it: the administrator has consented, so every sign-in works. */
export const DEMO_CONSENT_POLICY: Readonly<ConsentPolicy> = { adminConsent: true, userConsent: "all" };

const USER_CONSENT_SETTINGS: readonly ConsentPolicy["userConsent"][] = ["all", "lowImpact", "none"];

/** Applies a control API body to the policy; a message when the body is not one. */
export function updateConsentPolicy(policy: ConsentPolicy, body: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(body).filter((key) => key !== "adminConsent" && key !== "userConsent");
  if (unknown.length > 0) return `unknown consent settings: ${unknown.join(", ")} (adminConsent, userConsent)`;
  if (body.adminConsent !== undefined && typeof body.adminConsent !== "boolean") {
    return "adminConsent must be true or false";
  }
  if (body.userConsent !== undefined && !USER_CONSENT_SETTINGS.includes(body.userConsent as never)) {
    return `userConsent must be one of ${USER_CONSENT_SETTINGS.map((value) => `"${value}"`).join(", ")}`;
  }
  if (typeof body.adminConsent === "boolean") policy.adminConsent = body.adminConsent;
  if (body.userConsent !== undefined) policy.userConsent = body.userConsent as ConsentPolicy["userConsent"];
  return undefined;
}

/** The parts of the emulator's state consent reads and writes. */
export interface ConsentState {
  consent: ConsentPolicy;
  userGrants: Map<string, Set<string>>;
}

/** Why a sign-in cannot grant what it asks for, as the AADSTS code Entra shows and the permissions at fault. */
export interface ConsentRefusal {
  /** 90094: a permission only an administrator can grant; 90093: the tenant's policy forbids user consent to it. */
  code: 90094 | 90093;
  permissions: string[];
}

/** Whether the user may end up holding every scope asked for; what stands in the way otherwise. */
export function checkConsent(state: ConsentState, userId: string, scopes: readonly string[]): ConsentRefusal | null {
  if (state.consent.adminConsent) return null;
  const granted = state.userGrants.get(userId) ?? new Set<string>();
  const missing = scopes.filter((scope) => !granted.has(scope));
  const adminOnly = missing.filter((scope) => ADMIN_ONLY_PERMISSIONS.includes(scope));
  if (adminOnly.length > 0) return { code: 90094, permissions: adminOnly };
  const policy = state.consent.userConsent;
  const forbidden = missing.filter(
    (scope) => policy === "none" || (policy === "lowImpact" && !LOW_IMPACT_PERMISSIONS.includes(scope)),
  );
  return forbidden.length > 0 ? { code: 90093, permissions: forbidden } : null;
}

/** Remembers what a user consented to, so a later sign-in asks nothing again. */
export function recordUserConsent(state: ConsentState, userId: string, scopes: readonly string[]): void {
  if (state.consent.adminConsent) return;
  const granted = state.userGrants.get(userId) ?? new Set<string>();
  for (const scope of scopes) granted.add(scope);
  state.userGrants.set(userId, granted);
}

/**
 * The requested scopes the user granted themselves before: what Entra leaves
 * off the consent prompt of a later sign-in, which asks "only to the new
 * permissions" (incremental consent).
 */
export function grantedBefore(state: ConsentState, userId: string, scopes: readonly string[]): string[] {
  const granted = state.userGrants.get(userId);
  return granted ? scopes.filter((scope) => granted.has(scope)) : [];
}

/**
 * Every scope the user holds consent for right now, which a refresh token may
 * be redeemed for whatever it was first issued with (refresh tokens are bound
 * to user and client, not to scopes): under the administrator's consent every
 * permission of the app; otherwise the sign-in scopes and what the user
 * granted themselves.
 */
export function heldScopes(state: ConsentState, userId: string): Set<string> {
  if (state.consent.adminConsent) return new Set([...IDENTITY_SCOPES, ...GRAPH_PERMISSIONS]);
  return new Set([...IDENTITY_SCOPES, ...(state.userGrants.get(userId) ?? [])]);
}
