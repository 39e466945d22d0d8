import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { postJson, signIn, type Tokens } from "./helpers.ts";

let emulator: RunningEmulator;
let adele: Tokens;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  adele = await signIn(emulator.url, "adele@contoso.example");
});
afterAll(() => emulator.close());

interface BatchAnswer {
  responses: { id: string; status: number; body?: Record<string, unknown> }[];
}

describe("JSON batching ($batch)", () => {
  it("answers each request as if sent alone, with the batch's token", async () => {
    const response = await postJson(emulator.url, adele.access_token, "/$batch", {
      requests: [
        { id: "me", method: "GET", url: "/me?$select=displayName" },
        { id: "inbox", method: "GET", url: "/me/mailFolders/inbox/messages?$top=2&$select=subject" },
        { id: "missing", method: "GET", url: "/me/messages/does-not-exist" },
      ],
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as BatchAnswer;
    const byId = new Map(answer.responses.map((item) => [item.id, item]));
    expect(byId.get("me")).toMatchObject({ status: 200, body: { displayName: "Adele Vance" } });
    expect((byId.get("inbox")?.body?.value as unknown[]).length).toBe(2);
    expect(byId.get("missing")?.status).toBe(404);
  });

  it("refuses an empty batch, more than 20 requests, and duplicate ids", async () => {
    const empty = await postJson(emulator.url, adele.access_token, "/$batch", { requests: [] });
    expect(empty.status).toBe(400);
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/me" }));
    expect((await postJson(emulator.url, adele.access_token, "/$batch", { requests: many })).status).toBe(400);
    const duplicate = [
      { id: "a", method: "GET", url: "/me" },
      { id: "a", method: "GET", url: "/me" },
    ];
    expect((await postJson(emulator.url, adele.access_token, "/$batch", { requests: duplicate })).status).toBe(400);
  });

  it("answers each item 401 without a valid token", async () => {
    const response = await postJson(emulator.url, "not-a-token", "/$batch", {
      requests: [{ id: "me", method: "GET", url: "/me" }],
    });
    const answer = (await response.json()) as BatchAnswer;
    expect(answer.responses[0]?.status).toBe(401);
  });
});
