import { GraphError, ToolError } from "./errors.ts";
import type { AccessTokenResult, AccessTokenSource, CircuitState } from "./token-source.ts";

/** What one tool call's Graph traffic looked like, for its log line. */
export interface GraphStats {
  requests: number;
  retries: number;
  lastStatus: number | "timeout" | "unreachable" | undefined;
  /** Graph's request-id of each answer, for support cases. */
  requestIds: string[];
  /**
   * Whether a write of this call may have taken effect: Graph accepted one
   * (2xx), or one met a timeout, a lost connection or a 5xx, after which
   * nobody knows. False means every write was refused (4xx, 429), or none
   * was sent at all (refused before dispatch, circuit open, no token).
   */
  writesMayHaveActed: boolean;
}

export interface GraphRequest {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** A path under the Graph base URL ("/me/messages"), or a full URL Graph returned (`@odata.nextLink`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON-serialised unless it is already bytes or text (`rawBody`). */
  body?: unknown;
  /** Send `body` as is (bytes or text) with this Content-Type instead of JSON. */
  rawContentType?: string;
  /** A POST that only reads (`$batch` of GETs, `getSchedule`): retried like a GET. */
  readOnly?: boolean;
}

/** Bytes Graph returned for a content (`$value`, `/content`) request. */
export interface GraphBytes {
  bytes: Uint8Array;
  contentType: string;
}

const REQUEST_TIMEOUT_MS = 20_000;
const MAX_ATTEMPTS = 4;
/** Graph's JSON batching takes at most 20 requests. */
const MAX_BATCH = 20;
/** A tool call's Graph work, retries and waits included, stays well inside a Worker request's limits. */
const TOTAL_BUDGET_MS = 60_000;
/** Longest Retry-After the client sleeps through inside one tool call; longer ones go back to the caller. */
const MAX_RETRY_WAIT_SECONDS = 8;

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The circuit breaker a request counts against: its workload and whether it
 * writes ("mail:write", "files:read"). Microsoft 365 fails by service, and a
 * failing write endpoint must not stop the user's reads.
 */
export function circuitOf(method: string, path: string, readOnly = false): string {
  const access = method === "GET" || readOnly ? "read" : "write";
  const segments = path
    .replace(/^https?:\/\/[^/]+/i, "")
    .replace(/^\/(v1\.0|beta)(?=\/)/, "")
    .split(/[/?(]/)
    .filter(Boolean);
  // Past the owner: /me/..., /users/{id}/...
  const [first = "", second = "", third = ""] = segments;
  const area = first === "me" ? second : first === "users" ? third : first;
  return `${WORKLOADS[area.toLowerCase()] ?? "directory"}:${access}`;
}

const WORKLOADS: Record<string, string> = {
  messages: "mail",
  mailfolders: "mail",
  sendmail: "mail",
  mailboxsettings: "mail",
  events: "calendar",
  calendar: "calendar",
  calendars: "calendar",
  calendarview: "calendar",
  calendargroups: "calendar",
  findmeetingtimes: "calendar",
  contacts: "contacts",
  contactfolders: "contacts",
  people: "contacts",
  todo: "tasks",
  drive: "files",
  drives: "files",
  sites: "files",
  shares: "files",
  teams: "teams",
  joinedteams: "teams",
  chats: "teams",
  onlinemeetings: "teams",
  search: "search",
  $batch: "batch",
};

function backoffSeconds(attempt: number): number {
  return Math.random() * Math.min(4, 0.5 * 2 ** attempt);
}

/** A thin, typed Microsoft Graph client: token handling, timeouts, bounded retries, Graph errors. */
export class GraphClient {
  private readonly baseUrl: string;
  private readonly tokens: AccessTokenSource;
  private readonly fetcher: typeof fetch;
  /** The breaker's summary with the token: "closed" means no request needs to ask it. */
  private circuit: CircuitState = "closed";
  readonly stats: GraphStats = {
    requests: 0,
    retries: 0,
    lastStatus: undefined,
    requestIds: [],
    writesMayHaveActed: false,
  };

  private readonly timeoutMs: number;

  constructor(
    baseUrl: string,
    tokens: AccessTokenSource,
    options: { fetcher?: typeof fetch; timeoutSeconds?: number } = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.tokens = tokens;
    this.fetcher = options.fetcher ?? ((input, init) => fetch(input, init));
    this.timeoutMs =
      options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
        ? options.timeoutSeconds * 1000
        : REQUEST_TIMEOUT_MS;
  }

  /**
   * The URL for a request. Absolute URLs (paging links) must point at the Graph
   * base URL: a token is never sent anywhere else.
   */
  resolveUrl(path: string, query?: GraphRequest["query"]): URL {
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
      if (!url.href.startsWith(`${this.baseUrl}/`)) {
        throw new ToolError(
          "invalid_input",
          "The cursor is not a Microsoft Graph link from this server; pass back the cursor exactly as it was returned.",
        );
      }
    } else {
      url = new URL(`${this.baseUrl}${path.startsWith("/") ? path : `/${path}`}`);
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async get<T>(path: string, options: Omit<GraphRequest, "path" | "method" | "body"> = {}): Promise<T> {
    return this.request<T>({ ...options, path, method: "GET" });
  }

  async post<T>(path: string, body: unknown, options: Omit<GraphRequest, "path" | "method" | "body"> = {}): Promise<T> {
    return this.request<T>({ ...options, path, body, method: "POST" });
  }

  async patch<T>(
    path: string,
    body: unknown,
    options: Omit<GraphRequest, "path" | "method" | "body"> = {},
  ): Promise<T> {
    return this.request<T>({ ...options, path, body, method: "PATCH" });
  }

  async put<T>(path: string, body: unknown, options: Omit<GraphRequest, "path" | "method" | "body"> = {}): Promise<T> {
    return this.request<T>({ ...options, path, body, method: "PUT" });
  }

  async delete(path: string, options: Omit<GraphRequest, "path" | "method" | "body"> = {}): Promise<void> {
    await this.request<void>({ ...options, path, method: "DELETE" });
  }

  /**
   * Several reads in one round trip (JSON batching, up to 20). Each answer is
   * the parsed body or a GraphError; items Graph throttled or could not serve
   * (429/503/504) are sent again in a later round, honouring Retry-After.
   */
  async batch<T = unknown>(
    requests: readonly { id: string; path: string; query?: GraphRequest["query"]; headers?: Record<string, string> }[],
  ): Promise<Map<string, T | GraphError>> {
    if (requests.length > MAX_BATCH) throw new Error(`a Graph batch holds at most ${MAX_BATCH} requests`);
    const results = new Map<string, T | GraphError>();
    let pending = [...requests];
    for (let round = 0; pending.length > 0; round++) {
      const payload = {
        requests: pending.map((item) => {
          const url = this.resolveUrl(item.path, item.query);
          return {
            id: item.id,
            method: "GET",
            url: `${url.pathname.slice(new URL(this.baseUrl).pathname.length)}${url.search}`,
            ...(item.headers ? { headers: item.headers } : {}),
          };
        }),
      };
      const answer = await this.post<{
        responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
      }>("/$batch", payload, { readOnly: true });
      const retry: typeof pending = [];
      let wait = 0;
      for (const response of answer.responses) {
        const item = pending.find((candidate) => candidate.id === response.id);
        if (!item) continue;
        if (response.status < 400) {
          results.set(item.id, response.body as T);
          continue;
        }
        const body = (response.body ?? {}) as { error?: { code?: string; message?: string } };
        const retryAfter = parseRetryAfter(
          response.headers?.["Retry-After"] ?? response.headers?.["retry-after"] ?? null,
        );
        const error = new GraphError(
          response.status,
          body.error?.code ?? `HTTP${response.status}`,
          body.error?.message ?? `HTTP ${response.status}`,
          undefined,
          retryAfter,
        );
        const retryable = response.status === 429 || response.status === 503 || response.status === 504;
        if (retryable && round + 1 < MAX_ATTEMPTS && (retryAfter ?? 0) <= MAX_RETRY_WAIT_SECONDS) {
          retry.push(item);
          wait = Math.max(wait, retryAfter ?? backoffSeconds(round));
        } else {
          results.set(item.id, error);
        }
      }
      pending = retry;
      if (pending.length > 0) {
        this.stats.retries++;
        await sleep(wait);
      }
    }
    return results;
  }

  /**
   * Content bytes (`/content`, `$value`), at most `maxBytes`. Graph answers
   * file content with a redirect to a pre-authenticated download URL on
   * another host; that URL is followed without our token.
   */
  async getBytes(
    path: string,
    maxBytes: number,
    options: Omit<GraphRequest, "path" | "method" | "body"> = {},
  ): Promise<GraphBytes> {
    const response = await this.request({ ...options, path, method: "GET" }, { raw: true });
    let content = response;
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get("Location");
      if (!location)
        throw new ToolError("upstream_unavailable", "Microsoft Graph redirected a download without a location.");
      content = await this.fetchUnauthenticated(new URL(location, this.baseUrl), { method: "GET" });
      if (!content.ok) {
        await content.body?.cancel();
        throw new ToolError("upstream_unavailable", `The file download failed (${content.status}); try again shortly.`);
      }
    }
    const declared = Number(content.headers.get("Content-Length") ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await content.body?.cancel();
      throw new ToolError(
        "payload_too_large",
        `The content is ${declared} bytes; this tool reads at most ${maxBytes} bytes.`,
      );
    }
    const bytes = new Uint8Array(await content.arrayBuffer());
    if (bytes.byteLength > maxBytes) {
      throw new ToolError(
        "payload_too_large",
        `The content is over ${maxBytes} bytes; this tool reads at most ${maxBytes} bytes.`,
      );
    }
    return { bytes, contentType: content.headers.get("Content-Type") ?? "application/octet-stream" };
  }

  /**
   * A request to a URL Graph handed out for one job (an upload session's
   * `uploadUrl`, a download URL). Those URLs carry their own authorization:
   * our token is never sent with them. No retries: the caller decides.
   */
  async fetchUnauthenticated(url: URL, init: RequestInit): Promise<Response> {
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new ToolError("invalid_input", "Microsoft Graph handed out a URL that is not http(s).");
    }
    const writes = (init.method ?? "GET").toUpperCase() !== "GET";
    try {
      const response = await this.fetcher(url, {
        ...init,
        signal: init.signal ?? AbortSignal.timeout(this.timeoutMs * 3),
      });
      if (writes && (response.ok || response.status >= 500)) this.stats.writesMayHaveActed = true;
      return response;
    } catch (cause) {
      if (writes) this.stats.writesMayHaveActed = true;
      const timedOut = cause instanceof Error && cause.name === "TimeoutError";
      throw new ToolError(
        "upstream_unavailable",
        timedOut ? "Microsoft 365 storage did not answer in time." : "Microsoft 365 storage could not be reached.",
      );
    }
  }

  async request<T>(request: GraphRequest): Promise<T>;
  async request(request: GraphRequest, mode: { raw: true }): Promise<Response>;
  async request<T>(request: GraphRequest, mode?: { raw: true }): Promise<T | Response> {
    const method = request.method ?? "GET";
    const retriesLikeRead = method === "GET" || request.readOnly === true;
    const url = this.resolveUrl(request.path, request.query);
    const circuit = circuitOf(method, url.pathname.slice(new URL(this.baseUrl).pathname.length), request.readOnly);
    const started = Date.now();
    let token = await this.accessToken(this.tokens.get());
    const admission = await this.admit(circuit);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      this.stats.requests++;
      let response: Response;
      try {
        response = await this.fetcher(url, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: "application/json",
            ...(request.body !== undefined ? { "Content-Type": request.rawContentType ?? "application/json" } : {}),
            ...request.headers,
          },
          body:
            request.body === undefined
              ? undefined
              : request.rawContentType !== undefined
                ? (request.body as BodyInit)
                : JSON.stringify(request.body),
          signal: AbortSignal.timeout(this.timeoutMs),
          ...(mode?.raw ? { redirect: "manual" as const } : {}),
        });
      } catch (cause) {
        // A write may have reached Graph before the connection failed: never resend it blindly.
        const wait = backoffSeconds(attempt);
        if (retriesLikeRead && attempt + 1 < MAX_ATTEMPTS && this.withinBudget(started, wait)) {
          await sleep(wait);
          continue;
        }
        const timedOut = cause instanceof Error && cause.name === "TimeoutError";
        this.stats.lastStatus = timedOut ? "timeout" : "unreachable";
        if (!retriesLikeRead) this.stats.writesMayHaveActed = true;
        await this.reportUpstream(false, circuit, admission);
        throw new ToolError(
          "upstream_unavailable",
          (timedOut
            ? `Microsoft Graph did not answer within ${this.timeoutMs / 1000} seconds.`
            : "Microsoft Graph could not be reached.") +
            (retriesLikeRead ? "" : " The change may or may not have been made: check before trying again."),
        );
      }
      this.stats.lastStatus = response.status;
      const requestId = response.headers.get("request-id");
      if (requestId) this.stats.requestIds.push(requestId);

