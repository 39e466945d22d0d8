/**
 * `npm run load`: a bounded local load run. Starts the stack `npm run dev`
 * starts (emulator + Worker, on free ports, fresh state), signs the three demo
 * users in once each through the browser flow, opens `--sessions` MCP
 * sessions (Streamable HTTP, one SDK client each, spread over the users) and
 * has each loop over a read mix across mail, calendar, files, contacts, tasks
 * and Teams for `--seconds`, about half the calls with `fresh: true` so Graph
 * is exercised. With `--faults` the emulator answers a share of Graph reads
 * with 503 or 429 (Retry-After) or delays them, for the retries to absorb.
 * Prints calls/s, latency percentiles, the error rate, per-tool figures, what
 * Graph saw, and how many session Durable Objects hold storage before the
 * sessions open, while they are open, and after every client has closed.
 *
 *   npm run load -- --sessions 16 --seconds 45 --faults
 *
 * Only 127.0.0.1 ports this script starts; every request has a timeout and
 * the whole run a deadline. On a shared machine the absolute figures move;
 * compare runs made one after the other.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type * as SqliteModule from "node:sqlite";
import { connectWithSignIn } from "../test/e2e/mcp-clients.ts";
import { localSecrets, WHOLE_CATALOG_AT_SIGN_IN, startStack, type RunningStack } from "./dev-stack.ts";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "16" },
    seconds: { type: "string", default: "45" },
    faults: { type: "boolean", default: false },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const FAULTS = values.faults;
if (!Number.isInteger(SESSIONS) || SESSIONS < 1 || SESSIONS > 64) throw new Error("--sessions must be 1 to 64");
if (!Number.isFinite(SECONDS) || SECONDS < 1 || SECONDS > 600) throw new Error("--seconds must be 1 to 600");

const USERS = ["adele@contoso.example", "megan@contoso.example", "alex@contoso.example"];
const CALL_TIMEOUT_MS = 30_000;
const CONTROL_TIMEOUT_MS = 5_000;
/** The whole run, sign-in and teardown included, ends by this much after `--seconds`. */
const RUN_DEADLINE_MS = SECONDS * 1000 + 180_000;

/** The read mix: per workload, tools that need no ids, with arguments. */
const MIX: { workload: string; tool: string; args: Record<string, unknown> }[] = [
  { workload: "mail", tool: "getEmails", args: { count: 10 } },
  { workload: "calendar", tool: "getCalendarEvents", args: { count: 10 } },
  { workload: "files", tool: "listFiles", args: { count: 20 } },
  { workload: "contacts", tool: "getContacts", args: { count: 20 } },
  { workload: "tasks", tool: "listTaskLists", args: {} },
  { workload: "tasks", tool: "listTasks", args: { count: 20 } },
  { workload: "teams", tool: "listTeams", args: {} },
  { workload: "teams", tool: "listChats", args: { count: 10 } },
];

/** Shares of Graph reads the emulator faults with `--faults`. */
const FAULT_SHARES = { unavailable503: 0.06, throttled429: 0.04, delayed: 0.04 };
const FAULT_RETRY_AFTER_SECONDS = 1;
const FAULT_LATENCY_MS = 400;
const GRAPH_READ = "^GET /v1\\.0/";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function control(emulatorUrl: string, path: string, method = "GET", body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulatorUrl}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// ---- session Durable Objects on disk ----------------------------------------------------------------

type Sqlite = typeof SqliteModule;
let sqlite: Sqlite | undefined;

/** node:sqlite, loaded without its one-time ExperimentalWarning on stderr. */
async function loadSqlite(): Promise<Sqlite> {
  if (sqlite) return sqlite;
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
  return sqlite;
}

interface ObjectCount {
  files: number;
  withStorage: number;
  unreadable: number;
}

/**
 * The McpSession objects wrangler dev keeps under `<state>/v3/do/<script>-McpSession/`,
 * one SQLite file each: how many files, and how many hold any data (a deleted
 * object's storage leaves an empty database file behind while workerd runs).
 */
