/**
 * One error format: invalid arguments are tool errors (`Error [invalid_input]:
 * field: rule`) a model can correct, numbers and booleans sent as strings are
 * read as such, and protocol errors carry the SDK's "MCP error <code>: "
 * prefix once, as the client adds it, never twice.
 */
import { env } from "cloudflare:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { GraphClient } from "../../src/graph/client.ts";
import { ToolError } from "../../src/graph/errors.ts";
import { TOOLS } from "../../src/tools/catalog.ts";
import { toolDefinitions } from "../../src/tools/listing.ts";
import { parseArguments } from "../../src/tools/pipeline/arguments.ts";
import { registerTools } from "../../src/tools/pipeline/run.ts";
import { defineTool, type ToolContext } from "../../src/tools/spec.ts";
import {
  ORIGIN,
  callTool,
  clearLog,
  connectClient,
  emulator,
  requestLog,
  resultText,
  signIn,
  worker,
} from "./helpers.ts";

beforeEach(async () => {
  await emulator(env, "reset", {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The message of the ToolError `parseArguments` throws for `args`. */
async function refusal(schema: z.ZodType, args: unknown): Promise<string> {
  const error = await parseArguments(schema, args).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).code).toBe("invalid_input");
  return (error as ToolError).message;
}

describe("pipeline/arguments", () => {
  const schema = z.object({
    count: z.number().int().min(1).max(50).default(20),
    unreadOnly: z.boolean().default(false),
    ratio: z.number().optional(),
    attendees: z.array(z.object({ email: z.email(), optional: z.boolean().optional() })).optional(),
    id: z
      .string()
      .refine((value) => /^\w+$/.test(value), "not an item id; use one listFiles gave")
      .optional(),
    kind: z.enum(["view", "edit"]).optional(),
  });

  it("names the field path and the rule, concisely", async () => {
    expect(await refusal(schema, { count: 500 })).toBe("count: must be at most 50.");
    expect(await refusal(schema, { count: 0 })).toBe("count: must be at least 1.");
    expect(await refusal(schema, { count: 2.5 })).toBe("count: must be an integer, not 2.5.");
    expect(await refusal(schema, { kind: "own" })).toBe('kind: must be one of "view", "edit".');
    expect(await refusal(schema, { attendees: [{ email: "a@contoso.example" }, { email: "nobody" }] })).toBe(
      "attendees[1].email: must be an email address.",
    );
    expect(await refusal(z.object({ to: z.string() }), {})).toBe("to: required.");
  });

  it("keeps a schema's own message, and names at most three issues", async () => {
    expect(await refusal(schema, { id: "../x" })).toBe("id: not an item id; use one listFiles gave.");
    const many = await refusal(schema, { count: true, unreadOnly: 1, ratio: [], kind: 5, id: 7 });
    expect(many.split("; ")).toHaveLength(4);
    expect(many).toMatch(/; and 2 more\.$/);
  });

  it("never echoes a huge value back", async () => {
    const message = await refusal(schema, { count: "9".repeat(100_000) + "x" });
    expect(message.length).toBeLessThan(120);
    expect(message).toMatch(/^count: must be a number, not "9{40}…"\.$/);
  });

  it("reads numbers and booleans given as strings, at any depth, and nothing ambiguous", async () => {
    expect(
      await parseArguments(schema, {
        count: "5",
        unreadOnly: "true",
        ratio: "-0.25",
        attendees: [{ email: "a@contoso.example", optional: "false" }],
      }),
    ).toEqual({
      count: 5,
      unreadOnly: true,
      ratio: -0.25,
      attendees: [{ email: "a@contoso.example", optional: false }],
    });
    for (const text of ["5x", "", " 5", "0x10", "1e3", "Infinity", "5."]) {
      expect(await refusal(schema, { count: text }), text).toMatch(/^count: must be a number/);
    }
    for (const text of ["yes", "True", "1", ""]) {
      expect(await refusal(schema, { unreadOnly: text }), text).toMatch(/^unreadOnly: must be true or false/);
    }
    // A string read as a number still meets the number's rules.
    expect(await refusal(schema, { count: "500" })).toBe("count: must be at most 50.");
    expect(await refusal(schema, { count: "1.5" })).toBe("count: must be an integer, not 1.5.");
    // Where the schema takes a string, a string stays one.
    expect(await parseArguments(z.object({ id: z.string() }), { id: "5" })).toEqual({ id: "5" });
  });
});

describe("pipeline/run: tools/call", () => {
  /** A client connected in memory to a server with one test tool, whose output breaks its schema when asked. */
  async function serverWithTestTool(): Promise<Client> {
    const echo = defineTool({
      name: "echo",
      title: "Echo",
      description: "Repeats a count",
      input: { count: z.number().int().max(9), broken: z.boolean().default(false) },
      output: { count: z.number() },
      scopes: [],
      access: "read",
      run: async ({ count, broken }) => ({
        text: `count ${count}`,
        structured: broken ? { count: String(count) } : { count },
      }),
    });
    const server = new McpServer({ name: "test", version: "1" });
    // The test tool reads nothing: a Graph client that is never asked for a token, and no cache or services.
    const graph = new GraphClient(env.GRAPH_BASE_URL, {
      get: () => Promise.reject(new Error("not asked")),
      renewRejected: () => Promise.reject(new Error("not asked")),
    });
    registerTools(server, [echo], () => ({ graph }) as ToolContext);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "test", version: "1" });
    await client.connect(clientSide);
    return client;
  }

  it("checks arguments and output itself: a result outside the output schema is an internal error", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.join(" ")));
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const client = await serverWithTestTool();
    expect(await callTool(client, "echo", { count: "7" })).toMatchObject({ structuredContent: { count: 7 } });
    expect(resultText(await callTool(client, "echo", { count: 10 }))).toBe(
      "Error [invalid_input]: count: must be at most 9.",
    );
    const broken = await callTool(client, "echo", { count: 1, broken: "true" });
    expect(broken).toMatchObject({ isError: true, _meta: { errorCode: "internal" } });
    expect(errors.map((line) => JSON.parse(line) as unknown)).toEqual([
      { event: "tool_failed", tool: "echo", error: "OutputSchemaMismatch" },
    ]);
    await expect(callTool(client, "other")).rejects.toMatchObject({ code: -32602 });
  });
});

