/**
 * Issue 9's scenario through wrangler dev and the emulator: several signed-in
 * sessions send keyed mail to Megan and create keyed events and tasks while
 * the emulator answers their write endpoints with 503s, 429s (Retry-After 1),
 * 504s and answers delayed past the Graph timeout, and every Microsoft access
 * token expires a few seconds in. Each session is a retrying client: a failed
 * write is repeated with the same key, up to 8 times, waiting
 * retryAfterSeconds when the answer gives it. Afterwards every keyed write
 * exists exactly once in the emulator's mailboxes, calendars and task lists.
 *
 * The stack runs with a 3-second Graph timeout and a 2-second breaker pause
 * (production: 20 and 30), so the delayed answers and the waits they cause
 * fit in a test; the rules are the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSecrets, WHOLE_CATALOG_AT_SIGN_IN, startStack, type RunningStack } from "../../scripts/dev-stack.ts";
import { graphJson, signIn as signInToEmulator } from "../emulator/helpers.ts";
import { connectWithSignIn } from "./mcp-clients.ts";

const GRAPH_TIMEOUT_SECONDS = 3;
const SENDERS = ["adele@contoso.example", "alex@contoso.example"];
const SESSIONS = 8;
const MAILS = 40;
const EVENTS = 16;
const TASKS = 16;
const MAX_ATTEMPTS = 8;

/** The faults on one write endpoint, interleaved (503, 429, delay, 504, 503, ...) so every kind meets the sessions early. */
function faults(match: string, counts: { unavailable: number; throttled: number; delayed: number; gateway: number }) {
  const queues: Record<string, unknown>[][] = [
    Array.from({ length: counts.unavailable }, () => ({ status: 503 })),
    Array.from({ length: counts.throttled }, () => ({ status: 429, retryAfterSeconds: 1 })),
    Array.from({ length: counts.delayed }, () => ({ latencyMs: GRAPH_TIMEOUT_SECONDS * 1000 + 1500 })),
    Array.from({ length: counts.gateway }, () => ({ status: 504 })),
  ];
  const interleaved: Record<string, unknown>[] = [];
  while (queues.some((queue) => queue.length > 0)) {
    for (const queue of queues) if (queue.length > 0) interleaved.push({ match, count: 1, ...queue.shift()! });
  }
  return interleaved;
}

/** Every item of a Graph collection, following nextLink. */
async function all<T>(base: string, token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | undefined = path; next;) {
    const page: { value: T[]; "@odata.nextLink"?: string } = await graphJson(base, token, next);
    items.push(...page.value);
    next = page["@odata.nextLink"];
  }
  return items;
}

interface Write {
  session: number;
  tool: string;
  args: Record<string, unknown>;
}

interface Outcome {
  write: Write;
  attempts: number;
  ok: boolean;
  codes: string[];
}

let stack: RunningStack;
let state: string;

