/**
 * One JSON log line and one Analytics Engine point per tool call or resource
 * read: who (a hash), what, how long, how Graph answered. Never arguments,
 * URIs, results, addresses or tokens.
 */
import type { CacheOutcome } from "./cache.ts";
import type { OnceOutcome } from "./idempotency.ts";
import type { ToolContext } from "../spec.ts";

/** What the steps of one call report for its log line. */
export interface CallRecord {
  cache?: CacheOutcome;
  once?: OnceOutcome;
}

/** A tool call or a resource read, and the field of the log line that names it. */
export type CallKind = { event: "tool_call"; field: "tool" } | { event: "resource_read"; field: "resource" };

export const TOOL_CALL: CallKind = { event: "tool_call", field: "tool" };
export const RESOURCE_READ: CallKind = { event: "resource_read", field: "resource" };

export interface FinishedCall {
  kind: CallKind;
  name: string;
  /** The error code, or undefined when the call succeeded. */
  code: string | undefined;
  record: CallRecord;
  context: ToolContext | undefined;
  latencyMs: number;
  sessionId: string | undefined;
  requestId: string | number;
}

/**
 * Eight hex digits (FNV-1a) that tell a session's lines apart: a session id
 * addresses a session, so logs never carry one whole.
 */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

export function logCall(call: FinishedCall): void {
  const { code, record, context, latencyMs } = call;
  const stats = context?.graph.stats;
  const line = {
    event: call.kind.event,
    [call.kind.field]: call.name,
    user: context?.services?.userHash,
    ...(call.sessionId ? { session: shortHash(call.sessionId) } : {}),
    rpcId: call.requestId,
    ok: code === undefined,
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
    blobs: [call.kind.event, call.name, code ?? "ok", record.cache ?? "", String(stats?.lastStatus ?? "")],
    doubles: [latencyMs, stats?.requests ?? 0, stats?.retries ?? 0],
    indexes: [context.services.userHash.slice(0, 32)],
  });
}

/** A line for an error no tool raises on purpose: its class name only, since its message may hold data. */
export function logUnexpectedError(kind: CallKind, name: string, error: unknown): void {
  console.error(
    JSON.stringify({
      event: kind.event === "tool_call" ? "tool_failed" : "resource_failed",
      [kind.field]: name,
      error: error instanceof Error ? error.name : "unknown",
    }),
  );
}
