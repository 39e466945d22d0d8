/**
 * The one path every tool call and resource read takes: arguments, runtime
 * config, then idempotency (writes that send or create) or the per-user cache
 * (reads), then the handler, then cache invalidation (writes); every failure
 * becomes an `Error [code]: message`, and every call a log line.
 */
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  McpError,
  UrlElicitationRequiredError,
  type CallToolResult,
  type ReadResourceResult,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { WORKLOAD_MCP_ICONS } from "../../shared/workload-icons.ts";
import { inputShapeOf } from "../listing.ts";
import {
  CACHE_TTL_SECONDS,
  callScopes,
  type ResourceSpec,
  type ToolContext,
  type ToolOutput,
  type ToolSpec,
} from "../spec.ts";
import { parseArguments } from "./arguments.ts";
import { requireScopes } from "./consent.ts";
import { invalidate, readThroughCache } from "./cache.ts";
import { errorCodeOf, isExpectedError, resourceReadError, toolErrorResult } from "./errors.ts";
import { issueCursor, openCursor } from "./cursors.ts";
import { runOnce } from "./idempotency.ts";
import { applyRuntimeConfig, checkResourceAllowed } from "./runtime-config.ts";
import { logCall, logUnexpectedError, RESOURCE_READ, TOOL_CALL, type CallRecord } from "./telemetry.ts";

function outputResult(spec: ToolSpec, output: ToolOutput): CallToolResult {
  return {
    content: [{ type: "text", text: output.text }],
    ...(spec.output && output.structured ? { structuredContent: output.structured } : {}),
  };
}

/** The tool itself, with a next-page cursor in its output swapped for a short opaque one. */
async function runTool(spec: ToolSpec, args: Record<string, unknown>, context: ToolContext): Promise<ToolOutput> {
  return issueCursor(spec.name, await spec.run(args as never, context), context);
}

/** One tool call through the steps; throws what the tool or a step throws. */
async function invoke(
  spec: ToolSpec,
  rawArgs: Record<string, unknown>,
  context: ToolContext,
  record: CallRecord,
  urlElicitation: boolean,
): Promise<CallToolResult> {
  const { idempotencyKey, fresh, ...args } = rawArgs as {
    idempotencyKey?: string;
    fresh?: boolean;
    count?: unknown;
    cursor?: unknown;
  };
  const services = context.services;
  await applyRuntimeConfig(spec, args, services);
  await requireScopes(spec.name, callScopes(spec, args), context, urlElicitation);
  if (args.cursor !== undefined) args.cursor = await openCursor(spec.name, args.cursor, context);

  if (spec.idempotencyKey && idempotencyKey && services) {
    const reconcile = spec.canReconcile?.(args as never) === false ? undefined : spec.reconcile?.bind(spec);
    return runOnce(
      {
        scope: spec.name,
        key: idempotencyKey,
        args,
        services,
        writesMayHaveActed: () => context.graph.stats.writesMayHaveActed,
        report: (outcome) => (record.once = outcome),
      },
      {
        act: async (once) => outputResult(spec, await runTool(spec, args, { ...context, once })),
        ...(reconcile
          ? {
              reconcile: async (once) => {
                const found = await reconcile(args as never, { ...context, once });
                return found && outputResult(spec, found);
              },
            }
          : {}),
        afterRecorded: () => invalidate(spec.invalidates, services),
      },
    );
  }

  if (spec.access === "read" && spec.cacheKind && services) {
    if (fresh) {
      record.cache = "bypass";
    } else {
      const { value, outcome } = await readThroughCache(
        {
          namespace: "tool",
          name: spec.name,
          kind: spec.cacheKind,
          ttlSeconds: CACHE_TTL_SECONDS[spec.cacheKind],
          args,
        },
        services,
        context.cache,
        () => runTool(spec, args, context),
      );
      record.cache = outcome;
      return outputResult(spec, value);
    }
  }

  const output = await runTool(spec, args, context);
  if (spec.access === "write" && services) await invalidate(spec.invalidates, services);
  return outputResult(spec, output);
}

