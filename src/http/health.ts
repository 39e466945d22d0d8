import { userAccount } from "../session/account/user-account.ts";
import { SERVER_VERSION } from "../version.ts";

type CheckResult = { ok: true } | { ok: false; error: string };

const CHECK_TIMEOUT_MS = 3000;

async function check(run: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS),
      ),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : "failed" };
  }
}

/** Any HTTP answer means the service is reachable; only network failures count against it. */
async function reachable(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  await response.body?.cancel();
}

/** How long one round of dependency checks answers /health, so anonymous callers cannot amplify them. */
const CHECKS_TTL_MS = 60_000;
let lastReport: { at: number; body: Record<string, unknown>; healthy: boolean } | undefined;

/**
 * `/health`: the version and whether each binding and Microsoft endpoint
 * answers. Anyone may ask, so the checks (two of them reach Microsoft) run at
 * most once a minute per isolate; other callers get that round's answer.
 */
export async function healthReport(env: Env): Promise<Response> {
  if (!lastReport || Date.now() - lastReport.at >= CHECKS_TTL_MS) lastReport = await runChecks(env);
  return Response.json(
    { ...lastReport.body, checkedAt: new Date(lastReport.at).toISOString() },
    { status: lastReport.healthy ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}

async function runChecks(env: Env): Promise<{ at: number; body: Record<string, unknown>; healthy: boolean }> {
  const authority = `${env.MICROSOFT_AUTHORITY_URL.replace(/\/+$/, "")}/${env.MICROSOFT_TENANT || "common"}/v2.0/.well-known/openid-configuration`;
  const [oauthKv, configKv, cacheKv, userAccounts, microsoftIdentity, graph] = await Promise.all([
    check(() => env.OAUTH_KV.get("health:probe")),
    check(() => env.CONFIG_KV.get("health:probe")),
    check(() => env.CACHE_KV.get("health:probe")),
    check(() => userAccount(env, "health:probe").ping()),
    check(() => reachable(authority)),
    check(() => reachable(env.GRAPH_BASE_URL)),
  ]);
  const checks = {
    OAUTH_KV: oauthKv,
    CONFIG_KV: configKv,
    CACHE_KV: cacheKv,
    USER_ACCOUNT: userAccounts,
    MCP_OBJECT: env.MCP_OBJECT ? ({ ok: true } as const) : ({ ok: false, error: "binding missing" } as const),
    USER_RATE_LIMIT: env.USER_RATE_LIMIT ? ({ ok: true } as const) : ({ ok: false, error: "binding missing" } as const),
    microsoftIdentity,
    graph,
  };
  const healthy = Object.values(checks).every((result) => result.ok);
  return {
    at: Date.now(),
    healthy,
    body: {
      status: healthy ? "ok" : "degraded",
      version: SERVER_VERSION,
      microsoft: { authority: env.MICROSOFT_AUTHORITY_URL, graph: env.GRAPH_BASE_URL },
      // Counters go to Analytics Engine when METRICS is bound; the JSON logs carry them either way.
      metrics: env.METRICS ? "analytics-engine" : "logs",
      checks,
    },
  };
}
