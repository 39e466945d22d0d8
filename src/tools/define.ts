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
import type { AccountSummary } from "../session/props.ts";
import type { OnceRecord } from "../session/account/once-records.ts";
import { allowedByRuntime, SMALL_LISTING_LIMIT, type RuntimeConfig } from "../config.ts";

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
  /** The session's per-user services (absent where no user is signed in, e.g. discovery). */
  services?: CallServices;
  /** Round trips this call made (Durable Object calls, KV reads), for its log line. */
  meter?: { durableObjects: number; kvReads: number };
}

/** Per-user mechanisms every tool call goes through; backed by the user's UserAccount object. */
export interface CallServices {
  /** A hash of the user's key: identifies them in logs without naming them. */
  userHash: string;
  beginOnce(scope: string, key: string, argsHash: string): Promise<OnceRecord>;
  finishOnce(
    scope: string,
    key: string,
    outcome: { state: "done"; result: unknown } | { state: "unknown" } | { state: "forget" },
  ): Promise<void>;
  cacheGenerations(kinds: readonly CacheKind[]): Promise<Record<string, string>>;
  bumpCacheGenerations(kinds: readonly CacheKind[]): Promise<void>;
  /** Workers Analytics Engine dataset for counters, when bound. */
  metrics?: AnalyticsEngineDataset;
  /** Signs the user out of this server everywhere (logout). */
  signOut(): Promise<{ grantsRevoked: number; cacheEntriesDeleted: number }>;
  /** The operator's runtime settings (CONFIG_KV), re-read every 30 seconds at most. */
  runtimeConfig?(): Promise<RuntimeConfig>;
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

/** How long each kind of cached read stays fresh enough to serve. */
export const CACHE_TTL_SECONDS: Record<CacheKind, number> = {
  mail: 60,
  calendar: 120,
  contacts: 600,
  directory: 3600,
  teams: 60,
  files: 120,
  tasks: 120,
  search: 120,
};

const idempotencyKeyInput = z
  .string()
  .optional()
  // Checked here rather than as a listed pattern: the rule costs tokens in every listing.
  .refine((key) => key === undefined || /^[\w.:-]{8,128}$/.test(key), {
    message: "idempotencyKey must be 8-128 letters, digits, '_', '.', ':' or '-'",
  })
  .describe("Makes retries safe: a repeat within 24h returns the first result");
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

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Arguments in a canonical order, so equal calls hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function errorCodeOf(result: CallToolResult): string | undefined {
  return result.isError ? String(result._meta?.errorCode ?? "internal") : undefined;
}

function outputResult(spec: ToolSpec, output: ToolOutput): CallToolResult {
  return {
    content: [{ type: "text", text: output.text }],
    ...(spec.output && output.structured ? { structuredContent: output.structured } : {}),
  };
}

interface CallRecord {
  cache?: "hit" | "miss" | "bypass";
  once?: "first" | "replayed" | "refused";
}

/**
 * One tool call through the shared mechanisms: idempotency keys (writes that
 * send or create), the per-user cache (reads), cache invalidation (writes),
 * then the tool itself; every failure becomes an error result with a code.
 */
async function invoke(
  spec: ToolSpec,
  rawArgs: Record<string, unknown>,
  context: ToolContext,
  record: CallRecord,
): Promise<CallToolResult> {
  const { idempotencyKey, fresh, ...args } = rawArgs as { idempotencyKey?: string; fresh?: boolean; count?: unknown };
  const services = context.services;

  // The operator may turn tools off at runtime (CONFIG_KV) without a redeploy;
  // sessions opened earlier learn it here, within 30 seconds.
  const runtime = await services?.runtimeConfig?.();
  if (runtime) {
    if (!allowedByRuntime(spec, runtime)) {
      throw new ToolError("forbidden", `${spec.name} is turned off on this server by its operator.`);
    }
    if (!runtime.flags.largeListings && typeof args.count === "number" && args.count > SMALL_LISTING_LIMIT) {
      args.count = SMALL_LISTING_LIMIT;
    }
  }

  if (spec.idempotencyKey && idempotencyKey && services) {
    const argsHash = await sha256Hex(canonicalJson(args));
    const previous = await services.beginOnce(spec.name, idempotencyKey, argsHash);
    if (previous.state !== "new") {
      record.once = previous.state === "done" ? "replayed" : "refused";
      switch (previous.state) {
        case "done":
          return { ...(previous.result as CallToolResult), _meta: { idempotentReplay: true } };
        case "pending":
          throw new ToolError(
            "conflict",
            "idempotencyKey: the first call with this key is still running; wait for it.",
          );
        case "unknown":
          throw new ToolError(
            "conflict",
            "idempotencyKey: the first call with this key failed in a way that may have acted; check (e.g. Sent Items) before trying again with a new key.",
          );
        case "mismatch":
          throw new ToolError(
            "invalid_input",
            "idempotencyKey: this key was already used with different arguments; use a new key for a new action.",
          );
      }
    }
    record.once = "first";
    try {
      const result = outputResult(spec, await spec.run(args as never, context));
      await services.finishOnce(spec.name, idempotencyKey, { state: "done", result });
      if (spec.invalidates?.length) await services.bumpCacheGenerations(spec.invalidates);
      return result;
    } catch (error) {
      const code = error instanceof ToolError ? error.code : error instanceof GraphError ? error.status : "internal";
      // A write that timed out or met a 5xx may have acted: never let the key run it again.
      const mayHaveActed =
        code === "upstream_unavailable" || code === "internal" || (typeof code === "number" && code >= 500);
      await services.finishOnce(spec.name, idempotencyKey, { state: mayHaveActed ? "unknown" : "forget" });
      throw error;
    }
  }

  if (spec.access === "read" && spec.cacheKind && services) {
    const kind = spec.cacheKind;
    if (fresh) {
      record.cache = "bypass";
    } else {
      const generation = (await services.cacheGenerations([kind]))[kind] ?? "0";
      const key = `tool:${spec.name}:${kind}:${generation}:${await sha256Hex(canonicalJson(args))}`;
      let loaded = false;
      const output = await context.cache.read(key, CACHE_TTL_SECONDS[kind], async () => {
        loaded = true;
        return spec.run(args as never, context);
      });
      record.cache = loaded ? "miss" : "hit";
      return outputResult(spec, output);
    }
  }

  const output = await spec.run(args as never, context);
  if (spec.access === "write" && spec.invalidates?.length && services) {
    await services.bumpCacheGenerations(spec.invalidates);
  }
  return outputResult(spec, output);
}

/** Registers tools on an MCP server; `context` is called once per tool call. */
export function registerTools(server: McpServer, tools: readonly ToolSpec[], context: () => ToolContext): void {
  for (const spec of tools) {
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: inputShapeOf(spec),
        ...(spec.output ? { outputSchema: spec.output } : {}),
        annotations: annotationsOf(spec),
      },
      async (args: Record<string, unknown>, extra): Promise<CallToolResult> => {
        const started = Date.now();
        const record: CallRecord = {};
        let toolContext: ToolContext | undefined;
        let result: CallToolResult;
        try {
          const progressToken = extra._meta?.progressToken;
          toolContext = {
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
          result = await invoke(spec, args, toolContext, record);
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
          result = toolErrorResult(error, spec);
        }
        logToolCall(spec, result, record, toolContext, Date.now() - started, extra.sessionId, extra.requestId);
        return result;
      },
    );
  }
}

