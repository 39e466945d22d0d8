import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ListToolsRequestSchema,
  type CallToolResult,
  type ListToolsResult,
  type Tool,
  type ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { UserCache } from "../graph/cache.ts";
import type { GraphClient } from "../graph/client.ts";
import { GraphError, ToolError, toolErrorFromGraph } from "../graph/errors.ts";
import type { AccountSummary } from "../agent/session-props.ts";

/** Kinds of cached Graph reads; a write names the kinds it makes stale. */
export type CacheKind = "mail" | "calendar" | "contacts" | "directory" | "teams" | "files" | "tasks" | "search";

/** What a tool's handler may use: the user's Graph client and who they are. */
export interface ToolContext {
  graph: GraphClient;
  /** This user's cache of Graph reads (CACHE_KV). */
  cache: UserCache;
  /** The signed-in account as Microsoft granted it, read from the user's account object. */
  account(): Promise<AccountSummary>;
  /**
   * Reports progress of a long call (MCP `notifications/progress`) when the
   * client asked for it with a progress token; otherwise does nothing.
   */
  progress?(progress: number, total?: number, message?: string): Promise<void>;
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
  /**
   * Writes that send or create something (mail, messages, events, files):
   * the tool takes an optional `idempotencyKey`, and a repeat of a key within
   * 24 hours returns the first result without acting again.
   */
  idempotencyKey?: boolean;
  /** Reads: the kind of data the result caches under (per user, in CACHE_KV). */
  cacheKind?: CacheKind;
  /** Writes: the cached kinds of data they change, dropped after the write succeeds. */
  invalidates?: readonly CacheKind[];
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
      async (args: Record<string, unknown>, extra): Promise<CallToolResult> => {
        try {
          const progressToken = extra._meta?.progressToken;
          const toolContext: ToolContext = {
            ...context(),
            progress: async (progress, total, message) => {
              if (progressToken === undefined) return;
              await extra.sendNotification({
                method: "notifications/progress",
                params: {
                  progressToken,
                  progress,
                  ...(total !== undefined ? { total } : {}),
                  ...(message ? { message } : {}),
                },
              });
            },
          };
          const output = await spec.run(args as never, toolContext);
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

/** JSON Schema keywords that cost tokens in every listing and tell a model nothing. */
function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const formatted = "format" in schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema") continue;
    if (key === "additionalProperties" && value === false) continue;
    // `format` (email, base64, date-time) says what the long generated regex does.
    if (formatted && (key === "pattern" || key === "contentEncoding")) continue;
    // Limits no model comes near (a 1,000,000-character body) are enforced, not advertised.
    if (key === "maxLength" && typeof value === "number" && value > 10_000) continue;
    out[key] = compactSchema(value);
  }
  return out;
}

/**
 * A tool as `tools/list` shows it: name, title, description, input schema,
 * annotations and, for structured results, the output schema. Nothing else:
 * the whole catalog is read by the model on every turn.
 */
export function toolDefinition(spec: ToolSpec): Tool {
  const { title: _title, ...annotations } = annotationsOf(spec);
  const definition: Tool = {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: compactSchema(
      z.toJSONSchema(z.object(spec.input), { io: "input", target: "draft-7" }),
    ) as Tool["inputSchema"],
    annotations,
  };
  if (spec.output) {
    definition.outputSchema = compactSchema(
      z.toJSONSchema(z.object(spec.output), { io: "output", target: "draft-7" }),
    ) as Tool["outputSchema"];
  }
  return definition;
}

/**
 * Replaces the SDK's `tools/list` answer with the compact definitions of
 * `tools` (the SDK adds `$schema`, `execution` and a repeated title to each).
 */
export function serveCompactToolList(server: McpServer, tools: readonly ToolSpec[]): void {
  const definitions = tools.map(toolDefinition);
  server.server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({ tools: definitions }));
}
