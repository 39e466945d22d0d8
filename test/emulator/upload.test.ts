import type { DriveItem, UploadSession } from "@microsoft/microsoft-graph-types";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

const FILES_SCOPE = "openid profile offline_access User.Read Files.ReadWrite";
const UNIT = 320 * 1024;

let emulator: RunningEmulator;
let token: string;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  faultId?: string;
}

function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

async function session(path: string, item: Record<string, unknown> = {}): Promise<UploadSession> {
  const response = await postJson(emulator.url, token, `${path}/createUploadSession`, { item });
  if (response.status !== 200)
    throw new Error(`createUploadSession answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as UploadSession;
}

function put(
  url: string,
  body: Buffer,
  first: number,
  total: number,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "PUT",
    headers: { "Content-Range": `bytes ${first}-${first + body.length - 1}/${total}`, ...headers },
    body,
  });
}

async function download(path: string): Promise<Buffer> {
  const response = await graph(emulator.url, token, `${path}/content`, { redirect: "manual" });
  expect(response.status).toBe(302);
  return Buffer.from(await (await fetch(response.headers.get("Location")!)).arrayBuffer());
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  token = (await signIn(emulator.url, "adele@contoso.example", FILES_SCOPE)).access_token;
});

describe("upload sessions", () => {
  it("hands out a token-free upload URL outside /v1.0 and takes ordered fragments to a new file", async () => {
    const content = bytes(2 * UNIT + 1000);
    const created = await session("/me/drive/root:/Uploads/video.bin:");
    expect(created.nextExpectedRanges).toEqual(["0-"]);
    expect(created.uploadUrl!.startsWith(`${emulator.url}/_upload/`)).toBe(true);
    expect(Date.parse(created.expirationDateTime!)).toBeGreaterThan(Date.now());

    const first = await put(created.uploadUrl!, content.subarray(0, UNIT), 0, content.length);
    expect(first.status).toBe(202);
    expect(((await first.json()) as UploadSession).nextExpectedRanges).toEqual([`${UNIT}-${content.length - 1}`]);
    const status = (await (await fetch(created.uploadUrl!)).json()) as UploadSession;
    expect(status.nextExpectedRanges).toEqual([`${UNIT}-${content.length - 1}`]);

    const last = await put(created.uploadUrl!, content.subarray(UNIT), UNIT, content.length);
    expect(last.status).toBe(201);
    const item = (await last.json()) as DriveItem;
    expect(item).toMatchObject({ name: "video.bin", size: content.length });
    expect((await download(`/me/drive/items/${item.id}`)).equals(content)).toBe(true);
    expect((await fetch(created.uploadUrl!)).status).toBe(404);
  });

  it("takes fragments over 4 MB (up to 60 MiB), unlike other requests", async () => {
    const content = bytes(16 * UNIT + 10, 7);
    const created = await session("/me/drive/root:/big.bin:");
    expect((await put(created.uploadUrl!, content.subarray(0, 16 * UNIT), 0, content.length)).status).toBe(202);
    expect((await put(created.uploadUrl!, content.subarray(16 * UNIT), 16 * UNIT, content.length)).status).toBe(201);
    expect((await download("/me/drive/root:/big.bin:")).equals(content)).toBe(true);
  });

  it("enforces the fragment rules: Content-Range, 320 KiB multiples, order, no bearer token", async () => {
    const content = bytes(3 * UNIT, 3);
    const created = await session("/me/drive/root:/rules.bin:");
    const url = created.uploadUrl!;
    const noRange = await fetch(url, { method: "PUT", body: content.subarray(0, UNIT) });
    expect(noRange.status).toBe(400);
    expect(((await noRange.json()) as GraphErrorBody).error.message).toMatch(/Content-Range/);
    const odd = await put(url, content.subarray(0, UNIT + 1), 0, content.length);
    expect(odd.status).toBe(400);
    expect(((await odd.json()) as GraphErrorBody).error.message).toMatch(/320 KiB/);
    const ahead = await put(url, content.subarray(UNIT, 2 * UNIT), UNIT, content.length);
    expect(ahead.status).toBe(416);
    expect(((await ahead.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([
      `0-${content.length - 1}`,
    ]);
    const withToken = await put(url, content.subarray(0, UNIT), 0, content.length, {
      Authorization: `Bearer ${token}`,
    });
    expect(withToken.status).toBe(401);
    const mismatch = await fetch(url, {
      method: "PUT",
      headers: { "Content-Range": `bytes 0-${2 * UNIT - 1}/${content.length}` },
      body: content.subarray(0, UNIT),
    });
    expect(mismatch.status).toBe(400);
    // None of the refused fragments counted (nor fixed the file's size).
    const status = (await (await fetch(url)).json()) as UploadSession;
    expect(status.nextExpectedRanges).toEqual(["0-"]);
    expect((await put(url, content.subarray(0, UNIT), 0, content.length)).status).toBe(202);
    const overlap = await put(url, content.subarray(0, UNIT), 0, content.length);
    expect(overlap.status).toBe(416);
    const otherTotal = await put(url, content.subarray(UNIT, 2 * UNIT), UNIT, content.length + 1);
    expect(otherTotal.status).toBe(400);
  });

  it("survives a fragment failed by an injected fault: the session reports where to resume", async () => {
    const content = bytes(3 * UNIT + 5, 9);
    const created = await session("/me/drive/root:/resumed.bin:");
    const url = created.uploadUrl!;
    expect((await put(url, content.subarray(0, UNIT), 0, content.length)).status).toBe(202);
    const { id: faultId } = await control<{ id: string }>(emulator.url, "faults", {
      match: "PUT /_upload",
      status: 503,
    });
    const failed = await put(url, content.subarray(UNIT, 2 * UNIT), UNIT, content.length);
    expect(failed.status).toBe(503);
    const status = (await (await fetch(url)).json()) as UploadSession;
    expect(status.nextExpectedRanges).toEqual([`${UNIT}-${content.length - 1}`]);
    expect((await put(url, content.subarray(UNIT, 3 * UNIT), UNIT, content.length)).status).toBe(202);
    expect((await put(url, content.subarray(3 * UNIT), 3 * UNIT, content.length)).status).toBe(201);
    expect((await download("/me/drive/root:/resumed.bin:")).equals(content)).toBe(true);
    const log = await control<LoggedRequest[]>(emulator.url, "requests");
    expect(log.filter((entry) => entry.path.startsWith("/_upload/") && entry.faultId === faultId)).toHaveLength(1);
  });

  it("cancels with DELETE; the URL is gone afterwards", async () => {
    const created = await session("/me/drive/root:/cancelled.bin:");
    expect((await fetch(created.uploadUrl!, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(created.uploadUrl!)).status).toBe(404);
    expect((await put(created.uploadUrl!, bytes(10), 0, 10)).status).toBe(404);
    expect((await graph(emulator.url, token, "/me/drive/root:/cancelled.bin:")).status).toBe(404);
  });

  it("replaces an existing file (200), and applies conflict behaviours", async () => {
    const existing = await graphJson<DriveItem>(emulator.url, token, "/me/drive/root:/Documents/Notes/Ideas.txt:");
    const replace = await session(`/me/drive/items/${existing.id}`);
    const done = await put(replace.uploadUrl!, Buffer.from("new ideas"), 0, 9);
    expect(done.status).toBe(200);
    expect(((await done.json()) as DriveItem).id).toBe(existing.id);
    expect((await download(`/me/drive/items/${existing.id}`)).toString()).toBe("new ideas");

    const fail = await postJson(
      emulator.url,
      token,
      `/me/drive/items/${existing.parentReference!.id}:/Ideas.txt:/createUploadSession`,
      {
        item: { "@microsoft.graph.conflictBehavior": "fail" },
      },
    );
    expect(fail.status).toBe(409);
    expect(((await fail.json()) as GraphErrorBody).error.code).toBe("nameAlreadyExists");
    const rename = await session(`/me/drive/items/${existing.parentReference!.id}:/Ideas.txt:`, {
      "@microsoft.graph.conflictBehavior": "rename",
    });
    const renamed = await put(rename.uploadUrl!, Buffer.from("x"), 0, 1);
    expect(renamed.status).toBe(201);
    expect(((await renamed.json()) as DriveItem).name).toBe("Ideas 1.txt");
  });

  it("needs Files.ReadWrite to create a session", async () => {
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Files.Read")).access_token;
    const response = await postJson(emulator.url, readOnly, "/me/drive/root:/x.bin:/createUploadSession", {});
    expect(response.status).toBe(403);
  });
});

describe("/_emulator/blob", () => {
  it("streams the same bytes for the same size and seed, with a Content-Length", async () => {
    const get = async (query: string) => {
      const response = await fetch(`${emulator.url}/_emulator/blob?${query}`);
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      expect(Number(response.headers.get("Content-Length"))).toBe(body.length);
      return body;
    };
    const a = await get("size=1000003&seed=a");
    expect(a.length).toBe(1_000_003);
    const sha = (buffer: Buffer) => createHash("sha256").update(buffer).digest("hex");
    expect(sha(await get("size=1000003&seed=a"))).toBe(sha(a));
    expect(sha(await get("size=1000003&seed=b"))).not.toBe(sha(a));
    expect((await get("size=1000&seed=a")).equals(a.subarray(0, 1000))).toBe(true);
    expect((await fetch(`${emulator.url}/_emulator/blob?size=lots`)).status).toBe(400);
  });
});