/**
 * One JSON line per tool call: who (a hash), what, how long, how Graph
 * answered. Never arguments, results, addresses or tokens.
 */
function logToolCall(
  spec: ToolSpec,
  result: CallToolResult,
  record: CallRecord,
  context: ToolContext | undefined,
  latencyMs: number,
  sessionId: string | undefined,
  requestId: string | number,
): void {
  const code = errorCodeOf(result);
  const stats = context?.graph.stats;
  const line = {
    event: "tool_call",
    tool: spec.name,
    user: context?.services?.userHash,
    session: sessionId,
    rpcId: requestId,
    ok: !result.isError,
    ...(code ? { code } : {}),
    latencyMs,
    graphRequests: stats?.requests ?? 0,
    retries: stats?.retries ?? 0,
    ...(stats?.lastStatus !== undefined ? { graphStatus: stats.lastStatus } : {}),
    ...(stats?.requestIds.length ? { graphRequestIds: stats.requestIds.slice(-3) } : {}),
    ...(record.cache ? { cache: record.cache } : {}),
    ...(record.once ? { idempotency: record.once } : {}),
    ...(context?.meter ? { hops: context.meter } : {}),
  };
  console.log(JSON.stringify(line));
  context?.services?.metrics?.writeDataPoint({
    blobs: ["tool_call", spec.name, code ?? "ok", record.cache ?? "", String(stats?.lastStatus ?? "")],
    doubles: [latencyMs, stats?.requests ?? 0, stats?.retries ?? 0],
    indexes: [context.services.userHash.slice(0, 32)],
  });
}

/** JSON Schema keywords that cost tokens in every listing and tell a model nothing. */
function compactSchema(schema: unknown, output = false): unknown {
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
 * The annotations as listed: readOnly, destructive and idempotent hints for
 * tools that change things; `readOnlyHint` alone for read-only tools, since
 * the MCP specification gives the other two meaning only when `readOnlyHint`
 * is false.
 */
function listedAnnotations(spec: ToolSpec): ToolAnnotations {
  const { title: _title, openWorldHint, ...annotations } = annotationsOf(spec);
  // openWorldHint is true for every tool (they all reach Microsoft 365), which is
  // MCP's default when it is absent: listing it would add tokens and no meaning.
  const listed = openWorldHint ? {} : { openWorldHint };
  if (spec.access === "read") return { readOnlyHint: true, ...listed };
  return { ...annotations, ...listed };
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
 * Replaces the SDK's `tools/list` answer with the compact definitions of
 * `tools` (the SDK adds `$schema`, `execution` and a repeated title to each).
 */
export function serveCompactToolList(server: McpServer, tools: readonly ToolSpec[]): void {
  const definitions = tools.map(toolDefinition);
  server.server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({ tools: definitions }));
}
