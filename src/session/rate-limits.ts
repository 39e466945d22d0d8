import type { SessionProps } from "./props.ts";

/** The window of the Workers Rate Limiting bindings (wrangler.toml `[[ratelimits]]`), in seconds. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export interface LimitRefusal {
  message: string;
  retryAfterSeconds: number;
}

/**
 * Counts one MCP message of a signed-in user against the per-user and
 * per-tenant limits, whatever transport carried it. Workers Rate Limiting
 * counts at the edge location, with no Durable Object on the hot path.
 */
export async function limitSignedIn(
  env: Env,
  props: Pick<SessionProps, "userKey" | "tenantId">,
): Promise<LimitRefusal | undefined> {
  const [user, tenant] = await Promise.all([
    env.USER_RATE_LIMIT.limit({ key: props.userKey }),
    env.TENANT_RATE_LIMIT.limit({ key: props.tenantId }),
  ]);
  if (user.success && tenant.success) return undefined;
  const who = user.success ? "your organization" : "your account";
  return {
    message: `Too many requests for ${who} on this server; retry within ${RATE_LIMIT_PERIOD_SECONDS} seconds.`,
    retryAfterSeconds: RATE_LIMIT_PERIOD_SECONDS,
  };
}

/** Counts one anonymous request (discovery, registration, sign-in pages) per client address. */
export async function limitAnonymous(
  env: Env,
  request: Request,
  binding: RateLimit = env.ANONYMOUS_RATE_LIMIT,
): Promise<LimitRefusal | undefined> {
  const address = request.headers.get("CF-Connecting-IP") ?? "unknown";
  const { success } = await binding.limit({ key: address });
  if (success) return undefined;
  return {
    message: `Too many requests from your address; retry within ${RATE_LIMIT_PERIOD_SECONDS} seconds.`,
    retryAfterSeconds: RATE_LIMIT_PERIOD_SECONDS,
  };
}