      if (response.status === 401 && !renewed) {
        await response.body?.cancel();
        renewed = true;
        token = await this.accessToken(this.tokens.renewRejected(token));
        attempt--;
        this.stats.retries--;
        continue;
      }

      if (response.status < 500) await this.reportUpstream(true, circuit, admission);
      if (!retriesLikeRead && (response.ok || response.status >= 500)) this.stats.writesMayHaveActed = true;

      if (mode?.raw && (response.ok || (response.status >= 300 && response.status < 400))) return response;

      if (response.ok) {
        if (response.status === 202 || response.status === 204) {
          await response.body?.cancel();
          return undefined as T;
        }
        const text = await response.text();
        return (text ? JSON.parse(text) : undefined) as T;
      }

      const error = await graphErrorFrom(response);
      // 429 means Graph did not process the request, so even a write may be retried;
      // 503/504 may follow a processed write, so only reads are retried then.
      const retryable =
        response.status === 429 || (retriesLikeRead && (response.status === 503 || response.status === 504));
      const wait = error.retryAfterSeconds ?? backoffSeconds(attempt);
      if (
        retryable &&
        attempt + 1 < MAX_ATTEMPTS &&
        wait <= MAX_RETRY_WAIT_SECONDS &&
        this.withinBudget(started, wait)
      ) {
        await sleep(wait);
        continue;
      }
      if (response.status >= 500) await this.reportUpstream(false, circuit, admission);
      throw error;
    }
  }

  /** Whether waiting `seconds` more keeps this call inside its total time budget. */
  private withinBudget(started: number, seconds: number): boolean {
    return Date.now() - started + seconds * 1000 + this.timeoutMs <= TOTAL_BUDGET_MS;
  }

  /**
   * The breaker's verdict on a request on `circuit`: asked only when the
   * token said some circuit is not closed. An open circuit refuses the
   * request before it is sent (so a write with it certainly did not act).
   */
  private async admit(circuit: string): Promise<CircuitState> {
    if (this.circuit === "closed" || !this.tokens.admit) return "closed";
    let verdict: CircuitState | number;
    try {
      verdict = await this.tokens.admit(circuit);
    } catch {
      // The breaker is advice: never fail a call because it could not be asked.
      return "degraded";
    }
    if (typeof verdict !== "number") return verdict;
    const [workload, access] = circuit.split(":");
    throw new ToolError(
      "upstream_unavailable",
      `Microsoft Graph kept failing for ${workload} ${access}s of your account, so they are paused for ${verdict} seconds to let it recover; nothing was sent.`,
      verdict,
    );
  }

  /** Tells the circuit breaker how Graph answered a request on `circuit`, when it wants to know. */
  private async reportUpstream(ok: boolean, circuit: string, admission: CircuitState): Promise<void> {
    if (ok && admission === "closed") return;
    try {
      await this.tokens.recordUpstream?.(ok, circuit);
    } catch {
      // The breaker is advice: never fail a call because it could not be told.
    }
  }

  private async accessToken(pending: Promise<AccessTokenResult>): Promise<string> {
    const result = await pending;
    if (!result.ok) throw new ToolError(result.code, result.message, result.retryAfterSeconds);
    // A renewed token carries no summary: the one the call started with stands.
    if (result.circuit) this.circuit = result.circuit;
    return result.accessToken;
  }
}

async function graphErrorFrom(response: Response): Promise<GraphError> {
  const requestId = response.headers.get("request-id") ?? undefined;
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  let code = `HTTP${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const payload = (await response.json()) as { error?: { code?: string; message?: string } };
    if (payload.error?.code) code = payload.error.code;
    if (payload.error?.message) message = payload.error.message;
  } catch {
    // Not a Graph error body (a proxy's HTML page, say): the status line says enough.
  }
  return new GraphError(response.status, code, message, requestId, retryAfter);
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}
