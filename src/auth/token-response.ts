import type { MiddlewareHandler } from "hono";

/**
 * A token response names `scope` only when there is one: the provider writes
 * `"scope":""` for a client that asked for none, which some clients read as
 * "no access" (RFC 6749 §5.1 makes the field optional when it is what was asked).
 */
export const omitEmptyScope: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  if (c.res.status !== 200 || !(c.res.headers.get("Content-Type") ?? "").includes("application/json")) return;
  const body = (await c.res.clone().json()) as Record<string, unknown>;
  if (body.scope !== "") return;
  delete body.scope;
  const headers = new Headers(c.res.headers);
  headers.delete("Content-Length");
  c.res = new Response(JSON.stringify(body), { status: 200, headers });
};
