import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ADELE, TENANT_ID } from "../../emulator/tenant.ts";
import { RUNTIME_CONFIG_KEY, type RuntimeConfig } from "../../src/config.ts";
import { userHashOf } from "../../src/observability.ts";
import { userAccount } from "../../src/session/account/user-account.ts";
import type { SessionProps } from "../../src/session/props.ts";
import { toolContextFactory } from "../../src/session/tool-context.ts";
import { GraphError, ToolError } from "../../src/graph/errors.ts";
import { compactSchema, toolDefinitions } from "../../src/tools/listing.ts";
import { invalidate, readThroughCache } from "../../src/tools/pipeline/cache.ts";
import { resourceReadError, toolErrorResult } from "../../src/tools/pipeline/errors.ts";
import { applyRuntimeConfig, checkResourceAllowed } from "../../src/tools/pipeline/runtime-config.ts";
import { logCall, RESOURCE_READ, shortHash } from "../../src/tools/pipeline/telemetry.ts";
import { argumentsHash, canonicalJson } from "../../src/tools/shared/hash.ts";
import { sha256Hex } from "../../src/shared/text.ts";
import { defineTool, type ToolContext } from "../../src/tools/spec.ts";
import { emulator, signIn } from "./helpers.ts";

const RUNTIME: RuntimeConfig = { disabledTools: [], readOnly: false, flags: { search: true, largeListings: true } };
const ADELE_KEY = `${TENANT_ID}.${ADELE.id}`;

/**
 * The services and cache a real session gives a call: Adele signed in
 * through the emulator, her UserAccount object, CACHE_KV and CONFIG_KV
 * (runtime config is read at every call in this project).
 */
async function realContext() {
  await signIn("adele@contoso.example");
  const described = await userAccount(env, ADELE_KEY).describe();
  if (!described) throw new Error("Adele's sign-in left no account");
  const props: SessionProps = { userKey: ADELE_KEY, ...described.identity };
  const factory = toolContextFactory(env, props, await userHashOf(ADELE_KEY));
  /** The next call's context in the same session. */
  const next = () => {
    const context = factory();
    return { context, services: context.services! };
  };
  return { ...next(), next };
}

async function setRuntime(config: RuntimeConfig | undefined): Promise<void> {
  if (config) await env.CONFIG_KV.put(RUNTIME_CONFIG_KEY, JSON.stringify(config));
  else await env.CONFIG_KV.delete(RUNTIME_CONFIG_KEY);
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

afterEach(async () => {
  await setRuntime(undefined);
});

describe("shared/hash", () => {
  it("hashes with SHA-256 as hex", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("serializes equal arguments equally, whatever the key order, leaving out undefined members", async () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, w: "z" }] })).toBe('{"a":[{"w":"z","y":2}],"b":1}');
    expect(await argumentsHash({ a: 1, b: 2 })).toBe(await argumentsHash({ b: 2, a: 1, c: undefined }));
    expect(await argumentsHash({ a: 1 })).not.toBe(await argumentsHash({ a: 2 }));
  });
});

describe("pipeline/errors", () => {
  it("renders a tool error with its code, retry time and meta", () => {
    const result = toolErrorResult(new ToolError("throttled", "Slow down.", 7), { scopes: [] });
    expect(result).toEqual({
      isError: true,
      content: [{ type: "text", text: "Error [throttled]: Slow down. (retry after 7s)" }],
      _meta: { errorCode: "throttled", retryAfterSeconds: 7 },
    });
  });

  it("names the missing permission of a Graph 403 and hides what an unexpected error says", () => {
    const denied = toolErrorResult(new GraphError(403, "ErrorAccessDenied", "denied"), { scopes: ["Mail.Read"] });
    expect(denied._meta).toEqual({ errorCode: "consent_required" });
    expect((denied.content[0] as { text: string }).text).toMatch(
      /^Error \[consent_required\]: .*Mail\.Read permission/,
    );
    const internal = toolErrorResult(new TypeError("secret detail"), { scopes: [] });
    expect((internal.content[0] as { text: string }).text).toMatch(/^Error \[internal\]: The tool failed unexpectedly/);
    expect(JSON.stringify(internal)).not.toContain("secret detail");
  });

  it("answers a failed resource read with MCP's not-found code and the same text as a tool result", () => {
    const failure = resourceReadError(new GraphError(404, "ErrorItemNotFound", "gone"), ["Mail.Read"]);
    expect(failure.code).toBe(-32602);
    expect(failure.message).toBe("Error [not_found]: Not found in Microsoft 365: gone");
    expect(failure.errorCode).toBe("not_found");
    expect(resourceReadError(new ToolError("invalid_input", "id: bad."), []).code).toBe(-32602);
    expect(resourceReadError(new Error("boom"), []).code).toBe(-32603);
  });
});

