import type { MiddlewareHandler } from "hono";
import { jsonRpcError } from "../protocol/json-rpc.ts";
import { commaList } from "../shared/text.ts";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The origin this request reaches the server as, or undefined for a foreign
 * Host. With PUBLIC_URL set, only its host is served. Without it, loopback
 * names (development) and https hosts (Cloudflare routes only hosts that are
 * the Worker's own) are; plain http on any other name is what a DNS-rebinding
 * page sends, and is refused.
 */
export function servedOrigin(request: Request, env: Pick<Env, "PUBLIC_URL">): string | undefined {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return undefined;
  }
  if (env.PUBLIC_URL) {
    const configured = new URL(env.PUBLIC_URL);
    if (url.host === configured.host) return configured.origin;
    // wrangler dev answers on both loopback names: one server, two origins.
    return isLoopbackHost(configured.hostname) && isLoopbackHost(url.hostname) && url.port === configured.port
      ? url.origin
      : undefined;
  }
  if (isLoopbackHost(url.hostname) || url.protocol === "https:") return url.origin;
  return undefined;
}

/**
 * Browser origins allowed to call the MCP endpoints: the server's own,
 * ALLOWED_ORIGINS, and any loopback origin while the server itself runs on
 * loopback (the MCP Inspector in development). The request's own Host is not
 * trusted: a DNS-rebinding page makes Origin and Host agree.
 */
export function isAllowedOrigin(origin: string, served: string, env: Pick<Env, "ALLOWED_ORIGINS">): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === served || commaList(env.ALLOWED_ORIGINS).includes(parsed.origin)) return true;
  return isLoopbackHost(new URL(served).hostname) && isLoopbackHost(parsed.hostname);
}

/** Every request: a foreign Host gets 421 before anything else runs. */
export const hostPolicy: MiddlewareHandler<{ Bindings: Env; Variables: { origin: string } }> = async (c, next) => {
  const origin = servedOrigin(c.req.raw, c.env);
  if (!origin) {
    return c.json(
      {
        error: "misdirected_request",
        error_description: c.env.PUBLIC_URL
          ? `This server answers only as ${new URL(c.env.PUBLIC_URL).host}.`
          : "This server answers only on its own host name.",
      },
      421,
    );
  }
  c.set("origin", origin);
  await next();
};

/** The MCP endpoints: a browser page from an origin not allowed gets 403 before CORS is considered. */
export const originPolicy: MiddlewareHandler<{ Bindings: Env; Variables: { origin: string } }> = async (c, next) => {
  const origin = c.req.header("Origin");
  if (origin && !isAllowedOrigin(origin, c.get("origin"), c.env)) {
    return jsonRpcError(null, -32000, `Forbidden: origin ${origin} is not allowed to use this server`, 403);
  }
  await next();
};
