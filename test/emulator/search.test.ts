import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerSearchProvider, searchProvider, type SearchHit } from "../../emulator/graph/search-index.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Container {
  hits?: { hitId: string; rank: number; summary: string; resource: Record<string, unknown> }[];
  total: number;
  moreResultsAvailable: boolean;
}
interface SearchAnswer {
  "@odata.context": string;
  value: { searchTerms: string[]; hitsContainers: Container[] }[];
}

let emulator: RunningEmulator;
let token: string;

/** Test-only providers for two SharePoint types: 30 list items and 4 drives, in a known order. */
function fakeHits(type: string, count: number, word: string): (queryString: string) => SearchHit[] {
  return (queryString) =>
    queryString.toLowerCase().includes(word)
      ? Array.from({ length: count }, (_, index) => ({
          hitId: `${type}-${index}`,
          summary: `<c0>${word}</c0> ${type} ${index}`,
          resource: {
            "@odata.type": `#microsoft.graph.${type}`,
            id: `${type}-${index}`,
            name: `${type} ${index}`,
            size: index,
          },
        }))
      : [];
}

async function search(
  body: unknown,
  bearer = token,
): Promise<{ status: number; answer: SearchAnswer; error?: GraphErrorBody["error"] }> {
  const response = await postJson(emulator.url, bearer, "/search/query", body);
  const json = (await response.json()) as SearchAnswer & GraphErrorBody;
  return { status: response.status, answer: json, error: json.error };
}

function one(entityTypes: string[], queryString: string, extra: Record<string, unknown> = {}) {
  return { requests: [{ entityTypes, query: { queryString }, ...extra }] };
}

beforeAll(async () => {
  registerSearchProvider("listItem", (_context, query) => fakeHits("listItem", 30, "roadmap")(query));
  registerSearchProvider("drive", (_context, query) => fakeHits("drive", 4, "roadmap")(query));
  emulator = await startEmulator({ port: 0 });
  token = (
    await signIn(
      emulator.url,
      "adele@contoso.example",
      "openid offline_access User.Read Mail.Read Calendars.Read Sites.Read.All",
    )
  ).access_token;
});
afterAll(() => emulator.close());

