import { spokenList } from "../shared/text.ts";
/** Stable error codes a tool result carries (README: "Error codes"). */
export type ToolErrorCode =
  | "auth_required"
  | "consent_required"
  | "admin_consent_required"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "throttled"
  | "upstream_unavailable"
  | "invalid_input"
  | "payload_too_large"
  | "internal";

/** A failure a tool reports to the model: a stable code and a sentence a person understands. */
export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly retryAfterSeconds: number | undefined;
  /** Facts a client may act on besides the text (a consent link), carried in the result's `_meta`. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ToolErrorCode, message: string, retryAfterSeconds?: number, details?: Record<string, unknown>) {
    super(message);
    this.name = "ToolError";
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.details = details;
  }
}

/** An error answer from Microsoft Graph. */
export class GraphError extends Error {
  readonly status: number;
  readonly graphCode: string;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, graphCode: string, message: string, requestId?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = "GraphError";
    this.status = status;
    this.graphCode = graphCode;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function permissionList(scopes: readonly string[]): string {
  return `${spokenList(scopes)} permission${scopes.length > 1 ? "s" : ""}`;
}

/** Maps a Graph error to the tool error a model and a person can act on. */
export function toolErrorFromGraph(error: GraphError, requiredScopes: readonly string[] = []): ToolError {
  const ref = error.requestId ? ` (Graph request-id ${error.requestId})` : "";
  switch (error.status) {
    case 400:
      return new ToolError("invalid_input", `Microsoft Graph rejected the request: ${error.message}${ref}`);
    case 401:
      return new ToolError(
        "auth_required",
        "Microsoft no longer accepts your sign-in. Reconnect this MCP server to sign in again.",
      );
    case 403:
      return requiredScopes.length > 0
        ? new ToolError(
            "consent_required",
            `Access denied by Microsoft 365: this needs the ${permissionList(requiredScopes)}, and your sign-in lacks ${requiredScopes.length > 1 ? "one of them" : "it"}. authenticate shows what is granted; an administrator may have withdrawn it.${ref}`,
          )
        : new ToolError("forbidden", `Microsoft 365 denied access: ${error.message}${ref}`);
    case 404:
      return new ToolError("not_found", `Not found in Microsoft 365: ${error.message}${ref}`);
    case 409:
    case 412:
      return new ToolError("conflict", `The item changed or already exists: ${error.message}${ref}`);
    case 413:
      return new ToolError(
        "payload_too_large",
        `Microsoft Graph refused the size of the request: ${error.message}${ref}`,
      );
    case 429:
      return new ToolError(
        "throttled",
        `Microsoft Graph is throttling requests; retry in ${error.retryAfterSeconds ?? 30} seconds.${ref}`,
        error.retryAfterSeconds ?? 30,
      );
    default:
      return error.status >= 500
        ? new ToolError(
            "upstream_unavailable",
            `Microsoft Graph is unavailable (${error.status}); try again shortly.${ref}`,
            error.retryAfterSeconds,
          )
        : new ToolError("internal", `Microsoft Graph answered ${error.status}: ${error.message}${ref}`);
  }
}
