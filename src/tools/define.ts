import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { UserCache } from "../graph/cache.ts";
import type { GraphClient } from "../graph/client.ts";
import { GraphError, ToolError, toolErrorFromGraph } from "../graph/errors.ts";
import type { AccountSummary } from "../agent/session-props.ts";

/** What a tool's handler may use: the user's Graph client and who they are. */
export interface ToolContext {
  graph: GraphClient;
  /** This user's cache of Graph reads (CACHE_KV). */
  cache: UserCache;
  /** The signed-in account as Microsoft granted it, read from the user's account object. */
  account(): Promise<AccountSummary>;
}

/** A tool's answer: a short text for the model, and the same facts as structured content when it declares an output schema. */
export interface ToolOutput {
  text: string;
  structured?: Record<string, unknown>;
}

/**
 * One tool, as data: the catalog derives MCP annotations, the Graph
 * permissions to request at sign-in, and read-only filtering from it.
 */
export interface ToolSpec<Input extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output?: z.ZodRawShape;
  /** Delegated Graph permissions the tool needs (least privilege). Empty: none beyond sign-in. */
  scopes: readonly string[];
  /** "read" tools change nothing in Microsoft 365. */
  access: "read" | "write";
  /** Writes only: deletes or overwrites something the user cannot get back. */
  destructive?: boolean;
  /** Writes only: repeating the same call has no further effect. */
  idempotent?: boolean;
  run(args: z.infer<z.ZodObject<Input>>, context: ToolContext): Promise<ToolOutput>;
}

/** Declares a tool with its argument types inferred from `input`. */
export function defineTool<Input extends z.ZodRawShape>(spec: ToolSpec<Input>): ToolSpec<Input> {
  return spec;
}

/** The MCP annotations that are true of a tool. */
export function annotationsOf(spec: ToolSpec): ToolAnnotations {
  const readOnly = spec.access === "read";
  return {
    title: spec.title,
    readOnlyHint: readOnly,
    destructiveHint: readOnly ? false : (spec.destructive ?? false),
    idempotentHint: readOnly ? true : (spec.idempotent ?? false),
    openWorldHint: true,
  };
}

/** Renders a thrown error as an MCP tool error result with a stable code. */
export function toolErrorResult(error: unknown, spec: Pick<ToolSpec, "scopes">): CallToolResult {
  const toolError =
    error instanceof ToolError
      ? error
      : error instanceof GraphError
        ? toolErrorFromGraph(error, spec.scopes)
        : new ToolError(
            "internal",
            "The tool failed unexpectedly. Try again; if it keeps failing, report it to the server operator.",
          );
  const retry = toolError.retryAfterSeconds !== undefined ? ` (retry after ${toolError.retryAfterSeconds}s)` : "";
  return {
    isError: true,
    content: [{ type: "text", text: `Error [${toolError.code}]: ${toolError.message}${retry}` }],
    _meta: {
      errorCode: toolError.code,
      ...(toolError.retryAfterSeconds !== undefined ? { retryAfterSeconds: toolError.retryAfterSeconds } : {}),
    },
  };
}

/** Registers tools on an MCP server; `context` is called once per tool call. */
export function registerTools(server: McpServer, tools: readonly ToolSpec[], context: () => ToolContext): void {
  for (const spec of tools) {
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.input,
        ...(spec.output ? { outputSchema: spec.output } : {}),
        annotations: annotationsOf(spec),
      },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          const output = await spec.run(args as never, context());
          return {
            content: [{ type: "text", text: output.text }],
            ...(spec.output && output.structured ? { structuredContent: output.structured } : {}),
          };
        } catch (error) {
          if (!(error instanceof ToolError) && !(error instanceof GraphError)) {
            console.error(
              JSON.stringify({
                event: "tool_failed",
                tool: spec.name,
                error: error instanceof Error ? error.name : "unknown",
              }),
            );
          }
          return toolErrorResult(error, spec);
        }
      },
    );
  }
}
