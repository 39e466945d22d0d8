import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { clearLog, connectClient, emulator, requestLog, signIn } from "./helpers.ts";

beforeEach(async () => {
  await emulator(env, "reset", {});
});

function promptText(result: { messages: { content: { type: string; text?: string } }[] }): string {
  return result.messages.map((message) => message.content.text ?? "").join("\n");
}

describe("prompts", () => {
  it("lists the prompts for common jobs", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(
      expect.arrayContaining(["triageInbox", "dailyBriefing", "scheduleMeeting", "catchUpOnTeams"]),
    );
  });

  it("dailyBriefing reads meetings and important unread mail in one Graph round trip", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const text = promptText(await client.getPrompt({ name: "dailyBriefing" }));
    expect(text).toMatch(/^Meetings in the next 24 hours \(\d+\):/);
    expect(text).toMatch(/Unread high-importance mail \(\d+\):/);
    expect(text).not.toContain("Could not read");
    expect(text).not.toContain("@odata");
    const log = await requestLog();
    const graphCalls = log.filter((entry) => entry.path.startsWith("/v1.0/"));
    expect(graphCalls.map((entry) => `${entry.method} ${entry.path}`)).toEqual(
      expect.arrayContaining(["POST /v1.0/$batch"]),
    );
    expect(graphCalls.filter((entry) => entry.path.includes("calendarView"))).toEqual([]);
  });

  it("dailyBriefing rides out a 503, and says what it could not read when Graph stays down", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "POST /v1.0/$batch", status: 503, retryAfterSeconds: 0, count: 1 });
    expect(promptText(await client.getPrompt({ name: "dailyBriefing" }))).not.toContain("Could not read");
    await emulator(env, "faults", { match: "POST /v1.0/$batch", status: 503, retryAfterSeconds: 0, count: 10 });
    const text = promptText(await client.getPrompt({ name: "dailyBriefing" }));
    expect(text).toMatch(/Meetings in the next 24 hours \(0\)/);
    expect(text).toContain("Could not read: calendar, mail.");
  });

  it("scheduleMeeting and triageInbox bound their numbers", async () => {
    const client = await connectClient((await signIn()).access_token);
    const triage = promptText(await client.getPrompt({ name: "triageInbox", arguments: { count: "500" } }));
    expect(triage).toContain("count=50");
    const schedule = promptText(
      await client.getPrompt({
        name: "scheduleMeeting",
        arguments: { attendees: "megan@contoso.example", topic: "Budget", duration: "45" },
      }),
    );
    expect(schedule).toContain("45-minute meeting");
    expect(schedule).toContain("findMeetingTimes");
  });
});
