/**
 * The idempotencyKey step of writes that send or create. The first call with
 * a key runs, carrying a marker of the key (`context.once`), and its result
 * is kept for 24 hours; a repeat returns that result. A call that certainly
 * did not act (refused before it was sent, throttled, rejected by Graph)
 * releases its key. A call that may have acted (a timeout or a 5xx once sent)
 * leaves the key to be reconciled: the next call with it, once the first has
 * had time to land, asks the tool whether the write took effect (by its
 * marker) and answers with that, or runs it now. A repeat while another runs,
 * or with other arguments, is refused.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { GraphError, ToolError, toolErrorFromGraph } from "../../graph/errors.ts";
import { argumentsHash } from "../shared/hash.ts";
import type { CallServices, OnceMarker } from "../spec.ts";

/**
 * How a call met its idempotency key, for its log line: "first" use,
 * "replayed" a finished one, "reconciled" (an earlier attempt had acted: its
 * result), "rerun" (it had not: run now), "refused".
 */
export type OnceOutcome = "first" | "replayed" | "reconciled" | "rerun" | "refused";

/** The `idempotencyKey` input the tools that take one list. */
export const idempotencyKeyInput = z
  .string()
  .optional()
  // Checked here rather than as a listed pattern: the rule costs tokens in every listing.
  .refine((key) => key === undefined || /^[\w.:-]{8,128}$/.test(key), {
    message: "idempotencyKey must be 8-128 letters, digits, '_', '.', ':' or '-'",
  })
  .describe("Makes retries safe: repeats within 24h return the first result");

export interface OnceCall {
  /** The tool's name: keys are per tool. */
  scope: string;
  key: string;
  args: Record<string, unknown>;
  services: CallServices;
  /** Whether a write of this call may have taken effect (the Graph client's account of what it sent). */
  writesMayHaveActed(): boolean;
  /** Receives how the key was met. */
  report(outcome: OnceOutcome): void;
}

export interface OnceSteps {
  /** The write, carrying the marker. */
  act(marker: OnceMarker): Promise<CallToolResult>;
  /** Whether an earlier attempt with this marker took effect: its result, or undefined. Absent: cannot tell. */
  reconcile?(marker: OnceMarker): Promise<CallToolResult | undefined>;
  /** Runs once a result is stored (the cache invalidation of a write); a failure there fails the call. */
  afterRecorded(): Promise<void>;
}

/** Runs a keyed write at most once in effect, and at least once when retried with its key. */
export async function runOnce(call: OnceCall, steps: OnceSteps): Promise<CallToolResult> {
  const { scope, key, services } = call;
  const claim = await services.beginOnce(scope, key, await argumentsHash(call.args), steps.reconcile !== undefined);
  switch (claim.state) {
    case "done":
      call.report("replayed");
      return { ...(claim.result as CallToolResult), _meta: { idempotentReplay: true } };
    case "pending":
      call.report("refused");
      throw new ToolError(
        "conflict",
        "idempotencyKey: the first call with this key is still running; wait for it, then repeat the call.",
        claim.retryAfterSeconds,
      );
    case "settling":
      call.report("refused");
      throw new ToolError(
        "conflict",
        `idempotencyKey: an earlier call with this key may still be completing at Microsoft. Repeat this call with the same key in ${claim.retryAfterSeconds} s: it checks first and never acts twice.`,
        claim.retryAfterSeconds,
      );
    case "unknown":
      call.report("refused");
      throw new ToolError(
        "conflict",
        "idempotencyKey: an earlier call with this key failed in a way that may have acted, and this tool cannot check. Look in Microsoft 365 before trying again with a new key.",
      );
    case "mismatch":
      call.report("refused");
      throw new ToolError(
        "invalid_input",
        "idempotencyKey: this key was already used with different arguments; use a new key for a new action.",
      );
  }

  if (claim.state === "reconcile") {
    let found: CallToolResult | undefined;
    try {
      found = await steps.reconcile!(claim.marker);
    } catch (error) {
      // The check sent nothing new: the key stays to be checked again, at once.
      await services.finishOnce(scope, key, { state: "unknown", settle: false });
      throw error;
    }
    if (found) {
      call.report("reconciled");
      return record(call, steps, found);
    }
    call.report("rerun");
  } else {
    call.report("first");
  }

  let result: CallToolResult;
  try {
    result = await steps.act(claim.marker);
  } catch (error) {
    if (!call.writesMayHaveActed()) {
      await services.finishOnce(scope, key, { state: "released" });
      throw error;
    }
    const wait = await services.finishOnce(scope, key, { state: "unknown" });
    throw mayHaveActed(error, steps.reconcile !== undefined, wait);
  }
  return record(call, steps, result);
}

async function record(call: OnceCall, steps: OnceSteps, result: CallToolResult): Promise<CallToolResult> {
  await call.services.finishOnce(call.scope, call.key, { state: "done", result });
  await steps.afterRecorded();
  return result;
}

/** The error of a keyed write that may have acted, saying what a retry with the key does. */
function mayHaveActed(error: unknown, reconcilable: boolean, waitSeconds: number | undefined): ToolError {
  const cause =
    error instanceof ToolError
      ? error
      : error instanceof GraphError
        ? toolErrorFromGraph(error)
        : new ToolError("internal", "The tool failed unexpectedly after sending.");
  const said = cause.message.replace(/\s*The change may or may not have been made: check before trying again\.$/, "");
  if (!reconcilable) {
    return new ToolError(
      cause.code,
      `${said} It may or may not have taken effect, and this tool cannot check: look in Microsoft 365 before acting again (this key is now refused).`,
    );
  }
  const wait = waitSeconds ?? 0;
  return new ToolError(
    cause.code,
    `${said} It may or may not have taken effect. Repeat the call with the same idempotencyKey${wait > 0 ? ` in ${wait} s` : ""}: it checks whether this went through and never acts twice.`,
    wait > 0 ? wait : undefined,
  );
}
