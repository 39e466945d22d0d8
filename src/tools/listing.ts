/**
 * How the tools appear to clients: the input a client sees, the annotations,
 * and the compact `tools/list` definitions a model reads on every turn.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ListToolsRequestSchema,
  type ListToolsResult,
  type Tool,
  type ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { idempotencyKeyInput } from "./pipeline/idempotency.ts";
import type { ToolSpec } from "./spec.ts";

/** Described once in the server instructions rather than in every read tool's listing. */
const freshInput = z.boolean().optional();

/** The input a client sees: the tool's own fields plus the mechanisms it takes part in. */
export function inputShapeOf(spec: ToolSpec): z.ZodRawShape {
  return {
    ...spec.input,
    ...(spec.idempotencyKey ? { idempotencyKey: idempotencyKeyInput } : {}),
    ...(spec.cacheKind && spec.access === "read" ? { fresh: freshInput } : {}),
  };
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

/**
 * The annotations as listed: only the hints that differ from the MCP
 * specification's defaults (readOnlyHint false, destructiveHint true,
 * idempotentHint false, openWorldHint true), which mean the same when absent
 * and cost tokens in every listing. Read-only tools list `readOnlyHint` alone,
 * since the other two have meaning only when it is false.
 */
function listedAnnotations(spec: ToolSpec): ToolAnnotations {
  const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = annotationsOf(spec);
  const world = openWorldHint ? {} : { openWorldHint };
  if (readOnlyHint) return { readOnlyHint, ...world };
  return {
    ...(destructiveHint ? {} : { destructiveHint }),
    ...(idempotentHint ? { idempotentHint } : {}),
    ...world,
  };
}

/** A JSON Schema without the keywords that cost tokens in every listing and tell a model nothing. */
export function compactSchema(schema: unknown, output = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => compactSchema(item, output));
  if (typeof schema !== "object" || schema === null) return schema;
  const formatted = "format" in schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema") continue;
    if (key === "additionalProperties" && value === false) continue;
    // `format` (email, base64, date-time) says what the long generated regex does;
    // other long patterns are enforced, and the field's description says the format.
    if (key === "pattern" && (formatted || (typeof value === "string" && value.length > 40))) continue;
    if (formatted && key === "contentEncoding") continue;
    // Limits no model comes near (a 1,000,000-character body) are enforced, not advertised.
    if (key === "maxLength" && typeof value === "number" && value > 10_000) continue;
    if ((key === "maximum" || key === "minimum") && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER) continue;
    // Output schemas describe what comes back; the model does not need their prose or key lists.
    if (output && (key === "description" || key === "required")) continue;
    out[key] = compactSchema(value, output);
  }
  return out;
}

/**
 * A tool as `tools/list` shows it: name, title, description, input schema,
 * annotations and, for structured results, the output schema. Nothing else:
 * the whole catalog is read by the model on every turn.
 */
export function toolDefinition(spec: ToolSpec): Tool {
  const definition: Tool = {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: compactSchema(
      z.toJSONSchema(z.object(inputShapeOf(spec)), { io: "input", target: "draft-7" }),
    ) as Tool["inputSchema"],
    annotations: listedAnnotations(spec),
  };
  if (spec.output) {
    definition.outputSchema = compactSchema(
      z.toJSONSchema(z.object(spec.output), { io: "output", target: "draft-7" }),
      true,
    ) as Tool["outputSchema"];
  }
  return definition;
}

/**
 * The definitions of each tool selection, built once per isolate: converting
 * 57 zod schemas on every session would repeat the same work for the same answer.
 * Keyed by the tool names, which name the same specs for the isolate's life.
 */
const definitionsBySelection = new Map<string, readonly Tool[]>();

/** The `tools/list` definitions of `tools`, from the isolate's memo when this selection was built before. */
export function toolDefinitions(tools: readonly ToolSpec[]): readonly Tool[] {
  const selection = tools.map((tool) => tool.name).join(",");
  let definitions = definitionsBySelection.get(selection);
  if (!definitions) {
    definitions = tools.map(toolDefinition);
    definitionsBySelection.set(selection, definitions);
  }
  return definitions;
}

/**
 * Replaces the SDK's `tools/list` answer with the compact definitions of
 * `tools` (the SDK adds `$schema`, `execution` and a repeated title to each).
 */
export function serveCompactToolList(server: McpServer, tools: readonly ToolSpec[]): void {
  const definitions = toolDefinitions(tools);
  server.server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({ tools: [...definitions] }));
}
