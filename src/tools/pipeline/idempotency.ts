/**
 * The idempotencyKey step of writes that send or create: the first call with
 * a key runs and its result is kept for 24 hours; a repeat returns that
 * result, and a repeat while the first runs, after it may have acted, or
 * with other arguments is refused.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { argumentsHash } from "../shared/hash.ts";
import type { CallServices } from "../spec.ts";

/** How a call met its idempotency key, for its log line. */
export type OnceOutcome = "first" | "replayed" | "refused";

/** The `idempotencyKey` input the tools that take one list. */
export const idempotencyKeyInput = z
  .string()
  .optional()
  // Checked here rather than as a listed pattern: the rule costs tokens in every listing.
  .refine((key) => key === undefined || /^[\w.:-]{8,128}$/.test(key), {
    message: "idempotencyKey must be 8-128 letters, digits, '_', '.', ':' or '-'",
  })
  .describe("Makes retries safe: a repeat within 24h returns the first result");

export interface OnceCall {
  /** The tool's name: keys are per tool. */
  scope: string;
  key: string;
  args: Record<string, unknown>;
  services: CallServices;
  /** Receives how the key was met. */
  report(outcome: OnceOutcome): void;
}

/**
 * Runs `act` once per key. `afterRecorded` runs once the first result is
 * stored (the cache invalidation of a write); a failure there still counts as
 * a failure of the call.
 */
export async function runOnce(
  call: OnceCall,
  act: () => Promise<CallToolResult>,
  afterRecorded: () => Promise<void>,
): Promise<CallToolResult> {
  const { scope, key, services } = call;
  const previous = await services.beginOnce(scope, key, await argumentsHash(call.args));
  if (previous.state !== "new") {
    call.report(previous.state === "done" ? "replayed" : "refused");
    switch (previous.state) {
      case "done":
        return { ...(previous.result as CallToolResult), _meta: { idempotentReplay: true } };
      case "pending":
        throw new ToolError("conflict", "idempotencyKey: the first call with this key is still running; wait for it.");
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
  call.report("first");
  try {
    const result = await act();
    await services.finishOnce(scope, key, { state: "done", result });
    await afterRecorded();
    return result;
  } catch (error) {
    const code = error instanceof ToolError ? error.code : error instanceof GraphError ? error.status : "internal";
    // A write that timed out or met a 5xx may have acted: never let the key run it again.
    const mayHaveActed =
      code === "upstream_unavailable" || code === "internal" || (typeof code === "number" && code >= 500);
    await services.finishOnce(scope, key, { state: mayHaveActed ? "unknown" : "forget" });
    throw error;
  }
}
