/**
 * The catalog through the real stack `npm run dev` starts (wrangler dev and
 * the emulator), driven by the MCP SDK client over Streamable HTTP: a day's
 * work across workloads, with progress notifications on a large upload.
 */
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, inject, it } from "vitest";
import { connectWithSignIn } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");
const emulatorUrl = inject("emulatorUrl");

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

describe("a day's work through wrangler dev", () => {
  it("plans a meeting, posts in Teams, tracks a task and uploads a large file with progress", async () => {
    const { client } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${workerUrl}/mcp`), { authProvider }),
      "megan@contoso.example",
    );
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
      return result;
    };

    const start = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const slots = await call("findMeetingTimes", { attendees: ["adele@contoso.example"], durationMinutes: 30, start });
    expect((slots.structuredContent as { suggestions: unknown[] }).suggestions.length).toBeGreaterThan(0);

    const teams = (await call("listTeams", {})).structuredContent as { teams: { id: string; name: string }[] };
    const team = teams.teams.find((candidate) => candidate.name === "All Company")!;
    const channels = (await call("listChannels", { teamId: team.id })).structuredContent as {
      channels: { id: string; name: string }[];
    };
    const general = channels.channels.find((channel) => channel.name === "General")!;
    await call("sendTeamsMessage", {
      teamId: team.id,
      channelId: general.id,
      message: "Launch deck is on its way, @adele@contoso.example",
      mentions: ["adele@contoso.example"],
      idempotencyKey: "e2e-post-0001",
    });
    const posts = await call("getChannelMessages", { teamId: team.id, channelId: general.id, count: 5, fresh: true });
    expect(text(posts)).toContain("Launch deck is on its way");

    const task = await call("createTask", { title: "Send the launch deck to Adele", idempotencyKey: "e2e-task-0001" });
    const again = await call("createTask", { title: "Send the launch deck to Adele", idempotencyKey: "e2e-task-0001" });
    expect(text(again)).toBe(text(task));

    const size = 9 * 1024 * 1024;
    const progress: Progress[] = [];
    const upload = (await client.callTool(
      {
        name: "uploadFile",
        arguments: {
          path: "/Documents/e2e-deck.bin",
          sourceUrl: `${emulatorUrl}/_emulator/blob?size=${size}&seed=e2e`,
        },
      },
      undefined,
      { onprogress: (update) => progress.push(update), timeout: 60_000 },
    )) as CallToolResult;
    expect(upload.isError, text(upload)).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ progress: size, total: size });

    const found = await call("getFileMetadata", { path: "/Documents/e2e-deck.bin" });
    expect(text(found)).toContain("e2e-deck.bin");
    await client.close();
  }, 120_000);
});