async function countSessionObjects(state: string): Promise<ObjectCount> {
  const root = join(state, "v3", "do");
  const count: ObjectCount = { files: 0, withStorage: 0, unreadable: 0 };
  if (!existsSync(root)) return count;
  const { DatabaseSync } = await loadSqlite();
  for (const dir of readdirSync(root).filter((name) => name.endsWith("-McpSession"))) {
    for (const file of readdirSync(join(root, dir))) {
      if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
      count.files++;
      try {
        const db = new DatabaseSync(join(root, dir, file), { readOnly: true });
        try {
          const tables = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '__miniflare%'")
            .all() as { name: string }[];
          const rows = tables.some(
            ({ name }) =>
              (db.prepare(`SELECT EXISTS (SELECT 1 FROM "${name}") AS found`).get() as { found: number }).found,
          );
          if (rows) count.withStorage++;
        } finally {
          db.close();
        }
      } catch {
        count.unreadable++;
      }
    }
  }
  return count;
}

function describeCount(count: ObjectCount): string {
  return `${count.withStorage} (of ${count.files} object file${count.files === 1 ? "" : "s"}${count.unreadable ? `, ${count.unreadable} unreadable` : ""})`;
}

// ---- Graph traffic as the emulator saw it -------------------------------------------------------------

interface GraphTally {
  reads: number;
  other: number;
  faulted: Map<string, number>;
  delayed: number;
}

/** Reads and clears the emulator's request log, adding what it held to `tally`; returns new Graph reads. */
async function drainRequestLog(emulatorUrl: string, tally: GraphTally): Promise<number> {
  const entries = (await control(emulatorUrl, "requests")) as {
    method: string;
    path: string;
    status: number;
    faultId?: string;
  }[];
  await control(emulatorUrl, "requests", "DELETE");
  let reads = 0;
  for (const entry of entries) {
    if (!entry.path.startsWith("/v1.0/")) continue;
    if (entry.method !== "GET") {
      tally.other++;
      continue;
    }
    reads++;
    if (entry.faultId) {
      if (entry.status >= 400)
        tally.faulted.set(String(entry.status), (tally.faulted.get(String(entry.status)) ?? 0) + 1);
      else tally.delayed++;
    }
  }
  tally.reads += reads;
  return reads;
}

/**
 * Until `stopAt`, every 250 ms: count the Graph reads since the last tick and
 * queue faults for the next reads in proportion (503s, 429s with Retry-After,
 * delays), so the share stays near FAULT_SHARES whatever the rate. Without
 * `--faults` it only counts.
 */
async function watchGraph(emulatorUrl: string, tally: GraphTally, stopAt: number, inject: boolean): Promise<void> {
  const carry = { unavailable503: 0, throttled429: 0, delayed: 0 };
  while (Date.now() < stopAt) {
    await sleep(250);
    let reads: number;
    try {
      reads = await drainRequestLog(emulatorUrl, tally);
    } catch {
      continue;
    }
    if (!inject) continue;
    const posts: Promise<unknown>[] = [];
    for (const kind of Object.keys(carry) as (keyof typeof carry)[]) {
      carry[kind] += reads * FAULT_SHARES[kind];
      const whole = Math.floor(carry[kind]);
      carry[kind] -= whole;
      for (let i = 0; i < whole; i++) {
        const spec =
          kind === "unavailable503"
            ? { match: GRAPH_READ, status: 503 }
            : kind === "throttled429"
              ? { match: GRAPH_READ, status: 429, retryAfterSeconds: FAULT_RETRY_AFTER_SECONDS }
              : { match: GRAPH_READ, latencyMs: FAULT_LATENCY_MS };
        posts.push(control(emulatorUrl, "faults", "POST", { ...spec, count: 1 }).catch(() => undefined));
      }
    }
    await Promise.all(posts);
  }
}

// ---- the sessions ---------------------------------------------------------------------------------------

interface CallRecord {
  tool: string;
  fresh: boolean;
  ms: number;
  ok: boolean;
  code?: string;
}

function errorCode(result: CallToolResult): string {
  const meta = result._meta as { errorCode?: unknown } | undefined;
  if (typeof meta?.errorCode === "string") return meta.errorCode;
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
  return /Error \[([a-z_]+)\]/.exec(text)?.[1] ?? "isError";
}

