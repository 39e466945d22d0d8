/** Every failure a tool call or resource read meets, rendered with one stable code: `Error [code]: message`. */
import { ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { GraphError, ToolError, toolErrorFromGraph } from "../../graph/errors.ts";

/** `error` as the ToolError a person can act on; Graph errors name the permissions `scopes` lists. */
function toToolError(error: unknown, scopes: readonly string[]): ToolError {
  if (error instanceof ToolError) return error;
  if (error instanceof GraphError) return toolErrorFromGraph(error, scopes);
  return new ToolError(
    "internal",
    "The tool failed unexpectedly. Try again; if it keeps failing, report it to the server operator.",
  );
}

/** Whether `error` is one the tools raise on purpose, rather than a defect worth its own log line. */
export function isExpectedError(error: unknown): boolean {
  return error instanceof ToolError || error instanceof GraphError;
}

/** "Error [throttled]: ... (retry after 30s)". */
function errorText(toolError: ToolError): string {
  const retry = toolError.retryAfterSeconds !== undefined ? ` (retry after ${toolError.retryAfterSeconds}s)` : "";
  return `Error [${toolError.code}]: ${toolError.message}${retry}`;
}

function errorMeta(toolError: ToolError): Record<string, unknown> {
  return {
    errorCode: toolError.code,
    ...(toolError.retryAfterSeconds !== undefined ? { retryAfterSeconds: toolError.retryAfterSeconds } : {}),
    ...toolError.details,
  };
}

/** Renders a thrown error as an MCP tool error result with a stable code. */
export function toolErrorResult(error: unknown, spec: { scopes: readonly string[] }): CallToolResult {
  const toolError = toToolError(error, spec.scopes);
  return { isError: true, content: [{ type: "text", text: errorText(toolError) }], _meta: errorMeta(toolError) };
}

/**
 * MCP's JSON-RPC code for a resource that does not exist: Invalid Params, as
 * SEP-2164 (Final) standardizes it and as the SDK answers an unknown URI, so
 * both kinds of not-found read alike. The message's `[not_found]` tells them apart.
 */
const RESOURCE_NOT_FOUND = -32602;

/** A failed resource read: a JSON-RPC error whose message is exactly the `Error [code]: message` text. */
export class ResourceReadError extends McpError {
  readonly errorCode: string;

  constructor(toolError: ToolError) {
    const code =
      toolError.code === "not_found"
        ? RESOURCE_NOT_FOUND
        : toolError.code === "invalid_input"
          ? ErrorCode.InvalidParams
          : ErrorCode.InternalError;
    super(code, errorText(toolError), errorMeta(toolError));
    // McpError prefixes "MCP error <code>: "; the wire message stays the text a tool result would carry.
    this.message = errorText(toolError);
    this.errorCode = toolError.code;
  }
}

/** Renders a thrown error as the MCP error a resource read answers with. */
export function resourceReadError(error: unknown, scopes: readonly string[]): ResourceReadError {
  return new ResourceReadError(toToolError(error, scopes));
}

/** The stable code of a tool result, or undefined when it succeeded. */
export function errorCodeOf(result: CallToolResult): string | undefined {
  return result.isError ? String(result._meta?.errorCode ?? "internal") : undefined;
}
