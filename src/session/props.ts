/**
 * What an MCP grant carries (encrypted by the OAuth provider) into every session
 * of its user. Identity only: the Microsoft tokens stay in the user's UserAccount.
 */
export interface SessionProps extends Record<string, unknown> {
  /** `${tenantId}.${objectId}`, the UserAccount's name (and the OAuth grant's user id). */
  userKey: string;
  tenantId: string;
  objectId: string;
  name: string;
  username: string;
}
