/**
 * Structured logs and counters. Every line is one JSON object; users appear
 * only as a keyed hash, never by address or id, and no line carries a token,
 * argument, result or personal data.
 */

/** A short, stable, non-reversible id of a user for logs and metrics. */
export async function userHashOf(userKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`log:${userKey}`));
  return [...new Uint8Array(digest).slice(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Query parameters whose values must never reach a log (OAuth codes, tokens, state). */
const SECRET_PARAMS =
  /^(code|state|token|access_token|refresh_token|id_token|client_secret|code_verifier|session_id|sessionId)$/i;

/** A request path with secret-bearing query values replaced, for logs. */
export function redactedPath(url: URL): string {
  if (!url.search) return url.pathname;
  const params = [...url.searchParams.keys()].map((key) =>
    SECRET_PARAMS.test(key) ? `${key}=[redacted]` : `${key}=…`,
  );
  return `${url.pathname}?${params.join("&")}`;
}

export interface RequestLogLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  protocol: string;
  session?: string;
  user?: string;
}

export function logRequest(line: RequestLogLine): void {
  console.log(JSON.stringify({ event: "http_request", ...line }));
}