describe("pipeline/runtime-config", () => {
  const tool = { name: "getEmails", access: "read" as const };

  it("refuses a tool the operator turned off and caps counts while large listings are off", async () => {
    const { services } = await realContext();
    await setRuntime({ ...RUNTIME, disabledTools: ["getEmails"] });
    await expect(applyRuntimeConfig(tool, {}, services)).rejects.toThrow(/getEmails is turned off/);
    await setRuntime({ ...RUNTIME, flags: { search: true, largeListings: false } });
    const args = { count: 50 };
    await applyRuntimeConfig(tool, args, services);
    expect(args.count).toBe(10);
    await setRuntime(RUNTIME);
    const large = { count: 50 };
    await applyRuntimeConfig(tool, large, services);
    expect(large.count).toBe(50);
  });

  it("refuses a resource only when every tool that brought it is turned off", async () => {
    const { services } = await realContext();
    const other = { name: "searchEmails", access: "read" as const };
    await setRuntime({ ...RUNTIME, disabledTools: ["getEmails"] });
    await expect(checkResourceAllowed("message", [tool, other], services)).resolves.toBeUndefined();
    await setRuntime({ ...RUNTIME, disabledTools: ["getEmails", "searchEmails"] });
    await expect(checkResourceAllowed("message", [tool, other], services)).rejects.toThrow(/message is turned off/);
    await expect(checkResourceAllowed("profile", undefined, services)).resolves.toBeUndefined();
  });
});

describe("pipeline/cache", () => {
  const read = { namespace: "tool", name: "getEmails", kind: "mail" as const, ttlSeconds: 60, args: { count: 3 } };

  it("serves a repeat from the user's cache, and a write that names the kind makes the next read fresh", async () => {
    const { context, services, next } = await realContext();
    const load = vi.fn(async () => ({ text: "3 messages" }));
    expect(await readThroughCache(read, services, context.cache, load)).toEqual({
      value: { text: "3 messages" },
      outcome: "miss",
    });
    expect(await readThroughCache(read, services, context.cache, load)).toEqual({
      value: { text: "3 messages" },
      outcome: "hit",
    });
    expect(load).toHaveBeenCalledOnce();
    // Another kind's bump leaves mail cached; mail's own bump does not.
    await invalidate(["calendar"], services);
    const second = next();
    expect((await readThroughCache(read, second.services, second.context.cache, load)).outcome).toBe("hit");
    await invalidate(["mail"], second.services);
    const third = next();
    expect((await readThroughCache(read, third.services, third.context.cache, load)).outcome).toBe("miss");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("bumps the generations a write names in the account, and nothing when it names none", async () => {
    const { services, next } = await realContext();
    const before = await services.cacheGenerations(["mail", "calendar", "files"]);
    await invalidate([], services);
    await invalidate(undefined, services);
    expect(await next().services.cacheGenerations(["mail", "calendar", "files"])).toEqual(before);
    await invalidate(["mail", "calendar"], services);
    const after = await next().services.cacheGenerations(["mail", "calendar", "files"]);
    expect(after.mail).not.toBe(before.mail);
    expect(after.calendar).not.toBe(before.calendar);
    expect(after.files).toBe(before.files);
  });
});

describe("pipeline/telemetry", () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs a resource read like a tool call: name, user hash, outcome, Graph counts", async () => {
    const { services } = await realContext();
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    const context = {
      graph: { stats: { requests: 2, retries: 1, lastStatus: 404, requestIds: ["r1", "r2", "r3", "r4"] } },
      services,
    } as unknown as ToolContext;
    logCall({
      kind: RESOURCE_READ,
      name: "message",
      code: "not_found",
      record: { cache: "miss" },
      context,
      latencyMs: 12,
      sessionId: "5e55102d0123456789abcdef01234567",
      requestId: 4,
    });
    // A session id addresses a session: the line carries a short hash of it, never the id.
    expect(lines[0]).not.toContain("5e55102d");
    expect(JSON.parse(lines[0]!)).toEqual({
      event: "resource_read",
      resource: "message",
      user: await userHashOf(ADELE_KEY),
      session: shortHash("5e55102d0123456789abcdef01234567"),
      rpcId: 4,
      ok: false,
      code: "not_found",
      latencyMs: 12,
      graphRequests: 2,
      retries: 1,
      graphStatus: 404,
      graphRequestIds: ["r2", "r3", "r4"],
      cache: "miss",
    });
  });
});

describe("listing", () => {
  const echo = defineTool({
    name: "echo",
    title: "Echo",
    description: "Says it back.",
    input: { words: z.string().max(1_000_000).describe("What to say") },
    scopes: [],
    access: "read",
    cacheKind: "mail",
    async run({ words }) {
      return { text: words };
    },
  });

  it("builds a selection's definitions once and lists them without schema noise", () => {
    const first = toolDefinitions([echo]);
    expect(toolDefinitions([echo])).toBe(first);
    expect(first[0]).toEqual({
      name: "echo",
      title: "Echo",
      description: "Says it back.",
      inputSchema: {
        type: "object",
        properties: { words: { type: "string", description: "What to say" }, fresh: { type: "boolean" } },
        required: ["words"],
      },
      annotations: { readOnlyHint: true },
    });
  });

  it("drops output prose and unreachable limits from schemas", () => {
    expect(
      compactSchema(
        { $schema: "x", type: "integer", maximum: Number.MAX_SAFE_INTEGER, description: "n", required: ["a"] },
        true,
      ),
    ).toEqual({ type: "integer" });
  });
});