/** The MCP handler's extra argument, as far as the pipeline uses it. */
interface RequestExtra {
  sessionId?: string;
  requestId: string | number;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: {
    method: "notifications/progress";
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }): Promise<void>;
}

/** The call's context, with progress reported to the client when it asked for it with a progress token. */
function callContext(context: () => ToolContext, extra: RequestExtra): ToolContext {
  const progressToken = extra._meta?.progressToken;
  return {
    ...context(),
    progress: async (progress, total, message) => {
      if (progressToken === undefined) return;
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
      });
    },
  };
}

/** A tool as the pipeline calls it: its spec and the schemas of what goes in and comes out. */
interface CallableTool {
  spec: ToolSpec;
  input: z.ZodType;
  output?: z.ZodType;
}

/** A structured result that breaks the tool's own output schema: a defect, answered as `internal`. */
class OutputSchemaMismatch extends Error {
  override name = "OutputSchemaMismatch";
}

/** Throws when a successful result's structured content is not what the tool's output schema promises. */
async function checkOutput(tool: CallableTool, result: CallToolResult): Promise<void> {
  if (!tool.output || result.isError) return;
  const checked = await tool.output.safeParseAsync(result.structuredContent);
  if (!checked.success) throw new OutputSchemaMismatch(`${tool.spec.name} returned content outside its output schema`);
}

/** One tool call, start to log line; every failure, invalid arguments included, is a tool error result. */
async function callTool(
  tool: CallableTool,
  rawArgs: Record<string, unknown>,
  context: () => ToolContext,
  extra: RequestExtra,
  urlElicitation: boolean,
): Promise<CallToolResult> {
  const { spec } = tool;
  const started = Date.now();
  const record: CallRecord = {};
  let toolContext: ToolContext | undefined;
  let result: CallToolResult;
  try {
    toolContext = callContext(context, extra);
    const args = await parseArguments(tool.input, rawArgs);
    result = await invoke(spec, args, toolContext, record, urlElicitation);
    await checkOutput(tool, result);
  } catch (error) {
    if (error instanceof UrlElicitationRequiredError) {
      // MCP answers it as a protocol error (-32042) the client turns into a link for the person.
      logCall({ ...callLog(spec.name, record, toolContext, started, extra), code: "consent_required" });
      throw error;
    }
    if (!isExpectedError(error)) logUnexpectedError(TOOL_CALL, spec.name, error);
    result = toolErrorResult(error, spec);
  }
  logCall({ ...callLog(spec.name, record, toolContext, started, extra), code: errorCodeOf(result) });
  return result;
}

function callLog(
  name: string,
  record: CallRecord,
  context: ToolContext | undefined,
  started: number,
  extra: RequestExtra,
) {
  return {
    kind: TOOL_CALL,
    name,
    record,
    context,
    latencyMs: Date.now() - started,
    sessionId: extra.sessionId,
    requestId: extra.requestId,
  };
}

/** Whether the session's client declared URL-mode elicitation (MCP 2025-11-25) in initialize. */
function declaresUrlElicitation(server: McpServer): boolean {
  const elicitation = server.server.getClientCapabilities()?.elicitation as { url?: unknown } | undefined;
  return elicitation?.url !== undefined;
}

/**
 * Serves `tools/call` for `tools`; `context` is called once per call. The
 * pipeline checks the arguments itself, so that a model reads what was wrong
 * with them as a tool error; `tools/list` is served by serveCompactToolList.
 */
export function registerTools(server: McpServer, tools: readonly ToolSpec[], context: () => ToolContext): void {
  const callable = new Map<string, CallableTool>(
    tools.map((spec) => [
      spec.name,
      { spec, input: z.object(inputShapeOf(spec)), ...(spec.output ? { output: z.object(spec.output) } : {}) },
    ]),
  );
  // What McpServer declares for the tools it serves.
  server.server.registerCapabilities({ tools: { listChanged: true } });
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = callable.get(request.params.name);
    // A name the server never listed is the client's mistake, not the model's: MCP makes it a protocol error.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name.slice(0, 100)} not found`);
    return callTool(tool, request.params.arguments ?? {}, context, extra, declaresUrlElicitation(server));
  });
}

