/**
 * Hundreds of generated malformed JSON-RPC messages and invalid tool
 * arguments: every one gets a clear error, the server keeps serving, and
 * nothing reaches Microsoft Graph as a write.
 */
import { env } from "cloudflare:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, clearLog, connectClient, emulator, random, requestLog, signIn, worker } from "./helpers.ts";

const JUNK_VALUES: unknown[] = [null, true, 0, -1, 1.5, "", "x", [], {}, [1, 2], { a: 1 }, "🙂", "\u0000", 1e308];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** One malformed message body: broken JSON, wrong shapes, wrong types, unknown methods, oversized fields. */
function malformed(next: () => number, index: number): string {
  const valid = { jsonrpc: "2.0", id: index, method: "tools/list", params: {} };
  switch (index % 12) {
    case 0:
      return JSON.stringify(valid).slice(0, Math.floor(next() * 30));
    case 1:
      return String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(next() * 256)));
    case 2:
      return JSON.stringify(pick(next, JUNK_VALUES));
    case 3:
      return JSON.stringify({ ...valid, jsonrpc: pick(next, ["1.0", 2, null, "2.1"]) });
    case 4:
      return JSON.stringify({ ...valid, id: pick(next, [{}, [], true, 1.5, { nested: [1] }]) });
    case 5:
      return JSON.stringify({ ...valid, method: pick(next, [42, null, [], "", "tools/nope", "../../admin"]) });
    case 6:
      return JSON.stringify({ ...valid, params: pick(next, ["x", 7, [1, 2], true]) });
    case 7:
      return JSON.stringify({
        ...valid,
        method: "tools/call",
        params: { name: pick(next, [undefined, 5, "", "noSuchTool", "sendEmail\u0000"]), arguments: {} },
      });
    case 8:
      return JSON.stringify({
        ...valid,
        method: "tools/call",
        params: { name: "getEmails", arguments: pick(next, ["x", 5, [1], null, true]) },
      });
    case 9:
      return JSON.stringify({ ...valid, method: "x".repeat(50_000 + Math.floor(next() * 1000)) });
    case 10:
      return JSON.stringify([valid, pick(next, JUNK_VALUES)]);
    default:
      return JSON.stringify({
        ...valid,
        method: "resources/read",
        params: { uri: pick(next, [5, "", "file:///etc/passwd", "microsoft://nope"]) },
      });
  }
}

/** The JSON-RPC messages in a response, whether it is JSON or an SSE stream. */
function messagesIn(body: string): Record<string, unknown>[] {
  const trimmed = body.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const parsed = JSON.parse(trimmed) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  }
  return trimmed
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>);
}

async function sendMailCount(): Promise<number> {
  const log = await requestLog();
  return log.filter(
    (entry) => entry.method === "POST" && /sendMail|\/send$|\/reply|\/forward|\/messages$/.test(entry.path),
  ).length;
}

let token: string;
let sessionId: string;

beforeAll(async () => {
  await emulator(env, "reset", {});
  token = (await signIn()).access_token;
  const init = await worker(
    new Request(`${ORIGIN}/mcp`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json, text/event-stream",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } },
      }),
    }),
  );
  sessionId = init.headers.get("mcp-session-id")!;
  await init.body?.cancel();
  expect(sessionId).toBeTruthy();
});

describe("fuzzing the MCP endpoints", () => {
  it("answers 300 malformed JSON-RPC messages on /mcp and /sse with clear errors and keeps serving", async () => {
    const next = random(20261123);
    const statuses = new Map<number, number>();
    for (let index = 0; index < 300; index++) {
      const body = malformed(next, index);
      const onMcp = index % 3 !== 0;
      const response = await worker(
        new Request(`${ORIGIN}/${onMcp ? "mcp" : "sse"}`, {
          method: "POST",
          headers: onMcp
            ? {
                Authorization: `Bearer ${token}`,
                Accept: "application/json, text/event-stream",
                "Content-Type": "application/json",
                "mcp-session-id": sessionId,
                "mcp-protocol-version": "2025-06-18",
              }
            : index % 2 === 1
              ? // Plain JSON-RPC with a token (curl with a bearer): the authenticated path.
                { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }
              : { "Content-Type": "application/json" },
          body,
        }),
      );
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      expect(response.status, `message ${index}: ${body.slice(0, 80)}`).toBeLessThan(500);
      if (response.status === 202) continue;
      const messages = messagesIn(text);
      expect(messages.length, `message ${index} got no JSON-RPC answer: ${text.slice(0, 120)}`).toBeGreaterThan(0);
      for (const message of messages) {
        const error = message.error as { code?: number; message?: string } | undefined;
        const result = message.result as CallToolResult | undefined;
        if (error) {
          expect(typeof error.code).toBe("number");
          expect(error.message?.length ?? 0).toBeGreaterThan(5);
          expect(error.message).not.toMatch(/at .*\.(ts|js):\d+/);
        } else {
          // A malformed call that still parses (e.g. a list with odd params) is answered normally.
          expect(result).toBeDefined();
        }
      }
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);

    const client = await connectClient(token);
    const healthy = (await client.callTool({ name: "getEmails", arguments: { count: 1 } })) as CallToolResult;
    expect(healthy.isError).toBeFalsy();
  }, 120_000);

  it("refuses 200 generated invalid tool arguments, naming the field, and sends nothing", async () => {
    const next = random(42);
    await clearLog();
    const client = await connectClient(token);
    const valid = { to: ["megan@contoso.example"], subject: "fuzz", body: "never sent" };
    const mutations: [string, (args: Record<string, unknown>) => void][] = [
      ["to", (args) => (args.to = pick(next, [[], "megan@contoso.example", ["not-an-address"], [5], null]))],
      ["cc", (args) => (args.cc = pick(next, [["@@"], "x", [null]]))],
      ["subject", (args) => (args.subject = pick(next, [5, null, "s".repeat(300), ["a"]]))],
      ["body", (args) => (args.body = pick(next, [7, null, { html: true }]))],
      ["bodyType", (args) => (args.bodyType = pick(next, ["markdown", 1, "HTML "]))],
      ["importance", (args) => (args.importance = pick(next, ["urgent", 3, ""]))],
      [
        "attachments",
        (args) => (args.attachments = pick(next, ["file", [{}], [{ name: "a.txt", contentBase64: "%%%" }]])),
      ],
      [
        "idempotencyKey",
        (args) => (args.idempotencyKey = pick(next, ["short", "has spaces in it", 12345678, "x".repeat(200)])),
      ],
    ];
    for (let index = 0; index < 200; index++) {
      const args: Record<string, unknown> = structuredClone(valid);
      const [field, mutate] = pick(next, mutations);
      if (field === "to" && next() < 0.3) delete args.to;
      else mutate(args);
      const result = (await client.callTool({ name: "sendEmail", arguments: args })) as CallToolResult;
      const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
      expect(result.isError, `${field}: ${JSON.stringify(args).slice(0, 120)} was accepted`).toBe(true);
      expect(text, `error for ${field} does not name it`).toContain(field);
    }
    const getEmailsArgs = [
      { count: 0 },
      { count: 51 },
      { count: "ten" },
      { folder: "" },
      { unreadOnly: "yes" },
      { cursor: 5 },
    ];
    for (const args of getEmailsArgs) {
      const result = (await client.callTool({ name: "getEmails", arguments: args })) as CallToolResult;
      expect(result.isError).toBe(true);
      const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
      expect(text).toContain(Object.keys(args)[0]!);
    }
    expect(await sendMailCount()).toBe(0);
  }, 120_000);
});
