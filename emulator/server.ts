/**
 * The Microsoft emulator: Entra ID v2.0 sign-in and the Graph endpoints the
 * server uses, over a seeded demo tenant, with fault injection. Stands in for
 * login.microsoftonline.com and graph.microsoft.com in development and tests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control.ts";
import { authorizeGet, authorizePost, keys, openIdConfiguration, token } from "./entra.ts";
import { faultResponse, takeFault } from "./faults.ts";
import { mailRoutes } from "./graph/mail.ts";
import { graphError } from "./graph/responses.ts";
import { routeGraph, type GraphRoute } from "./graph/router.ts";
import { userRoutes } from "./graph/users.ts";
import { BodyTooLargeError, html, readRequest, send, type EmulatorRequest, type EmulatorResponse } from "./http.ts";
import { EmulatorState } from "./state.ts";
import { TENANT_NAME } from "./tenant.ts";

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  accessTokenLifetimeSeconds?: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:8788, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

const GRAPH_ROUTES: readonly GraphRoute[] = [...userRoutes, ...mailRoutes];

function landing(): EmulatorResponse {
  return html(
    200,
    `<!doctype html><title>Microsoft emulator</title><h1>Microsoft emulator: ${TENANT_NAME}</h1>
<p>Stands in for Entra ID (<code>/{tenant}/oauth2/v2.0/authorize</code>, <code>/token</code>) and Microsoft Graph (<code>/v1.0/...</code>) for m365-mcp-server's development and tests.</p>
<p>Control API: <code>/_emulator/faults</code>, <code>/_emulator/reset</code>, <code>/_emulator/requests</code>, <code>/_emulator/expire-tokens</code>, <code>/_emulator/revoke-refresh-tokens</code>.</p>`,
  );
}

function dispatch(
  request: EmulatorRequest,
  state: EmulatorState,
  origin: string,
): { response: EmulatorResponse; userId?: string } {
  const path = request.url.pathname;
  if (path === "/" && request.method === "GET") return { response: landing() };
  if (path.startsWith("/v1.0/") || path === "/v1.0") return routeGraph(request, state, GRAPH_ROUTES, origin);
  const entra =
    /^\/([^/]+)\/(oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(
      path,
    );
  if (entra) {
    const [, tenant, endpoint] = entra;
    if (endpoint === "oauth2/v2.0/authorize" && request.method === "GET")
      return { response: authorizeGet(request, tenant!) };
    if (endpoint === "oauth2/v2.0/authorize" && request.method === "POST")
      return { response: authorizePost(request, tenant!, state) };
    if (endpoint === "oauth2/v2.0/token" && request.method === "POST")
      return { response: token(request, tenant!, state, origin) };
    if (endpoint === "v2.0/.well-known/openid-configuration") return { response: openIdConfiguration(origin, tenant!) };
    if (endpoint === "discovery/v2.0/keys") return { response: keys() };
  }
  return { response: html(404, "<!doctype html><title>Not found</title><h1>Not found</h1>") };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState(options.accessTokenLifetimeSeconds ?? 3600);
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const server: Server = createServer(async (req, res) => {
    let request: EmulatorRequest;
    try {
      request = await readRequest(req, origin);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        const tooLarge = (error as BodyTooLargeError & { request: EmulatorRequest }).request;
        send(
          res,
          graphError(tooLarge, 413, "ErrorRequestEntityTooLarge", "The request exceeds the maximum size of 4 MB."),
        );
        state.record({
          method: tooLarge.method,
          path: tooLarge.url.pathname,
          query: tooLarge.url.search,
          status: 413,
          at: new Date().toISOString(),
        });
        return;
      }
      res.writeHead(400).end();
      return;
    }
    if (request.url.pathname.startsWith("/_emulator/")) {
      send(res, handleControl(request, state));
      return;
    }
    let outcome: { response: EmulatorResponse; userId?: string };
    try {
      const fault = takeFault(state, request);
      if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      outcome = fault?.status ? { response: faultResponse(fault, request) } : dispatch(request, state, origin);
    } catch (error) {
      outcome = {
        response: graphError(
          request,
          500,
          "InternalServerError",
          error instanceof Error ? error.message : "emulator error",
        ),
      };
    }
    state.record({
      method: request.method,
      path: request.url.pathname,
      query: request.url.search,
      status: outcome.response.status,
      userId: outcome.userId,
      at: new Date().toISOString(),
    });
    send(res, outcome.response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8788, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