describe("POST /search/query", () => {
  it("finds seeded mail through the message provider the mail area registers", async () => {
    expect(searchProvider("message")).toBeDefined();
    const { status, answer } = await search(one(["message"], "budget", { size: 5 }));
    expect(status).toBe(200);
    expect(answer["@odata.context"]).toMatch(/\$metadata#Collection\(microsoft\.graph\.searchResponse\)$/);
    const [response] = answer.value;
    expect(response!.searchTerms).toEqual(["budget"]);
    const container = response!.hitsContainers[0]!;
    expect(container.total).toBeGreaterThan(5);
    expect(container.moreResultsAvailable).toBe(true);
    expect(container.hits).toHaveLength(5);
    expect(container.hits!.map((hit) => hit.rank)).toEqual([1, 2, 3, 4, 5]);
    const hit = container.hits![0]!;
    expect(hit.resource["@odata.type"]).toBe("#microsoft.graph.message");
    expect(JSON.stringify(hit).toLowerCase()).toContain("budget");
  });

  it("answers an empty container when nothing matches", async () => {
    const { status, answer } = await search(one(["message"], "zzqxjvnomatch"));
    expect(status).toBe(200);
    expect(answer.value[0]!.hitsContainers).toEqual([{ total: 0, moreResultsAvailable: false }]);
  });

  it("pages with from and size, ranks across pages and reports moreResultsAvailable", async () => {
    const first = (await search(one(["listItem"], "roadmap", { from: 0, size: 10 }))).answer.value[0]!
      .hitsContainers[0]!;
    expect(first).toMatchObject({ total: 30, moreResultsAvailable: true });
    expect(first.hits!.map((hit) => hit.hitId)).toEqual(Array.from({ length: 10 }, (_, i) => `listItem-${i}`));
    const last = (await search(one(["listItem"], "roadmap", { from: 25, size: 10 }))).answer.value[0]!
      .hitsContainers[0]!;
    expect(last.moreResultsAvailable).toBe(false);
    expect(last.hits!.map((hit) => hit.rank)).toEqual([26, 27, 28, 29, 30]);
    // 25 results by default.
    expect((await search(one(["listItem"], "roadmap"))).answer.value[0]!.hitsContainers[0]!.hits).toHaveLength(25);
  });

  it("interleaves the types one request combines, and applies fields", async () => {
    const { answer } = await search(one(["listItem", "drive"], "roadmap", { size: 6, fields: ["name"] }));
    const container = answer.value[0]!.hitsContainers[0]!;
    expect(container.total).toBe(34);
    expect(container.hits!.map((hit) => hit.hitId)).toEqual([
      "listItem-0",
      "drive-0",
      "listItem-1",
      "drive-1",
      "listItem-2",
      "drive-2",
    ]);
    expect(Object.keys(container.hits![0]!.resource).sort()).toEqual(["@odata.type", "id", "name"]);
  });

  it("refuses entity type combinations Graph does not interleave", async () => {
    for (const types of [
      ["message", "driveItem"],
      ["message", "event"],
      ["event", "site"],
    ]) {
      const { status, error } = await search(one(types, "budget"));
      expect(status, types.join("+")).toBe(400);
      expect(error!.code).toBe("BadRequest");
      expect(error!.message).toMatch(/^SearchRequest Invalid \(.*entity types combination/);
    }
    expect((await search(one(["driveItem", "site"], "budget"))).status).toBe(200);
  });

  it("takes one searchRequest per body, for every entity type", async () => {
    const two = {
      requests: [
        { entityTypes: ["listItem"], query: { queryString: "roadmap" }, size: 2 },
        { entityTypes: ["drive"], query: { queryString: "roadmap" }, size: 2 },
      ],
    };
    const shared = await search(two);
    expect(shared.status).toBe(400);
    expect(shared.error!.message).toContain("Multiple search requests");
    const separately = await Promise.all(two.requests.map((request) => search({ requests: [request] })));
    expect(separately.map(({ answer }) => answer.value[0]!.hitsContainers[0]!.total)).toEqual([30, 4]);
    const mixed = await search({
      requests: [
        { entityTypes: ["message"], query: { queryString: "budget" } },
        { entityTypes: ["event"], query: { queryString: "budget" } },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.error!.message).toContain("Multiple search requests");
  });

  it("validates the request the way Graph does", async () => {
    const noQuery = await search(one(["message"], ""));
    expect(noQuery.status).toBe(400);
    expect(noQuery.error!.message).toBe(
      "SearchRequest Invalid (EntityRequest Invalid (searchRequest -> query is invalid (queryString required)))",
    );
    const tooMany = await search(one(["message"], "budget", { size: 26 }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.error!.message).toContain("size");
    expect((await search(one(["listItem"], "roadmap", { size: 500 }))).status).toBe(200);
    expect((await search(one(["listItem"], "roadmap", { size: 1001 }))).status).toBe(400);
    const unknownType = await search(one(["email"], "budget"));
    expect(unknownType.status).toBe(400);
    expect(unknownType.error!.message).toContain("'email'");
    expect((await search({})).status).toBe(400);
    expect((await search({ requests: [] })).status).toBe(400);
  });

  it("needs the permission of each entity type searched", async () => {
    const mailOnly = (await signIn(emulator.url, "adele@contoso.example", "openid offline_access User.Read Mail.Read"))
      .access_token;
    expect((await search(one(["message"], "budget"), mailOnly)).status).toBe(200);
    const files = await search(one(["driveItem"], "budget"), mailOnly);
    expect(files.status).toBe(403);
    const events = await search(one(["event"], "budget"), mailOnly);
    expect(events.status).toBe(403);
    const nothing = (await signIn(emulator.url, "adele@contoso.example", "openid offline_access User.Read"))
      .access_token;
    expect((await search(one(["message"], "budget"), nothing)).status).toBe(403);
  });
});
