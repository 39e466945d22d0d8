/**
 * What the Graph client needs from whoever holds the user's Microsoft tokens.
 * Graph owns this interface, so the client never depends on the session layer.
 */

/**
 * The circuit breaker's answer: "closed" (all well), "probe" (the circuit
 * was open; this request tests whether Graph recovered) or "degraded"
 * (recent failures: report how this request went). With a token, it sums up
 * all the user's circuits: "closed" means no request need ask again.
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
  /**
   * Whether a request on `circuit` ("mail:write") may go to Graph now, or the
   * seconds its circuit stays open. Asked only while the token's summary is not "closed".
   */
  admit?(circuit: string): Promise<CircuitState | number>;
  /** A request on `circuit` reached Graph (`true`) or Graph was unavailable after retries (`false`). */
  recordUpstream?(ok: boolean, circuit: string): Promise<void>;
}