describe("invalid tool arguments", () => {
  it("are a tool error result naming the field and the rule, with the code in _meta", async () => {
    const client = await connectClient((await signIn()).access_token);
    const tooMany = await callTool(client, "getEmails", { count: 500 });
    expect(tooMany).toMatchObject({ isError: true, _meta: { errorCode: "invalid_input" } });
    expect(resultText(tooMany)).toBe("Error [invalid_input]: count: must be at most 50.");

    const send = await callTool(client, "sendEmail", { to: ["not-an-address"], subject: "x".repeat(50_000) });
    expect(resultText(send)).toBe(
      "Error [invalid_input]: to[0]: must be an email address; subject: must be at most 255 characters; body: required.",
    );
  });

  it("are logged as a tool call with the invalid_input code, and reach no one", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    await callTool(client, "sendEmail", { to: ["megan@contoso.example"], subject: "x", body: 5 });
    const calls = lines
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === "tool_call");
    expect(calls).toMatchObject([{ tool: "sendEmail", ok: false, code: "invalid_input" }]);
    expect((await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/"))).toEqual([]);
  });
});

describe("numbers and booleans given as strings", () => {
  it("are accepted where unambiguous, while tools/list still says integer and boolean", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await callTool(client, "getEmails", { count: "3", unreadOnly: "false", fresh: "true" });
    expect(result.isError, resultText(result)).toBeFalsy();
    expect((result.structuredContent as { messages: unknown[] }).messages).toHaveLength(3);

    for (const count of ["5x", ""]) {
      const refused = await callTool(client, "getEmails", { count });
      expect(refused).toMatchObject({ isError: true, _meta: { errorCode: "invalid_input" } });
      expect(resultText(refused)).toBe(`Error [invalid_input]: count: must be a number, not ${JSON.stringify(count)}.`);
    }

    const getEmails = toolDefinitions(TOOLS).find((tool) => tool.name === "getEmails")!;
    const properties = getEmails.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(properties.count).toMatchObject({ type: "integer", minimum: 1, maximum: 50 });
    expect(properties.unreadOnly).toMatchObject({ type: "boolean" });
    expect(properties.fresh).toEqual({ type: "boolean" });
  });
});

describe("protocol errors", () => {
  const rpc = (method: string, params: object) =>
    JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params } });

  it("an unknown tool is a JSON-RPC error (-32602), not a tool result", async () => {
    const client = await connectClient((await signIn()).access_token);
    const error = await client.callTool({ name: "noSuchTool", arguments: {} }).then(
      () => undefined,
      (thrown: unknown) => thrown as { code: number; message: string },
    );
    expect(error).toMatchObject({ code: -32602, message: "MCP error -32602: Tool noSuchTool not found" });
  });

  it("reach an SDK client with the prefix exactly once: unknown prompt, unknown resource", async () => {
    const client = await connectClient((await signIn()).access_token);
    await expect(client.getPrompt({ name: "nope" })).rejects.toMatchObject({
      code: -32602,
      message: "MCP error -32602: Prompt nope not found",
    });
    await expect(client.readResource({ uri: "microsoft://nope" })).rejects.toMatchObject({
      code: -32602,
      message: "MCP error -32602: Resource microsoft://nope not found",
    });
    await expect(client.getPrompt({ name: "scheduleMeeting", arguments: {} })).rejects.toThrow(
      /^MCP error -32602: (?!MCP error)/,
    );
  });

  it("leave the server with the plain message on the wire", async () => {
    const { access_token: token } = await signIn();
    const post = async (body: string) =>
      (await (
        await worker(
          new Request(`${ORIGIN}/sse`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
            body,
          }),
        )
      ).json()) as { error?: { code: number; message: string }; result?: CallToolResult };
    expect((await post(rpc("prompts/get", { name: "nope" }))).error).toEqual({
      code: -32602,
      message: "Prompt nope not found",
    });
    expect((await post(rpc("resources/read", { uri: "microsoft://nope" }))).error).toEqual({
      code: -32602,
      message: "Resource microsoft://nope not found",
    });
    expect((await post(rpc("tools/call", { name: "nope", arguments: {} }))).error).toEqual({
      code: -32602,
      message: "Tool nope not found",
    });
    const invalid = (await post(rpc("tools/call", { name: "getEmails", arguments: { count: 0 } }))).result!;
    expect(invalid.isError).toBe(true);
    expect(resultText(invalid)).toBe("Error [invalid_input]: count: must be at least 1.");
  });
});
