/**
 * The operator's runtime switches (CONFIG_KV) at call time: sessions opened
 * before a change learn it here, within the config's 30-second lifetime.
 */
import { allowedByRuntime, SMALL_LISTING_LIMIT, type SelectableTool } from "../../config.ts";
import { ToolError } from "../../graph/errors.ts";
import type { CallServices } from "../spec.ts";

function turnedOff(name: string): ToolError {
  return new ToolError("forbidden", `${name} is turned off on this server by its operator.`);
}

/** Refuses a tool the operator turned off, and lowers `args.count` to the small-listing cap while `largeListings` is off. */
export async function applyRuntimeConfig(
  tool: SelectableTool,
  args: { count?: unknown },
  services: CallServices | undefined,
): Promise<void> {
  const runtime = await services?.runtimeConfig?.();
  if (!runtime) return;
  if (!allowedByRuntime(tool, runtime)) throw turnedOff(tool.name);
  if (!runtime.flags.largeListings && typeof args.count === "number" && args.count > SMALL_LISTING_LIMIT) {
    args.count = SMALL_LISTING_LIMIT;
  }
}

/**
 * Refuses a resource when the operator has turned off every tool that
 * brought it along; `tools` undefined means it is offered whatever is off.
 */
export async function checkResourceAllowed(
  name: string,
  tools: readonly SelectableTool[] | undefined,
  services: CallServices | undefined,
): Promise<void> {
  if (!tools) return;
  const runtime = await services?.runtimeConfig?.();
  if (runtime && !tools.some((tool) => allowedByRuntime(tool, runtime))) throw turnedOff(name);
}