/** The template variables as `read` receives them: percent-decoded here, once, for every resource. */
function decodedVariables(variables: Record<string, string | string[]>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    const raw = String(value);
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      throw new ToolError("invalid_input", `${name}: "${raw.slice(0, 80)}" is not a valid URI component.`);
    }
  }
  return decoded;
}

/** The enabled tools that bring `spec` along, or undefined for a resource offered whatever is enabled. */
function toolsOffering(spec: ResourceSpec, tools: readonly ToolSpec[]): ToolSpec[] | undefined {
  const offeredWith = spec.offeredWith;
  if (!offeredWith) return undefined;
  return tools.filter((tool) =>
    "tool" in offeredWith ? tool.name === offeredWith.tool : tool.cacheKind === offeredWith.kind,
  );
}

/** One resource read through the steps; throws what the read or a step throws. */
async function readResource(
  spec: ResourceSpec,
  offering: readonly ToolSpec[] | undefined,
  variables: Record<string, string>,
  context: ToolContext,
  record: CallRecord,
  urlElicitation: boolean,
): Promise<string> {
  const services = context.services;
  await checkResourceAllowed(spec.name, offering, services);
  await requireScopes(`Resource ${spec.name}`, spec.scopes, context, urlElicitation);
  if (!services) return spec.read(variables, context);
  const { value, outcome } = await readThroughCache(
    {
      namespace: "resource",
      name: spec.name,
      kind: spec.cacheKind,
      ttlSeconds: spec.cacheSeconds ?? CACHE_TTL_SECONDS[spec.cacheKind],
      args: variables,
    },
    services,
    context.cache,
    () => spec.read(variables, context),
  );
  record.cache = outcome;
  return value;
}

/**
 * Registers the resources the enabled `tools` bring along (and those offered
 * always); `context` is called once per read.
 */
export function registerResources(
  server: McpServer,
  resources: readonly ResourceSpec[],
  tools: readonly ToolSpec[],
  context: () => ToolContext,
): void {
  for (const spec of resources) {
    const offering = toolsOffering(spec, tools);
    if (offering?.length === 0) continue;
    const read = async (uri: URL, variables: Record<string, string | string[]>, extra: RequestExtra) => {
      const started = Date.now();
      const record: CallRecord = {};
      let readContext: ToolContext | undefined;
      let code: string | undefined;
      try {
        readContext = context();
        const text = await readResource(
          spec,
          offering,
          decodedVariables(variables),
          readContext,
          record,
          declaresUrlElicitation(server),
        );
        return { contents: [{ uri: uri.href, mimeType: spec.mimeType, text }] } satisfies ReadResourceResult;
      } catch (error) {
        if (error instanceof UrlElicitationRequiredError) {
          code = "consent_required";
          throw error;
        }
        if (!isExpectedError(error)) logUnexpectedError(RESOURCE_READ, spec.name, error);
        const failure = resourceReadError(error, spec.scopes);
        code = failure.errorCode;
        throw failure;
      } finally {
        logCall({
          kind: RESOURCE_READ,
          name: spec.name,
          code,
          record,
          context: readContext,
          latencyMs: Date.now() - started,
          sessionId: extra.sessionId,
          requestId: extra.requestId,
        });
      }
    };
    // Clients pick resources for people from resources/list (unlike tools/list, which a model
    // reads whole), so icons are worth their bytes here; the SDK lists this metadata as given.
    const metadata = {
      title: spec.title,
      description: spec.description,
      mimeType: spec.mimeType,
      icons: WORKLOAD_MCP_ICONS[spec.icon],
    };
    if ("template" in spec) {
      server.registerResource(
        spec.name,
        new ResourceTemplate(spec.template, { list: undefined }),
        metadata,
        (uri, variables, extra) => read(uri, variables, extra),
      );
    } else {
      server.registerResource(spec.name, spec.uri, metadata, (uri, extra) => read(uri, {}, extra));
    }
  }
}
