/** Settings operators change at runtime in CONFIG_KV, without a redeploy. */
export interface RuntimeConfig {
  /** Tool names not offered to clients. */
  disabledTools: string[];
}

export const RUNTIME_CONFIG_KEY = "runtime-config";

/** Reads CONFIG_KV's `runtime-config` (JSON); a missing or malformed value means the defaults. */
export async function readRuntimeConfig(env: Env): Promise<RuntimeConfig> {
  const defaults: RuntimeConfig = { disabledTools: [] };
  try {
    const stored = await env.CONFIG_KV.get<Partial<RuntimeConfig>>(RUNTIME_CONFIG_KEY, "json");
    if (!stored || typeof stored !== "object") return defaults;
    return {
      disabledTools: Array.isArray(stored.disabledTools)
        ? stored.disabledTools.filter((name) => typeof name === "string")
        : [],
    };
  } catch (error) {
    console.error(
      JSON.stringify({ event: "runtime_config_unreadable", error: error instanceof Error ? error.message : "unknown" }),
    );
    return defaults;
  }
}
