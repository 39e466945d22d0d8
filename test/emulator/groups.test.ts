import type { Event } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}
interface Group {
  id: string;
  displayName?: string;
  mail?: string;
}
interface Thread {
  id: string;
  topic: string;
}
interface Post {
  id: string;
  from: { emailAddress: { address: string } };
  body: { content: string };
}

const SCOPES =
  "openid profile email offline_access User.Read GroupMember.Read.All Group.Read.All Group-Conversation.ReadWrite.All Files.Read.All";

let emulator: RunningEmulator;
const tokens: Record<"adele" | "alex", string> = { adele: "", alex: "" };

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code };
}

async function marketing(): Promise<Group> {
  const groups = await graphJson<Page<Group>>(emulator.url, tokens.adele, "/me/memberOf");
  return groups.value.find((group) => group.displayName === "Marketing")!;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  tokens.adele = (await signIn(emulator.url, "adele@contoso.example", SCOPES)).access_token;
  tokens.alex = (await signIn(emulator.url, "alex@contoso.example", SCOPES)).access_token;
});
afterAll(() => emulator.close());

describe("Microsoft 365 groups", () => {
  it("lists the user's own groups, with ids only under User.Read alone", async () => {
    const groups = await graphJson<Page<Group>>(emulator.url, tokens.adele, "/me/memberOf");
    expect(groups.value.map((group) => group.displayName)).toEqual(["Marketing"]);
    const basic = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read")).access_token;
    const limited = await graphJson<Page<Group>>(emulator.url, basic, "/me/memberOf");
    expect(limited.value[0]).toEqual({ "@odata.type": "#microsoft.graph.group", id: groups.value[0]!.id });
  });

  it("reads threads and posts and replies to a thread", async () => {
    const group = await marketing();
    const threads = await graphJson<Page<Thread>>(emulator.url, tokens.adele, `/groups/${group.id}/threads`);
    expect(threads.value.map((thread) => thread.topic)).toEqual(["Offsite agenda", "Mark 8 launch checklist"]);
    const thread = threads.value[1]!;
    const reply = await postJson(emulator.url, tokens.adele, `/groups/${group.id}/threads/${thread.id}/reply`, {
      post: { body: { contentType: "Text", content: "Landing page copy is back." } },
    });
    expect(reply.status).toBe(202);
    const posts = await graphJson<Page<Post>>(
      emulator.url,
      tokens.adele,
      `/groups/${group.id}/threads/${thread.id}/posts`,
    );
    expect(posts.value).toHaveLength(3);
    expect(posts.value[2]?.body.content).toContain("Landing page copy is back.");
    expect(posts.value[2]?.from.emailAddress.address).toBe("adele@contoso.example");
  });

  it("refuses a non-member of a private group its threads, calendar and drive", async () => {
    const group = await marketing();
    for (const path of [
      `/groups/${group.id}/threads`,
      `/groups/${group.id}/calendarView?startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-01-08T00:00:00Z`,
      `/groups/${group.id}/drive/root/children`,
    ]) {
      expect(await errorOf(await graph(emulator.url, tokens.alex, path))).toEqual({
        status: 403,
        code: "ErrorAccessDenied",
      });
    }
    const missing = await graph(emulator.url, tokens.adele, "/groups/00000000-0000-4000-a000-000000000000/threads");
    expect(await errorOf(missing)).toEqual({ status: 404, code: "Request_ResourceNotFound" });
  });

  it("serves the group calendar with Group.Read.All and the group drive as its team site's library", async () => {
    const group = await marketing();
    const start = new Date(Date.now() - 14 * 86_400_000).toISOString();
    const end = new Date(Date.now() + 21 * 86_400_000).toISOString();
    const view = await graphJson<Page<Event>>(
      emulator.url,
      tokens.adele,
      `/groups/${group.id}/calendarView?startDateTime=${start}&endDateTime=${end}`,
    );
    expect(view.value.length).toBeGreaterThan(0);
    const noGroupScope = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Calendars.Read"))
      .access_token;
    const refused = await graph(
      emulator.url,
      noGroupScope,
      `/groups/${group.id}/calendarView?startDateTime=${start}&endDateTime=${end}`,
    );
    expect(refused.status).toBe(403);
    const files = await graphJson<Page<{ name: string }>>(
      emulator.url,
      tokens.adele,
      `/groups/${group.id}/drive/root/children`,
    );
    expect(files.value.map((item) => item.name)).toEqual(expect.arrayContaining(["Campaigns", "Templates"]));
  });
});