async function runSession(client: Client, offset: number, stopAt: number, records: CallRecord[]): Promise<void> {
  for (let i = offset; Date.now() < stopAt; i++) {
    const { tool, args } = MIX[i % MIX.length]!;
    const fresh = Math.random() < 0.5;
    const started = performance.now();
    let record: CallRecord;
    try {
      const result = (await client.callTool(
        { name: tool, arguments: { ...args, ...(fresh ? { fresh: true } : {}) } },
        undefined,
        { timeout: CALL_TIMEOUT_MS },
      )) as CallToolResult;
      const ms = performance.now() - started;
      record = result.isError ? { tool, fresh, ms, ok: false, code: errorCode(result) } : { tool, fresh, ms, ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record = { tool, fresh, ms: performance.now() - started, ok: false, code: `exception: ${message.slice(0, 80)}` };
    }
    records.push(record);
  }
}

function latencyLine(records: CallRecord[]): string {
  const times = records.map((record) => record.ms).sort((a, b) => a - b);
  return `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`;
}

async function main(stack: RunningStack, state: string, clients: Client[]): Promise<void> {
  try {
    const emulatorUrl = stack.emulator!.url;
    const workerUrl = stack.workerUrl;

    // The catalog, to check the mix against: names, no required ids, `fresh` accepted.
    const listing = await fetch(`${workerUrl}/sse`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
    const catalog = (
      (await listing.json()) as {
        result: {
          tools: { name: string; inputSchema: { required?: string[]; properties?: Record<string, unknown> } }[];
        };
      }
    ).result.tools;
    for (const { tool } of MIX) {
      const entry = catalog.find((candidate) => candidate.name === tool);
      if (!entry) throw new Error(`the catalog has no ${tool}`);
      if (entry.inputSchema.required?.length) throw new Error(`${tool} requires ${entry.inputSchema.required}`);
      if (!entry.inputSchema.properties?.fresh) throw new Error(`${tool} takes no fresh argument`);
    }

    // One browser sign-in per user; the sign-in's own session is closed again at once.
    const tokens = new Map<string, string>();
    for (const user of USERS) {
      const { client, provider } = await withTimeout(
        connectWithSignIn(
          (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
          user,
        ),
        60_000,
        `sign-in of ${user}`,
      );
      const token = provider.tokens()?.access_token;
      if (!token) throw new Error(`no access token for ${user}`);
      tokens.set(user, token);
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
    }
    await sleep(500);
    const before = await countSessionObjects(state);

    // The sessions: user i % 3, each its own client and transport, bearer token as a header.
    const perUser = new Map<string, number>();
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_unused, index) => {
        const user = USERS[index % USERS.length]!;
        perUser.set(user, (perUser.get(user) ?? 0) + 1);
        const transport = new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${tokens.get(user)}` } },
        });
        const client = new Client({ name: `load-${index}`, version: "1.0.0" });
        client.onerror = () => undefined;
        await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
        clients[index] = client;
      }),
    );

    console.log(
      `load: ${SESSIONS} sessions (${[...perUser].map(([user, n]) => `${user.split("@")[0]} ${n}`).join(", ")}), ${SECONDS} s, faults ${FAULTS ? `on (Graph reads: ${FAULT_SHARES.unavailable503 * 100}% 503, ${FAULT_SHARES.throttled429 * 100}% 429 Retry-After ${FAULT_RETRY_AFTER_SECONDS} s, ${FAULT_SHARES.delayed * 100}% +${FAULT_LATENCY_MS} ms)` : "off"}`,
    );
    console.log(`mix: ${MIX.map(({ workload, tool }) => `${tool} (${workload})`).join(", ")}; fresh: true on ~half`);

    // The run.
    await control(emulatorUrl, "requests", "DELETE");
    const tally: GraphTally = { reads: 0, other: 0, faulted: new Map(), delayed: 0 };
    const records: CallRecord[] = [];
    const started = performance.now();
    const stopAt = Date.now() + SECONDS * 1000;
    const watcher = watchGraph(emulatorUrl, tally, stopAt, FAULTS);
    await Promise.all(clients.map((client, index) => runSession(client, index, stopAt, records)));
    const elapsed = (performance.now() - started) / 1000;
    await watcher;
    if (FAULTS) await control(emulatorUrl, "faults", "DELETE");
    await drainRequestLog(emulatorUrl, tally);

    const open = await countSessionObjects(state);
    await Promise.all(
      clients.map(async (client) => {
        await withTimeout(
          (client.transport as StreamableHTTPClientTransport).terminateSession(),
          CONTROL_TIMEOUT_MS,
          "DELETE of a session",
        ).catch(() => undefined);
        await client.close();
      }),
    );
    clients.length = 0;
    let after = await countSessionObjects(state);
    for (let tries = 0; tries < 10 && after.withStorage > 0; tries++) {
      await sleep(500);
      after = await countSessionObjects(state);
    }

    // The report.
    const failed = records.filter((record) => !record.ok);
    console.log(
      `\ncalls: ${records.length} in ${elapsed.toFixed(1)} s = ${(records.length / elapsed).toFixed(1)} calls/s; ${latencyLine(records)}`,
    );
    console.log(`errors: ${failed.length} (${((100 * failed.length) / Math.max(1, records.length)).toFixed(2)}%)`);
    const codes = new Map<string, number>();
    for (const record of failed) codes.set(record.code ?? "?", (codes.get(record.code ?? "?") ?? 0) + 1);
    for (const [code, n] of [...codes].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${code}`);
    const freshCalls = records.filter((record) => record.fresh);
    const cachedCalls = records.filter((record) => !record.fresh);
    console.log(`fresh calls:  ${freshCalls.length}, ${latencyLine(freshCalls)}`);
    console.log(`cached calls: ${cachedCalls.length}, ${latencyLine(cachedCalls)}`);

    console.log(
      `\n${"tool".padEnd(20)}${"calls".padStart(7)}${"errors".padStart(8)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"p99 ms".padStart(9)}`,
    );
    for (const { tool } of MIX) {
      const mine = records.filter((record) => record.tool === tool);
      const times = mine.map((record) => record.ms).sort((a, b) => a - b);
      console.log(
        `${tool.padEnd(20)}${String(mine.length).padStart(7)}${String(mine.filter((record) => !record.ok).length).padStart(8)}${percentile(times, 50).toFixed(1).padStart(9)}${percentile(times, 95).toFixed(1).padStart(9)}${percentile(times, 99).toFixed(1).padStart(9)}`,
      );
    }

    const faultedTotal = [...tally.faulted.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `\nGraph (emulator's request log, read every 250 ms, so approximate): ${tally.reads} reads (${(tally.reads / elapsed).toFixed(1)}/s)${tally.other ? `, ${tally.other} other` : ""}`,
    );
    if (FAULTS || faultedTotal || tally.delayed) {
      const upstream = failed.filter((record) => record.code === "upstream_unavailable" || record.code === "throttled");
      console.log(
        `  faulted: ${[...tally.faulted].map(([status, n]) => `${n} x ${status}`).join(", ") || "none"} (${((100 * faultedTotal) / Math.max(1, tally.reads)).toFixed(1)}% of reads), ${tally.delayed} delayed +${FAULT_LATENCY_MS} ms`,
      );
      console.log(
        `  calls failing with upstream_unavailable or throttled: ${upstream.length}; ${faultedTotal ? `${(100 * (1 - upstream.length / faultedTotal)).toFixed(1)}% of the error answers absorbed by retries` : "no error answers injected"}`,
      );
    }

    console.log(`\nsession Durable Objects with storage:`);
    console.log(`  before the sessions open:   ${describeCount(before)}`);
    console.log(`  after the run, still open:  ${describeCount(open)}`);
    console.log(`  after every client closed:  ${describeCount(after)}`);
  } catch (error) {
    if (stack.output()) console.error(`wrangler dev output (tail):\n${stack.output().slice(-4000)}`);
    throw error;
  }
}

const state = mkdtempSync(join(tmpdir(), "m365-load-"));
const stack = await startStack({ persistTo: state, vars: { ...localSecrets(), ...WHOLE_CATALOG_AT_SIGN_IN } });
const clients: Client[] = [];
let deadline: NodeJS.Timeout | undefined;
let overran = false;
try {
  await Promise.race([
    main(stack, state, clients),
    new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(() => {
        overran = true;
        reject(new Error(`the run passed its deadline of ${RUN_DEADLINE_MS / 1000} s`));
      }, RUN_DEADLINE_MS);
    }),
  ]);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
  await Promise.all(clients.map((client) => client?.close().catch(() => undefined)));
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
}
// Past the deadline, calls may still be pending against the stopped stack: do not wait for them.
if (overran) process.exit(1);
