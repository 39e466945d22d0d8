/**
 * The Microsoft emulator: Entra ID v2.0 sign-in and the Graph endpoints the
 * server uses, over a seeded demo tenant, with fault injection and a control
 * API. Stands in for login.microsoftonline.com and graph.microsoft.com in
 * development and tests.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { handleControl } from "./control.ts";
import { routeEntra } from "./entra/routes.ts";
import { faultResponse, takeFault } from "./faults.ts";
import { answerBatch, isBatchRequest } from "./graph/batch.ts";
import { graphError } from "./graph/responses.ts";
import { GraphRouter } from "./graph/router.ts";
import { GRAPH_ROUTES } from "./graph/routes.ts";
import { routeTransfer, serveBlob } from "./graph/upload.ts";
import { escapeHtml } from "./html-text.ts";
import { ICON_LINKS, iconResponse } from "./icon.ts";
import { html, readRequest, send, type EmulatorRequest, type EmulatorResponse } from "./http.ts";
import { EmulatorState } from "./state.ts";
import { DEMO_CLIENT_ID, DEMO_USERS, TENANT_ID, TENANT_NAME } from "./tenant.ts";

export interface EmulatorOptions {
  /** 0 picks a free port; default 8788. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Lifetime of issued access tokens; default 3600. */
  accessTokenLifetimeSeconds?: number;
  /**
   * A file to append every logged request to, one JSON line each, kept across
   * resets (for checking a whole test run's requests); default the
   * EMULATOR_REQUEST_LOG environment variable, else none.
   */
  requestLogFile?: string;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:8788, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

interface Outcome {
  response: EmulatorResponse;
  userId?: string;
  faultId?: string;
}

const graph = new GraphRouter(GRAPH_ROUTES);

/** The logged headers: the ones that change what Graph answers. */
const LOGGED_HEADERS = ["prefer", "consistencylevel"];

function loggedHeaders(request: EmulatorRequest): Record<string, string> | undefined {
  const present = LOGGED_HEADERS.filter((name) => request.headers[name] !== undefined);
  return present.length ? Object.fromEntries(present.map((name) => [name, request.headers[name]!])) : undefined;
}

/** The requests inside a JSON batch, for the log; none when the body is not a batch. */
function batchedRequests(request: EmulatorRequest): { method: string; url: string }[] | undefined {
  if (!isBatchRequest(request)) return undefined;
  try {
    const body = JSON.parse(request.body.toString("utf8")) as { requests?: { method?: unknown; url?: unknown }[] };
    return (body.requests ?? [])
      .filter((entry) => typeof entry.url === "string")
      .map((entry) => ({ method: String(entry.method ?? "GET").toUpperCase(), url: entry.url as string }));
  } catch {
    return undefined;
  }
}

function landingPage(origin: string): EmulatorResponse {
  const users = DEMO_USERS.map(
    (user) => `<li>${escapeHtml(user.displayName)} &lt;${escapeHtml(user.mail)}&gt;</li>`,
  ).join("");
  return html(
    200,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Microsoft emulator</title>${ICON_LINKS}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>Microsoft emulator: ${escapeHtml(TENANT_NAME)}</h1>
<p>Stands in for Microsoft Entra ID and Microsoft Graph in m365-mcp-server's local development and tests. Nothing here reaches Microsoft.</p>
<ul>
<li>Sign-in: <code>${origin}/common/oauth2/v2.0/authorize</code>, <code>${origin}/common/oauth2/v2.0/token</code>, <code>${origin}/${TENANT_ID}/v2.0/.well-known/openid-configuration</code></li>
<li>Graph: <code>${origin}/v1.0</code> (users and directory, mail, calendars, contacts and people, Teams and chats, OneDrive and SharePoint, To Do, Microsoft Search, $batch)</li>
<li>Demo app: client id <code>${DEMO_CLIENT_ID}</code>, loopback redirect URIs only</li>
<li>Control API: <code>/_emulator/health</code>, <code>reset</code>, <code>faults</code>, <code>expire-tokens</code>, <code>revoke-refresh-tokens</code>, <code>consent</code>, <code>requests</code></li>
</ul>
<h2>Demo users</h2><ul>${users}</ul></body></html>`,
  );
}

function route(request: EmulatorRequest, state: EmulatorState, origin: string): Outcome {
  const path = request.url.pathname;
  if (path === "/" && request.method === "GET") return { response: landingPage(origin) };
  const icon = request.method === "GET" ? iconResponse(path) : undefined;
  if (icon) return { response: icon };
  if (isBatchRequest(request)) return answerBatch(request, state, origin, graph);
  if (path === "/v1.0" || path.startsWith("/v1.0/")) return graph.handle(request, state, origin);
  // OneDrive's pre-authenticated upload and download URLs (no bearer token), outside /v1.0 as in Graph.
  const transfer = routeTransfer(request, state, origin);
  if (transfer) return { response: transfer };
  return (
    routeEntra(request, state, origin) ?? {
      response: html(
        404,
        `<!doctype html><title>Not found</title><h1>Not found</h1><p>${escapeHtml(request.method)} ${escapeHtml(path)}</p>`,
      ),
    }
  );
}

async function answer(request: EmulatorRequest, state: EmulatorState, origin: string): Promise<Outcome> {
  if (request.oversized) {
    return {
      response: graphError(
        request,
        413,
        "ErrorRequestEntityTooLarge",
        "The request is larger than the maximum of 4 MB.",
      ),
    };
  }
  const fault = takeFault(state.faults, request);
  if (fault?.latencyMs) await delay(fault.latencyMs);
  if (fault?.status !== undefined) {
    return { response: faultResponse({ ...fault, status: fault.status }, request), faultId: fault.id };
  }
  try {
    return { ...route(request, state, origin), faultId: fault?.id };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      response: graphError(request, 500, "InternalServerError", `Emulator error: ${message}`),
      faultId: fault?.id,
    };
  }
}

/** The URL clients use for a server listening on host:port. */
function baseUrl(host: string, port: number): string {
  if (host === "0.0.0.0") return `http://127.0.0.1:${port}`;
  if (host === "::") return `http://[::1]:${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState(options.accessTokenLifetimeSeconds ?? 3600);
  state.requestLogFile = options.requestLogFile ?? (process.env.EMULATOR_REQUEST_LOG || undefined);
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const server = createServer((req, res) => {
    void (async () => {
      const at = new Date().toISOString();
      const request = await readRequest(req, origin);
      if (request.url.pathname === "/_emulator/blob" && request.method === "GET") {
        await serveBlob(request.url, res);
        return;
      }
      if (request.url.pathname.startsWith("/_emulator/")) {
        send(res, handleControl(request, state));
        return;
      }
      const outcome = await answer(request, state, origin);
      const headers = loggedHeaders(request);
      const batch = batchedRequests(request);
      state.record({
        method: request.method,
        path: request.url.pathname,
        query: request.url.search.slice(1),
        status: outcome.response.status,
        ...(outcome.userId ? { userId: outcome.userId } : {}),
        ...(outcome.faultId ? { faultId: outcome.faultId } : {}),
        ...(headers ? { headers } : {}),
        ...(batch ? { batch } : {}),
        at,
      });
      send(res, outcome.response);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8788, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  origin = baseUrl(host, (server.address() as AddressInfo).port);
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