async function control(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.emulator!.url}/_emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "m365-once-"));
  stack = await startStack({
    persistTo: state,
    vars: {
      ...localSecrets(),
      ...WHOLE_CATALOG_AT_SIGN_IN,
      GRAPH_TIMEOUT_SECONDS: String(GRAPH_TIMEOUT_SECONDS),
      CIRCUIT_OPEN_SECONDS: "2",
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(state, { recursive: true, force: true });
});

/** Calls a write like an agent that retries: the same key, up to MAX_ATTEMPTS, honouring retryAfterSeconds. */
async function retrying(client: Client, write: Write): Promise<Outcome> {
  const codes: string[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const result = (await client.callTool({ name: write.tool, arguments: write.args }, undefined, {
      timeout: 60_000,
    })) as CallToolResult;
    if (!result.isError) return { write, attempts: attempt, ok: true, codes };
    codes.push(String(result._meta?.errorCode));
    const wait = Number(result._meta?.retryAfterSeconds ?? 0.2);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
  return { write, attempts: MAX_ATTEMPTS, ok: false, codes };
}

describe("keyed writes through an outage", () => {
  it("arrive exactly once: nothing doubled, nothing lost", async () => {
    const workerUrl = stack.workerUrl;
    // One browser sign-in per sender; the sessions then use its token, as several agent sessions would.
    const tokens: string[] = [];
    for (const user of SENDERS) {
      const { client, provider } = await connectWithSignIn(
        (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
        user,
      );
      tokens.push(provider.tokens()!.access_token);
      await client.close();
    }
    const clients = await Promise.all(
      Array.from({ length: SESSIONS }, async (_unused, index) => {
        const client = new Client({ name: `once-${index}`, version: "1.0.0" });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), {
            requestInit: { headers: { Authorization: `Bearer ${tokens[index % SENDERS.length]}` } },
          }),
        );
        return client;
      }),
    );

    const run = `r${Date.now().toString(36)}`;
    const writes: Write[] = [
      ...Array.from({ length: MAILS }, (_unused, i) => ({
        session: i % SESSIONS,
        tool: "sendEmail",
        args: {
          to: ["megan@contoso.example"],
          subject: `${run} mail ${i}`,
          body: `mail ${i}`,
          idempotencyKey: `${run}-mail-${i}`,
        },
      })),
      ...Array.from({ length: EVENTS }, (_unused, i) => ({
        session: i % SESSIONS,
        tool: "createCalendarEvent",
        args: {
          subject: `${run} event ${i}`,
          start: `2027-04-${String(1 + (i % 28)).padStart(2, "0")}T09:00`,
          timeZone: "UTC",
          idempotencyKey: `${run}-event-${i}`,
        },
      })),
      ...Array.from({ length: TASKS }, (_unused, i) => ({
        session: i % SESSIONS,
        tool: "createTask",
        args: { title: `${run} task ${i}`, idempotencyKey: `${run}-task-${i}` },
      })),
    ];

    for (const fault of [
      ...faults("^POST /v1\\.0/me/sendMail$", { unavailable: 6, throttled: 6, delayed: 3, gateway: 4 }),
      ...faults("^POST /v1\\.0/me/events$", { unavailable: 3, throttled: 3, delayed: 2, gateway: 2 }),
      ...faults("^POST /v1\\.0/me/todo/lists/[^/]+/tasks$", { unavailable: 3, throttled: 3, delayed: 2, gateway: 2 }),
    ]) {
      await control("faults", fault);
    }
    const expiry = new Promise((resolve) => setTimeout(resolve, 3000)).then(() => control("expire-tokens", {}));

    const started = Date.now();
    const outcomes = (
      await Promise.all(
        clients.map(async (client, session) => {
          const mine: Outcome[] = [];
          // Each session works through its writes one after the other, as an agent does.
          for (const write of writes.filter((candidate) => candidate.session === session)) {
            mine.push(await retrying(client, write));
          }
          return mine;
        }),
      )
    ).flat();
    const seconds = (Date.now() - started) / 1000;
    const expired = (await expiry) as { expired: number };
    const left = (await control("faults")) as { remaining: number }[];
    await fetch(`${stack.emulator!.url}/_emulator/faults`, { method: "DELETE" });
    await Promise.all(clients.map((client) => client.close()));

    // What exists now, read from the emulator as an app of its own would.
    const base = stack.emulator!.url;
    const scope = "openid User.Read Mail.Read Calendars.Read Tasks.Read";
    const megan = (await signInToEmulator(base, "megan@contoso.example", scope)).access_token;
    const since = `${new Date(started - 60_000).toISOString().slice(0, 19)}Z`;
    const inbox = await all<{ subject: string }>(
      base,
      megan,
      `/me/mailFolders/inbox/messages?$top=100&$select=subject&$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}`,
    );
    const events: string[] = [];
    const tasks: string[] = [];
    for (const user of SENDERS) {
      const token = (await signInToEmulator(base, user, scope)).access_token;
      const calendar = await all<{ subject: string }>(
        base,
        token,
        "/me/calendarView?startDateTime=2027-04-01T00:00:00Z&endDateTime=2027-05-01T00:00:00Z&$select=subject",
      );
      events.push(...calendar.map((event) => event.subject));
      const lists = await all<{ id: string; wellknownListName: string }>(base, token, "/me/todo/lists");
      const list = lists.find((entry) => entry.wellknownListName === "defaultList")!;
      const listed = await all<{ title: string }>(
        base,
        token,
        `/me/todo/lists/${list.id}/tasks?$top=100&$select=title`,
      );
      tasks.push(...listed.map((task) => task.title));
    }
    const madeOf = (made: string[], kind: string) => {
      const counts = new Map<string, number>();
      for (const name of made.filter((entry) => entry.startsWith(`${run} ${kind} `)))
        counts.set(name, (counts.get(name) ?? 0) + 1);
      return counts;
    };
    const kinds = [
      {
        kind: "mail",
        sent: MAILS,
        made: madeOf(
          inbox.map((message) => message.subject),
          "mail",
        ),
      },
      { kind: "event", sent: EVENTS, made: madeOf(events, "event") },
      { kind: "task", sent: TASKS, made: madeOf(tasks, "task") },
    ];
    const figures = kinds.map(({ kind, sent, made }) => ({
      kind,
      sent,
      arrived: made.size,
      duplicates: [...made.values()].reduce((sum, n) => sum + n - 1, 0),
    }));
    const attempts = outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0);
    const codes = new Map<string, number>();
    for (const code of outcomes.flatMap((outcome) => outcome.codes)) codes.set(code, (codes.get(code) ?? 0) + 1);
    console.log(
      `once scenario: ${SESSIONS} sessions, ${writes.length} keyed writes in ${seconds.toFixed(1)} s, ${attempts} calls ` +
        `(max ${Math.max(...outcomes.map((outcome) => outcome.attempts))} for one write); failed answers: ` +
        `${[...codes].map(([code, n]) => `${n} ${code}`).join(", ") || "none"}; tokens expired: ${expired.expired}; ` +
        `faults left unused: ${left.reduce((sum, fault) => sum + fault.remaining, 0)}\n` +
        figures.map((f) => `  ${f.kind}: sent ${f.sent}, arrived ${f.arrived}, duplicates ${f.duplicates}`).join("\n"),
    );

    expect(
      outcomes.filter((outcome) => !outcome.ok).map((outcome) => `${outcome.write.tool} ${outcome.codes}`),
    ).toEqual([]);
    expect(expired.expired).toBeGreaterThan(0);
    expect(left.reduce((sum, fault) => sum + fault.remaining, 0)).toBe(0);
    for (const { kind, made, sent } of kinds) {
      expect(
        [...made.values()].filter((n) => n !== 1),
        kind,
      ).toEqual([]);
      expect(made.size, kind).toBe(sent);
    }
  }, 600_000);
});
