/**
 * What the Graph client needs from whoever holds the user's Microsoft tokens.
 * Graph owns this interface, so the client never depends on the session layer.
 */

/**
 * The circuit breaker's answer with a token: "closed" (all well), "probe"
 * (the breaker was open; this call tests whether Graph recovered) or
 * "degraded" (recent failures: report how this call went).
 */
export type CircuitState = "closed" | "probe" | "degraded";

export type AccessTokenResult =
  | { ok: true; accessToken: string; expiresAt: number; scopes: string[]; circuit?: CircuitState }
  | {
      ok: false;
      code: "auth_required" | "upstream_unavailable";
      message: string;
      retryAfterSeconds?: number;
    };

/** Where the Graph client gets the signed-in user's access token. */
export interface AccessTokenSource {
  get(): Promise<AccessTokenResult>;
  /** Graph rejected this token (401): renew it unless another call already did. */
  renewRejected(token: string): Promise<AccessTokenResult>;
  /** Graph answered (`true`) or was unavailable after retries (`false`): feeds the circuit breaker. */
  recordUpstream?(ok: boolean): Promise<void>;
}
