import { commaList } from "./shared/text.ts";

/**
 * Which tools a deployment offers. Two layers: deploy-time settings in the
 * environment (READ_ONLY, TOOL_PRESET, ENABLED_TOOLS), and runtime settings
 * operators change in CONFIG_KV's `runtime-config` without a redeploy
 * (disabledTools, readOnly, feature flags for heavy tools).
 */

/** Settings operators change at runtime in CONFIG_KV, without a redeploy. */
export interface RuntimeConfig {
  /** Tool names not offered to clients. */
  disabledTools: string[];
  /** true: only read tools, whatever the environment says. */
  readOnly: boolean;
  /** Feature flags; `false` turns a heavy capability off. */
  flags: {
    /** Microsoft Search and directory-wide search tools. */
    search: boolean;
    /** Listings above 10 items per call. */
    largeListings: boolean;
  };
}

export const RUNTIME_CONFIG_KEY = "runtime-config";

/** Tools that fan out across the tenant; the `search` flag turns them off. */
export const HEAVY_SEARCH_TOOLS: ReadonlySet<string> = new Set(["searchMicrosoft365", "graphQuery"]);

/** With `largeListings` off, listing calls return at most this many items. */
export const SMALL_LISTING_LIMIT = 10;

const DEFAULTS: RuntimeConfig = { disabledTools: [], readOnly: false, flags: { search: true, largeListings: true } };

/** How long a tool call may trust what an earlier call read from CONFIG_KV (RUNTIME_CONFIG_TTL_SECONDS, default 30). */
export function configTtlMs(env: Pick<Env, "RUNTIME_CONFIG_TTL_SECONDS">): number {
  const seconds = Number(env.RUNTIME_CONFIG_TTL_SECONDS);
  return Number.isFinite(seconds) && seconds >= 0 && env.RUNTIME_CONFIG_TTL_SECONDS !== undefined
    ? seconds * 1000
    : 30_000;
}
let memo: { at: number; config: RuntimeConfig; kv: KVNamespace } | undefined;

/** Reads CONFIG_KV's `runtime-config` (JSON); a missing or malformed value means the defaults. */
export async function readRuntimeConfig(
  env: Pick<Env, "CONFIG_KV">,
  options: { maxAgeMs?: number; onKvRead?: () => void } = {},
): Promise<RuntimeConfig> {
  const maxAge = options.maxAgeMs ?? 0;
  if (memo && memo.kv === env.CONFIG_KV && Date.now() - memo.at < maxAge) return memo.config;
  let config = DEFAULTS;
  try {
    options.onKvRead?.();
    const stored = await env.CONFIG_KV.get<Record<string, unknown>>(RUNTIME_CONFIG_KEY, "json");
    if (stored && typeof stored === "object") {
      const flags = (typeof stored.flags === "object" && stored.flags !== null ? stored.flags : {}) as Record<
        string,
        unknown
      >;
      config = {
        disabledTools: Array.isArray(stored.disabledTools)
          ? stored.disabledTools.filter((name): name is string => typeof name === "string")
          : [],
        readOnly: stored.readOnly === true,
        flags: { search: flags.search !== false, largeListings: flags.largeListings !== false },
      };
    }
  } catch (error) {
    console.error(
      JSON.stringify({ event: "runtime_config_unreadable", error: error instanceof Error ? error.message : "unknown" }),
    );
  }
  memo = { at: Date.now(), config, kv: env.CONFIG_KV };
  return config;
}

/** Signing in and out stay available whatever else is turned off. */
const ALWAYS_OFFERED: ReadonlySet<string> = new Set(["authenticate", "logout"]);

/**
 * Whether the runtime config (CONFIG_KV) lets a tool run: not disabled, not a
 * write in read-only mode, not a heavy search tool with search turned off.
 * Checked when a session lists its tools and again at every call, so a change
 * reaches sessions already open.
 */
export function allowedByRuntime(tool: SelectableTool, runtime: RuntimeConfig): boolean {
  if (ALWAYS_OFFERED.has(tool.name)) return true;
  if (runtime.disabledTools.includes(tool.name)) return false;
  if (runtime.readOnly && tool.access !== "read") return false;
  return runtime.flags.search || !HEAVY_SEARCH_TOOLS.has(tool.name);
}

/** What the selection needs to know of a tool. */
export interface SelectableTool {
  name: string;
  access: "read" | "write";
}

/**
 * The tools this deployment offers, in catalog order. `workloadOf` names a
 * tool's workload for TOOL_PRESET ("mail,calendar"); `authenticate` and
 * `logout` are always offered.
 */
export function selectTools<T extends SelectableTool>(
  tools: readonly T[],
  workloadOf: (tool: T) => string,
  env: Pick<Env, "READ_ONLY" | "TOOL_PRESET" | "ENABLED_TOOLS">,
  runtime: RuntimeConfig = DEFAULTS,
): T[] {
  const readOnly = env.READ_ONLY === "true";
  const preset = commaList(env.TOOL_PRESET).map((name) => name.toLowerCase());
  const enabled = new Set(commaList(env.ENABLED_TOOLS));
  return tools.filter((tool) => {
    if (ALWAYS_OFFERED.has(tool.name)) return true;
    if (!allowedByRuntime(tool, runtime)) return false;
    if (readOnly && tool.access !== "read") return false;
    if (enabled.size > 0) return enabled.has(tool.name);
    if (preset.length > 0 && !preset.includes("all")) return preset.includes(workloadOf(tool));
    return true;
  });
}
