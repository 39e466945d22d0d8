import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { type LoggedRequest, clearLog, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

async function graphRequests(): Promise<LoggedRequest[]> {
  return (await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/"));
}

async function call(client: Client, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name: "graphQuery", arguments: args })) as CallToolResult;
}

const text = resultText;

/** The JSON line of a result and the lines after it. */
function parse(result: CallToolResult): { json: Record<string, unknown>; rest: string[] } {
  const [first = "", ...rest] = text(result).split("\n");
  return { json: JSON.parse(first) as Record<string, unknown>, rest };
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("graphQuery refuses what is not a read-only allowlisted path", () => {
  it("refuses writes, $batch, other hosts, absolute URLs, traversal and paths off the allowlist", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const refused: [string, RegExp][] = [
      ["/me/sendMail", /not on the read-only allowlist/],
      ["/me/messages/AAMkAG1/send", /not on the read-only allowlist/],
      ["/me/messages/AAMkAG1/$value", /not on the read-only allowlist/],
      ["/me/drive/items/01ABC/content", /not on the read-only allowlist/],
      ["/$batch", /\$batch/],
      ["/me/$batch", /\$batch/],
      ["https://graph.microsoft.com/v1.0/me", /absolute URLs/],
      [`${env.GRAPH_BASE_URL}/me`, /absolute URLs/],
      ["//attacker.example/v1.0/me", /absolute URLs/],
      ["/me/../users", /\.\. segments/],
      ["/me/mailFolders/../../admin", /\.\. segments/],
      ["/me/mailFolders/%2e%2e/x", /escapes/],
      ["/me/mailFolders?$top=999", /query string/],
      ["me/mailFolders", /starts with \//],
      ["/applications", /not on the read-only allowlist/],
      ["/me/mailFolders/inbox/messages/x/attachments/y/$value", /not on the read-only allowlist/],
      // Retired by Microsoft: no data after November 2026.
      ["/me/drive/recent", /retired.*searchFiles/],
      ["/me/drive/sharedWithMe", /retired.*searchFiles/],
    ];
    for (const [path, reason] of refused) {
      const result = await call(client, { path });
      expect(result.isError, path).toBe(true);
      expect(text(result), path).toMatch(/^Error \[invalid_input\]: path: /);
      expect(text(result), path).toMatch(reason);
    }
    const listing = text(await call(client, { path: "/me/sendMail" }));
    expect(listing).toContain("/me/mailFolders, ");
    expect(listing).toContain("/me/drive/root/children");
    expect(listing).not.toContain("/me/drive/recent");
    expect(listing).not.toContain("sharedWithMe");
    expect(await graphRequests()).toEqual([]);
  });

  it("refuses cursors to other hosts or to paths off the allowlist, and bad query options", async () => {
    const client = await connectClient((await signIn()).access_token);
    await clearLog();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ path: "/me", cursor: "https://attacker.example/v1.0/me/mailFolders?$skip=10" }, /invalid_input.*cursor/],
      [{ path: "/me", cursor: `${env.GRAPH_BASE_URL}/me/sendMail` }, /invalid_input.*cursor: not a graphQuery cursor/],
      [{ path: "/me", cursor: `${env.GRAPH_BASE_URL}/$batch` }, /invalid_input.*cursor: not a graphQuery cursor/],
      [
        { path: "/me", cursor: `${env.GRAPH_BASE_URL}/me/mailFolders?$top=5&redirect=x` },
        /invalid_input.*cursor: not a graphQuery cursor/,
      ],
      [{ path: "/me/mailFolders", orderby: "displayName; drop" }, /invalid_input.*orderby/],
      [{ path: "/me/mailFolders", select: "displayName&$expand=x" }, /invalid_input.*select/],
      [{ path: "/me/mailFolders", expand: "childFolders($select=id)" }, /invalid_input.*expand/],
      [{ path: "/me/mailFolders", top: 51 }, /top/],
    ];
    for (const [args, reason] of cases) {
      const result = await call(client, args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result), JSON.stringify(args)).toMatch(reason);
    }
    expect(await graphRequests()).toEqual([]);
  });

  it("is declared read-only", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => candidate.name === "graphQuery")!;
    expect(tool.annotations?.readOnlyHint).toBe(true);
  });
});

describe("graphQuery reads allowlisted paths", () => {
  it("returns compact JSON without OData annotations, with $select, $top and a cursor", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, { path: "/me/mailFolders", select: "displayName,totalItemCount", top: 3 });
    expect(result.isError, text(result)).toBeFalsy();
    const { json, rest } = parse(result);
    const folders = json.value as Record<string, unknown>[];
    expect(folders).toHaveLength(3);
    for (const folder of folders) expect(Object.keys(folder).sort()).toEqual(["displayName", "id", "totalItemCount"]);
    expect(text(result)).not.toContain("@odata");
    const more = rest.find((line) => line.startsWith("More: call again with cursor "));
    const cursor = /cursor "([^"]+)"/.exec(more ?? "")?.[1];
    expect(cursor).toMatch(/^[\w-]{12}$/);

    const next = await call(client, { path: "/me/mailFolders", cursor });
    const nextFolders = parse(next).json.value as Record<string, unknown>[];
    expect(nextFolders.length).toBeGreaterThan(0);
    expect(nextFolders.map((folder) => folder.id)).not.toContain(folders[0]!.id);

    const log = await graphRequests();
    expect(log.every((entry) => entry.method === "GET")).toBe(true);
    expect(log[0]!.query).toContain("%24select=displayName%2CtotalItemCount");
  });

  it("passes $filter and $orderby to Graph and drops null and empty values", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, {
      path: "/me/mailFolders",
      filter: "displayName eq 'Inbox'",
      orderby: "displayName",
    });
    const folders = parse(result).json.value as Record<string, unknown>[];
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatchObject({ displayName: "Inbox" });
    expect(Object.values(folders[0]!).some((value) => value === null || value === "")).toBe(false);
  });

  it("reads a single resource, such as the profile", async () => {
    const client = await connectClient((await signIn("megan@contoso.example")).access_token);
    const { json } = parse(await call(client, { path: "/me", select: "displayName,mail,jobTitle" }));
    expect(json).toMatchObject({
      displayName: "Megan Bowen",
      mail: "megan@contoso.example",
      jobTitle: "Marketing Manager",
    });
  });

  it("cuts a large answer to whole items with a note", async () => {
    const client = await connectClient((await signIn()).access_token);
    const result = await call(client, { path: "/me/messages", top: 50 });
    expect(result.isError, text(result)).toBeFalsy();
    const { json, rest } = parse(result);
    const messages = json.value as unknown[];
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThan(50);
    expect(text(result).split("\n")[0]!.length).toBeLessThanOrEqual(12_000);
    expect(rest[0]).toBe(
      `Showing ${messages.length} of 50 items to stay small; ask for fewer fields (select) or fewer items (top).`,
    );
  });

  it("maps Graph errors: unknown ids are not_found, denials say the grant does not cover the path", async () => {
    const client = await connectClient((await signIn()).access_token);
    const missing = await call(client, { path: "/me/mailFolders/nonexistent" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("not_found");
    const badFilter = await call(client, { path: "/me/mailFolders", filter: "displayName eq" });
    expect(text(badFilter)).toContain("invalid_input");
    await emulator(env, "faults", { match: "GET /v1.0/me/mailFolders", status: 403 });
    const denied = await call(client, { path: "/me/mailFolders" });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(
      /^Error \[forbidden\]: Microsoft Graph denied GET \/me\/mailFolders: the permissions granted/,
    );
    expect(text(denied)).not.toContain("User.Read permission");
  });
});
