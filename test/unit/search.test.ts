import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface Results {
  results: { type: string; id: string; title: string; date: string; driveId?: string }[];
  nextCursor?: string;
}

const call = callTool;

const text = resultText;

async function search(
  client: Client,
  args: Record<string, unknown>,
): Promise<{ result: CallToolResult; found: Results }> {
  const result = await call(client, "searchMicrosoft365", { fresh: true, ...args });
  expect(result.isError, text(result)).toBeFalsy();
  return { result, found: result.structuredContent as unknown as Results };
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("searchMicrosoft365", () => {
  it("finds a seeded email, renders it compactly and gives an id other tools can open", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { result, found } = await search(client, { query: "budget", types: ["email"], count: 3 });
    const emails = found.results.filter((hit) => hit.type === "email");
    expect(emails).toHaveLength(3);
    const rendered = text(result);
    expect(rendered).toMatch(/^Search "budget": 3 results\.\nEmails \(1-3 of \d+\):/);
    expect(rendered).toContain(`   id: ${emails[0]!.id}`);
    expect(rendered).not.toMatch(/<c0>|<\/c0>|<ddd\/>|@odata/);
    expect(emails[0]!.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    // One line of facts (date | subject | sender), one of summary with the match, one of id.
    const [facts, summary, idLine] = rendered.split("\n").slice(2, 5);
    expect(facts).toBe(`1. ${emails[0]!.date} | ${emails[0]!.title} | ${facts!.split(" | ")[2]}`);
    expect(facts!.split(" | ")[2]).toMatch(/<[^>]+@[^>]+>$/);
    expect(summary).toMatch(/budget/i);
    expect(idLine).toBe(`   id: ${emails[0]!.id}`);

    // The id is the message's Graph id: graphQuery reads the same message by it.
    const message = await call(client, "graphQuery", { path: `/me/messages/${emails[0]!.id}`, select: "subject" });
    expect(message.isError, text(message)).toBeFalsy();
    expect(JSON.parse(text(message).split("\n")[0]!)).toMatchObject({ subject: emails[0]!.title });

    const searches = (await requestLog()).filter((entry) => entry.path === "/v1.0/search/query");
    expect(searches).toHaveLength(1);
    expect(searches[0]!.method).toBe("POST");
  });

  it("finds a file with the ids the file tools need", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { result, found } = await search(client, { query: "budget", types: ["file"], count: 5 });
    const file = found.results.find((hit) => hit.type === "file" && /budget/i.test(hit.title));
    expect(file, text(result)).toBeDefined();
    expect(file!.driveId).toBeTruthy();
    expect(text(result)).toContain(`id: ${file!.id} | driveId: ${file!.driveId}`);
    const item = await call(client, "graphQuery", {
      path: `/drives/${file!.driveId}/items/${file!.id}`,
      select: "name",
    });
    expect(item.isError, text(item)).toBeFalsy();
    expect(JSON.parse(text(item).split("\n")[0]!)).toMatchObject({ name: file!.title });
  });

  it("searches every type in separate requests (Graph does not combine them) and reports each", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { result, found } = await search(client, { query: "budget" });
    const rendered = text(result);
    for (const label of ["Emails", "Events", "Files", "Sites"]) expect(rendered).toMatch(new RegExp(`^${label}`, "m"));
    expect(found.results.some((hit) => hit.type === "email")).toBe(true);
    const searches = (await requestLog()).filter((entry) => entry.path === "/v1.0/search/query");
    expect(searches).toHaveLength(4);
    expect(searches.every((entry) => entry.status === 200)).toBe(true);
  });

  it("pages with the cursor, per type", async () => {
    const client = await connectClient((await signIn()).access_token);
    const first = await search(client, { query: "budget", types: ["email"], count: 2 });
    expect(first.found.nextCursor).toBeDefined();
    expect(text(first.result)).toContain(`More results: call again with cursor "${first.found.nextCursor}"`);
    const second = await search(client, { query: "budget", cursor: first.found.nextCursor });
    expect(text(second.result)).toMatch(/Emails \(3-4 of \d+\)/);
    const ids = [...first.found.results, ...second.found.results].map((hit) => hit.id);
    expect(new Set(ids).size).toBe(4);
    expect(second.found.results.every((hit) => hit.type === "email")).toBe(true);
  });

  it("says when nothing matches", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { result, found } = await search(client, { query: "zzqxjv-nothing-matches", types: ["email", "event"] });
    expect(found.results).toEqual([]);
    expect(found.nextCursor).toBeUndefined();
    expect(text(result)).toBe('Search "zzqxjv-nothing-matches": 0 results.\nEmails: no matches.\nEvents: no matches.');
  });

  it("keeps the other types' results when one type is denied", async () => {
    const client = await connectClient((await signIn()).access_token);
    // The first of the parallel search requests is refused; the rest answer.
    await emulator(env, "faults", { match: "POST /v1.0/search/query", status: 403, count: 1 });
    const { result } = await search(client, { query: "budget" });
    expect(text(result)).toMatch(
      /: not permitted \(needs [A-Za-z. ]+; call with types \["[a-z]+"\] to be asked for it\)\./,
    );
  });

  it("answers consent_required when every type is denied", async () => {
    const client = await connectClient((await signIn()).access_token);
    await emulator(env, "faults", { match: "POST /v1.0/search/query", status: 403, count: 2 });
    const result = await call(client, "searchMicrosoft365", { query: "budget", types: ["email", "file"], fresh: true });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/consent_required.*Mail\.Read/);
  });

  it("refuses invalid arguments naming the field", async () => {
    const client = await connectClient((await signIn()).access_token);
    const empty = await call(client, "searchMicrosoft365", { query: " " });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/query/);
    const count = await call(client, "searchMicrosoft365", { query: "x", count: 26 });
    expect(text(count)).toMatch(/count/);
    const types = await call(client, "searchMicrosoft365", { query: "x", types: ["mail"] });
    expect(text(types)).toMatch(/types/);
    const cursor = await call(client, "searchMicrosoft365", { query: "x", cursor: "not-a-cursor" });
    expect(text(cursor)).toMatch(/invalid_input.*cursor/);
    expect((await requestLog()).some((entry) => entry.path === "/v1.0/search/query")).toBe(false);
  });
});
