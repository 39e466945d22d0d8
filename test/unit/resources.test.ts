import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TOOLS } from "../../src/tools/catalog.ts";
import { callTool, clearLog, connectClient, emulator, requestLog, signIn } from "./helpers.ts";

beforeEach(async () => {
  await emulator(env, "reset", {});
});

afterEach(async () => {
  vi.restoreAllMocks();
  await env.CONFIG_KV.delete("runtime-config");
});

describe("resources go through the tool pipeline", () => {
  it("serve repeats from the cache until a write of their kind makes them stale", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const first = await client.readResource({ uri: "microsoft://calendars" });
    expect(await client.readResource({ uri: "microsoft://calendars" })).toEqual(first);
    const reads = async () => (await requestLog()).filter((entry) => entry.path === "/v1.0/me/calendars").length;
    expect(await reads()).toBe(1);
    const created = await callTool(client, "createCalendarEvent", {
      subject: "Pipeline check",
      start: "2026-12-01T10:00",
    });
    expect(created.isError).toBeFalsy();
    await client.readResource({ uri: "microsoft://calendars" });
    expect(await reads()).toBe(2);
  });

  it("log one resource_read line per read, with the cache outcome and without the URI", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const client = await connectClient((await signIn()).access_token);
    await client.readResource({ uri: "microsoft://profile" });
    await client.readResource({ uri: "microsoft://profile" });
    const reads = lines
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === "resource_read");
    expect(reads.map((line) => [line.resource, line.ok, line.cache])).toEqual([
      ["profile", true, "miss"],
      ["profile", true, "hit"],
    ]);
    expect(reads[0]).toMatchObject({ user: expect.stringMatching(/^[0-9a-f]{16}$/), graphRequests: 1 });
    expect(JSON.stringify(reads)).not.toMatch(/microsoft:\/\/|adele/);
  });

  it("answer a failed read with the tool error text and MCP's not-found code", async () => {
    const client = await connectClient((await signIn()).access_token);
    await expect(client.readResource({ uri: "microsoft://messages/AAMkAGI2DoesNotExistAAA%3D" })).rejects.toMatchObject(
      {
        code: -32602,
        message: expect.stringMatching(/^MCP error -32602: Error \[not_found\]: Not found in Microsoft 365: /),
      },
    );
    await expect(client.readResource({ uri: "microsoft://files/not%2Fan%2Fid" })).rejects.toMatchObject({
      code: -32602,
      message: "MCP error -32602: Error [invalid_input]: id: not a OneDrive item id.",
    });
  });

  it("are turned off with the tools they come with, in sessions already open", async () => {
    const client = await connectClient((await signIn()).access_token);
    const mailTools = TOOLS.filter((tool) => tool.cacheKind === "mail").map((tool) => tool.name);
    await env.CONFIG_KV.put("runtime-config", JSON.stringify({ disabledTools: mailTools }));
    await expect(client.readResource({ uri: "microsoft://messages/AAMkAGI2AAA%3D" })).rejects.toThrow(
      "Error [forbidden]: message is turned off on this server by its operator.",
    );
    const profile = await client.readResource({ uri: "microsoft://profile" });
    expect(profile.contents).toHaveLength(1);
  });
});
