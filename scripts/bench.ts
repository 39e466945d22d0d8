/**
 * `npm run bench`: what one request costs on the way through the server,
 * measured against the floor of any request through `wrangler dev` and
 * against the same Graph read sent straight to the emulator. Starts the
 * stack `npm run dev` starts (emulator + Worker, on free ports), signs Adele
 * in over Streamable HTTP, times each case sequentially (median and p95),
 * reads the Durable Object and KV round trips of a warm getEmails from the
 * Worker's log, and prints the targets as PASS/MISS. The machine may be
 * shared, so only the ratios within one run mean anything. Exits 0 on MISS:
 * it is a measurement; non-zero only when something failed to run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectWithSignIn } from "../test/e2e/mcp-clients.ts";
import { signIn as signInToEmulator } from "../test/emulator/helpers.ts";
import { localSecrets, startStack } from "./dev-stack.ts";

const USER = "adele@contoso.example";
const GRAPH_SCOPE = "openid profile email offline_access User.Read Mail.Read";
const WARMUP = 20;
const ITERATIONS = 200;
/** Each case stops early after this long (fewer iterations when slow). */
const CASE_BUDGET_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

interface Figures {
  name: string;
  samples: number;
  median: number;
  p95: number;
  /** Median of what the Worker reported its rate-limit check cost (Server-Timing), where it did. */
  rateLimit?: number;
}

/** The `ratelimit` durations the Worker reported (Server-Timing) during the current case. */
let rateLimitTimings: number[] = [];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Runs `once` WARMUP times, then up to ITERATIONS times within CASE_BUDGET_MS; each run must succeed. */
async function measure(name: string, once: () => Promise<void>): Promise<Figures> {
  for (let i = 0; i < WARMUP; i++) await once();
  const times: number[] = [];
  rateLimitTimings = [];
  const started = performance.now();
  while (times.length < ITERATIONS && performance.now() - started < CASE_BUDGET_MS) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const limits = [...rateLimitTimings].sort((a, b) => a - b);
  return {
    name,
    samples: times.length,
    median: percentile(times, 50),
    p95: percentile(times, 95),
    ...(limits.length ? { rateLimit: percentile(limits, 50) } : {}),
  };
}

/** A JSON-RPC answer from a JSON body or from the `data:` lines of an SSE body. */
function parseRpc(contentType: string, text: string): { result?: unknown; error?: { code: number; message: string } } {
  if (contentType.includes("text/event-stream")) {
    for (const line of text.split("\n")) {
      if (!line.startsWith("data:")) continue;
      const message = JSON.parse(line.slice(5)) as { id?: unknown; result?: unknown; error?: never };
      if (message.id !== undefined) return message;
    }
    throw new Error(`no JSON-RPC answer in the event stream: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } };
}

interface RpcTarget {
  url: string;
  headers: Record<string, string>;
}

let rpcId = 1000;

/** One raw JSON-RPC POST; throws on an HTTP error, a JSON-RPC error or a tool result with isError. */
async function rpc(target: RpcTarget, method: string, params: unknown = {}): Promise<unknown> {
  const response = await fetch(target.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...target.headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  const timing = /ratelimit;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
  if (timing) rateLimitTimings.push(Number(timing[1]));
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${text.slice(0, 200)}`);
  const message = parseRpc(response.headers.get("content-type") ?? "", text);
  if (message.error) throw new Error(`${method}: JSON-RPC error ${message.error.code} ${message.error.message}`);
  const result = message.result as { isError?: boolean; content?: { type: string; text?: string }[] } | undefined;
  if (result?.isError) throw new Error(`${method}: tool error ${result.content?.[0]?.text ?? ""}`);
  return result;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await response.arrayBuffer();
  if (!response.ok)
    throw new Error(`GET ${url}: HTTP ${response.status} ${Buffer.from(body).toString().slice(0, 200)}`);
}

interface ToolCallLine {
  tool: string;
  cache?: string;
  latencyMs?: number;
  graphRequests?: number;
  hops?: { durableObjects: number; kvReads: number };
}

/** The `tool_call` JSON lines in wrangler's output (lines may carry a prefix before the object). */
function toolCallLines(output: string): ToolCallLine[] {
  const lines: ToolCallLine[] = [];
  for (const line of output.split("\n")) {
    const start = line.indexOf('{"event":"tool_call"');
    const at = start >= 0 ? start : line.includes('"tool_call"') ? line.indexOf("{") : -1;
    if (at < 0) continue;
    try {
      const parsed = JSON.parse(line.slice(at, line.lastIndexOf("}") + 1)) as ToolCallLine & { event?: string };
      if (parsed.event === "tool_call") lines.push(parsed);
    } catch {
      // Not a whole JSON object (a line cut by the log's window): skip it.
    }
  }
  return lines;
}

function ms(value: number): string {
  return value.toFixed(2);
}

const state = mkdtempSync(join(tmpdir(), "m365-bench-"));
const stack = await startStack({ persistTo: state, vars: localSecrets() });
let exitCode = 0;
try {
  const { workerUrl } = stack;
  const emulatorUrl = stack.emulator!.url;
  const { client, provider } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
    USER,
  );
  const transport = client.transport as StreamableHTTPClientTransport;
  const accessToken = provider.tokens()?.access_token;
  if (!accessToken || !transport.sessionId) throw new Error("sign-in gave no token or no session id");
  const session: RpcTarget = {
    url: `${workerUrl}/mcp`,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      "mcp-session-id": transport.sessionId,
      ...(transport.protocolVersion ? { "mcp-protocol-version": transport.protocolVersion } : {}),
    },
  };
  // As curl sends it (README): plain JSON-RPC, no token, no event-stream Accept.
  const anonymous: RpcTarget = { url: `${workerUrl}/sse`, headers: { Accept: "*/*" } };

  // The Graph read getEmails sends, copied from the emulator's request log.
  await fetch(`${emulatorUrl}/_emulator/requests`, { method: "DELETE" });
  await rpc(session, "tools/call", { name: "getEmails", arguments: { count: 10, fresh: true } });
  const logged = (await (await fetch(`${emulatorUrl}/_emulator/requests`)).json()) as {
    method: string;
    path: string;
    query: string;
  }[];
  const read = logged.find((entry) => entry.method === "GET" && entry.path.includes("/messages"));
  if (!read) throw new Error(`getEmails sent no message listing to Graph: ${JSON.stringify(logged)}`);
  const graphUrl = `${emulatorUrl}${read.path}${read.query ? `?${read.query}` : ""}`;
  const graphToken = (await signInToEmulator(emulatorUrl, USER, GRAPH_SCOPE)).access_token;
  console.log(`Graph read: GET ${decodeURIComponent(`${read.path}?${read.query}`.replace(/\+/g, " "))}\n`);

  const cases: [string, () => Promise<void>][] = [
    ["floor", () => get(`${workerUrl}/`)],
    ["graph direct", () => get(graphUrl, { Authorization: `Bearer ${graphToken}` })],
    ["ping", () => rpc(session, "ping").then(() => undefined)],
    ["tools/list", () => rpc(session, "tools/list").then(() => undefined)],
    ["tools/list anonymous", () => rpc(anonymous, "tools/list").then(() => undefined)],
    [
      "getEmails(10) uncached",
      () =>
        rpc(session, "tools/call", { name: "getEmails", arguments: { count: 10, fresh: true } }).then(() => undefined),
    ],
    [
      "getEmails(10) cached",
      () => rpc(session, "tools/call", { name: "getEmails", arguments: { count: 10 } }).then(() => undefined),
    ],
    // The floor again, last: how far the machine drifted during the run.
    ["floor (again, at the end)", () => get(`${workerUrl}/`)],
  ];
  const results = new Map<string, Figures>();
  // The Worker's tool_call lines, read right after each getEmails case (wrangler's log is a window).
  const lines: ToolCallLine[] = [];
  for (const [name, once] of cases) {
    if (name === "getEmails(10) cached") await once(); // fill the cache
    results.set(name, await measure(name, once));
    if (name.startsWith("getEmails")) {
      lines.push(...toolCallLines(stack.output()).filter((line) => line.tool === "getEmails"));
    }
    process.stderr.write(`  measured ${name}\n`);
  }

  const floor = results.get("floor")!;
  console.log(
    `${"case".padEnd(28)}${"n".padStart(5)}${"median ms".padStart(11)}${"p95 ms".padStart(9)}${"x floor".padStart(9)}${"rate-limit ms".padStart(15)}`,
  );
  for (const row of results.values()) {
    console.log(
      `${row.name.padEnd(28)}${String(row.samples).padStart(5)}${ms(row.median).padStart(11)}${ms(row.p95).padStart(9)}${`${(row.median / floor.median).toFixed(2)}x`.padStart(9)}${(row.rateLimit === undefined ? "" : ms(row.rateLimit)).padStart(15)}`,
    );
  }

  // Round trips of the warm path, from the Worker's own tool_call lines.
  const last = (cache: string) => lines.filter((line) => line.cache === cache).at(-1);
  const describe = (line: ToolCallLine | undefined) =>
    line?.hops
      ? `${line.hops.durableObjects} Durable Object, ${line.hops.kvReads} KV read(s), ${line.graphRequests ?? "?"} Graph request(s)`
      : "(no tool_call line found)";
  const hit = last("hit");
  const uncached = last("bypass") ?? last("miss");
  console.log(`\nround trips per getEmails (from wrangler's tool_call lines):`);
  console.log(`  cached (cache hit):     ${describe(hit)}`);
  console.log(`  uncached (${uncached?.cache ?? "bypass"}):      ${describe(uncached)}`);
  const miss = last("miss");
  if (miss) console.log(`  first fill (miss):      ${describe(miss)}`);

  const m = (name: string) => results.get(name)!.median;
  // The same, less what wrangler dev's stand-in for the Rate Limiting bindings cost (a local Durable
  // Object's round trip per message; on Cloudflare the counters are in the serving machine's memory).
  const own = (name: string) => m(name) - (results.get(name)!.rateLimit ?? 0);
  const targets: [string, boolean][] = [
    [`ping ${ms(m("ping"))} ms <= 1.5x floor (${ms(1.5 * floor.median)} ms)`, m("ping") <= 1.5 * floor.median],
    [
      `tools/list ${ms(m("tools/list"))} ms <= 1.5x floor (${ms(1.5 * floor.median)} ms)`,
      m("tools/list") <= 1.5 * floor.median,
    ],
    [
      `anonymous tools/list ${ms(m("tools/list anonymous"))} ms <= 1.5x floor (${ms(1.5 * floor.median)} ms)`,
      m("tools/list anonymous") <= 1.5 * floor.median,
    ],
    [
      `uncached getEmails ${ms(m("getEmails(10) uncached"))} ms <= floor + graph direct + 5 ms (${ms(floor.median + m("graph direct") + 5)} ms)`,
      m("getEmails(10) uncached") <= floor.median + m("graph direct") + 5,
    ],
    [
      `cached getEmails ${ms(m("getEmails(10) cached"))} ms <= floor + 3 ms (${ms(floor.median + 3)} ms)`,
      m("getEmails(10) cached") <= floor.median + 3,
    ],
    [
      `warm path ${hit?.hops?.durableObjects ?? "?"} Durable Object round trip(s) <= 2`,
      hit?.hops !== undefined && hit.hops.durableObjects <= 2,
    ],
  ];
  console.log(`\ntargets (medians of this run):`);
  for (const [label, pass] of targets) console.log(`  ${pass ? "PASS" : "MISS"}  ${label}`);
  const withoutStandIn: [string, boolean][] = [
    [`ping ${ms(own("ping"))} ms <= 1.5x floor`, own("ping") <= 1.5 * floor.median],
    [`tools/list ${ms(own("tools/list"))} ms <= 1.5x floor`, own("tools/list") <= 1.5 * floor.median],
    [
      `uncached getEmails ${ms(own("getEmails(10) uncached"))} ms <= floor + graph direct + 5 ms`,
      own("getEmails(10) uncached") <= floor.median + m("graph direct") + 5,
    ],
    [
      `cached getEmails ${ms(own("getEmails(10) cached"))} ms <= floor + 3 ms`,
      own("getEmails(10) cached") <= floor.median + 3,
    ],
  ];
  console.log(
    `\nthe same without wrangler dev's rate-limit stand-in (Server-Timing ratelimit, as production has no such hop):`,
  );
  for (const [label, pass] of withoutStandIn) console.log(`  ${pass ? "PASS" : "MISS"}  ${label}`);

  await transport.terminateSession().catch(() => undefined);
  await client.close();
} catch (error) {
  console.error(error);
  if (stack.output()) console.error(`\nwrangler dev output (tail):\n${stack.output().slice(-4000)}`);
  exitCode = 1;
} finally {
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
}
process.exitCode = exitCode;
