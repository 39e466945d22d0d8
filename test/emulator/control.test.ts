import type { Message } from "@microsoft/microsoft-graph-types";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../emulator/state.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { ADELE } from "../../emulator/tenant.ts";
import {
  control,
  graph,
  postJson,
  signIn,
  tokenRequest,
  type EntraErrorBody,
  type GraphErrorBody,
  type Tokens,
} from "./helpers.ts";

let emulator: RunningEmulator;
let adele: Tokens;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  adele = await signIn(emulator.url);
});
afterAll(() => emulator.close());

function addFault(spec: Record<string, unknown>): Promise<{ id: string }> {
  return control<{ id: string }>(emulator.url, "faults", spec);
}

describe("health and landing page", () => {
  it("answers health checks and explains itself at /", async () => {
    expect(await control(emulator.url, "health")).toEqual({ ok: true });
    const landing = await fetch(`${emulator.url}/`);
    expect(landing.headers.get("content-type")).toContain("text/html");
    const html = await landing.text();
    expect(html).toContain("Microsoft emulator");
    expect(html).toContain("adele@contoso.example");
  });

  it("answers unknown control routes with 404 and the list of routes", async () => {
    const response = await fetch(`${emulator.url}/_emulator/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { routes: string[] }).routes).toContain("POST /faults");
  });
});

describe("faults", () => {
  it("throttles matching requests with 429 and Retry-After for `count` requests, then recovers", async () => {
    const { id } = await addFault({ match: "GET /v1.0/me/messages", status: 429, retryAfterSeconds: 7, count: 2 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await graph(emulator.url, adele.access_token, "/me/messages?$top=1");
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(response.headers.get("request-id")).toBeTruthy();
      expect(((await response.json()) as GraphErrorBody).error.code).toBe("TooManyRequests");
    }
    expect((await graph(emulator.url, adele.access_token, "/me/messages?$top=1")).status).toBe(200);
    expect((await graph(emulator.url, adele.access_token, "/me")).status).toBe(200);
    const [fault] = await control<{ id: string; remaining: number }[]>(emulator.url, "faults");
    expect(fault).toMatchObject({ id, remaining: 0 });
  });

  it("answers 503 and 504 with Graph's bodies, Retry-After only when set", async () => {
    await addFault({ match: "POST /v1.0/me/sendMail", status: 503, retryAfterSeconds: 2 });
    await addFault({ match: "GET /v1.0/me$", status: 504 });
    const unavailable = await postJson(emulator.url, adele.access_token, "/me/sendMail", {});
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("2");
    expect(((await unavailable.json()) as GraphErrorBody).error.code).toBe("ServiceNotAvailable");
    const timeout = await graph(emulator.url, adele.access_token, "/me");
    expect(timeout.status).toBe(504);
    expect(timeout.headers.get("retry-after")).toBeNull();
    expect(((await timeout.json()) as GraphErrorBody).error.code).toBe("GatewayTimeout");
  });

  it("matches by regular expression and answers a custom body when given", async () => {
    await addFault({
      match: "^GET /v1\\.0/me/mailFolders/[^/]+/messages$",
      status: 500,
      count: 3,
      body: { error: { code: "Custom" } },
    });
    const response = await graph(emulator.url, adele.access_token, "/me/mailFolders/inbox/messages");
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "Custom" } });
    expect((await graph(emulator.url, adele.access_token, "/me/mailFolders/inbox")).status).toBe(200);
    expect((await graph(emulator.url, adele.access_token, "/me/messages")).status).toBe(200);
  });

  it("faults the token endpoint with Entra's error shape", async () => {
    await addFault({ match: "POST /common/oauth2/v2.0/token", status: 503, retryAfterSeconds: 1 });
    const refused = await tokenRequest(emulator.url, {
      grant_type: "refresh_token",
      refresh_token: adele.refresh_token!,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as EntraErrorBody).error).toBe("temporarily_unavailable");
    expect(
      (await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: adele.refresh_token! })).status,
    ).toBe(200);
  });

  it("delays matching responses by latencyMs and nothing else", async () => {
    await addFault({ match: "GET /v1.0/me", latencyMs: 400, count: 1 });
    let started = performance.now();
    expect((await graph(emulator.url, adele.access_token, "/me")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    started = performance.now();
    expect((await graph(emulator.url, adele.access_token, "/me")).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(300);
  });

  it("combines latency with a status", async () => {
    await addFault({ match: "GET /v1.0/me", latencyMs: 250, status: 504 });
    const started = performance.now();
    expect((await graph(emulator.url, adele.access_token, "/me")).status).toBe(504);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("refuses invalid faults and clears them all on DELETE", async () => {
    for (const spec of [
      {},
      { match: "GET /v1.0/me" },
      { match: "GET /v1.0/me", status: 200 },
      { match: "x", status: 429, count: 0 },
    ]) {
      const response = await fetch(`${emulator.url}/_emulator/faults`, { method: "POST", body: JSON.stringify(spec) });
      expect(response.status, JSON.stringify(spec)).toBe(400);
    }
    await addFault({ match: "GET /v1.0/me", status: 429, count: 100 });
    expect(await control(emulator.url, "faults", undefined, "DELETE")).toEqual({ cleared: 1 });
    expect((await graph(emulator.url, adele.access_token, "/me")).status).toBe(200);
  });
});

describe("request log", () => {
  it("records method, path, query, status, user and time, without control calls", async () => {
    await control(emulator.url, "requests", undefined, "DELETE");
    await graph(emulator.url, adele.access_token, "/me/messages?$top=2&$select=subject");
    await postJson(emulator.url, adele.access_token, "/me/sendMail", {
      message: { subject: "Logged", toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }] },
    });
    await fetch(`${emulator.url}/v1.0/me`);
    const log = await control<LoggedRequest[]>(emulator.url, "requests");
    expect(log).toEqual([
      {
        method: "GET",
        path: "/v1.0/me/messages",
        query: "$top=2&$select=subject",
        status: 200,
        userId: ADELE.id,
        at: expect.any(String),
      },
      { method: "POST", path: "/v1.0/me/sendMail", query: "", status: 202, userId: ADELE.id, at: expect.any(String) },
      { method: "GET", path: "/v1.0/me", query: "", status: 401, at: expect.any(String) },
    ]);
    expect(Date.now() - Date.parse(log[0]!.at)).toBeLessThan(10_000);
  });

  it("lets tests count token-endpoint calls and sees which fault answered", async () => {
    await control(emulator.url, "requests", undefined, "DELETE");
    const { id } = await addFault({ match: "/oauth2/v2.0/token", status: 429 });
    await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: adele.refresh_token! });
    await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: adele.refresh_token! });
    const calls = (await control<LoggedRequest[]>(emulator.url, "requests")).filter(
      (entry) => entry.path === "/common/oauth2/v2.0/token",
    );
    expect(calls.map((entry) => [entry.status, entry.faultId, entry.userId])).toEqual([
      [429, id, undefined],
      [200, undefined, ADELE.id],
    ]);
  });

  it("keeps the last 5000 requests", async () => {
    await control(emulator.url, "requests", undefined, "DELETE");
    for (let batch = 0; batch < 51; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => fetch(`${emulator.url}/v1.0/me?n=${batch * 100 + i}`)));
    }
    const log = await control<LoggedRequest[]>(emulator.url, "requests");
    expect(log).toHaveLength(5000);
    const numbers = log.map((entry) => Number(new URLSearchParams(entry.query).get("n")));
    expect(Math.min(...numbers)).toBe(100);
  });
});

describe("reset", () => {
  it("restores the seed: sent mail, tokens, faults and the log", async () => {
    const megan = await signIn(emulator.url, "megan@contoso.example");
    const inboxBefore = (
      (await (await graph(emulator.url, megan.access_token, "/me/mailFolders/inbox/messages?$top=1")).json()) as {
        value: Message[];
      }
    ).value[0]!;
    await postJson(emulator.url, adele.access_token, "/me/sendMail", {
      message: { subject: "Before reset", toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }] },
    });
    await addFault({ match: "GET /v1.0/me/mailFolders", status: 503, count: 10 });
    expect((await control<LoggedRequest[]>(emulator.url, "requests")).length).toBeGreaterThan(0);

    await control(emulator.url, "reset", {});
    expect(await control(emulator.url, "requests")).toEqual([]);
    expect(await control(emulator.url, "faults")).toEqual([]);
    expect((await graph(emulator.url, megan.access_token, "/me")).status).toBe(401);
    const again = await signIn(emulator.url, "megan@contoso.example");
    const inboxAfter = (
      (await (await graph(emulator.url, again.access_token, "/me/mailFolders/inbox/messages?$top=1")).json()) as {
        value: Message[];
      }
    ).value[0]!;
    expect(inboxAfter.id).toBe(inboxBefore.id);
    expect(inboxAfter.subject).not.toBe("Before reset");
    expect(
      (await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: again.refresh_token! })).status,
    ).toBe(200);
    expect(
      (await tokenRequest(emulator.url, { grant_type: "refresh_token", refresh_token: megan.refresh_token! })).status,
    ).toBe(400);
  });
});

describe("request log file", () => {
  it("appends every logged request, with Prefer and $batch contents, to a file that outlives reset", async () => {
    const directory = mkdtempSync(join(tmpdir(), "emulator-log-"));
    const file = join(directory, "requests.jsonl");
    const logging = await startEmulator({ port: 0, requestLogFile: file });
    try {
      const token = (await signIn(logging.url)).access_token;
      await graph(logging.url, token, "/me/messages?$top=1", {
        headers: { Prefer: 'outlook.body-content-type="text"' },
      });
      await control(logging.url, "reset", {});
      await postJson(logging.url, token, "/$batch", { requests: [{ id: "1", method: "GET", url: "/me" }] });
      const lines = readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LoggedRequest);
      const messages = lines.find((line) => line.path === "/v1.0/me/messages")!;
      expect(messages).toMatchObject({ query: "$top=1", headers: { prefer: 'outlook.body-content-type="text"' } });
      expect(lines.find((line) => line.path === "/v1.0/$batch")?.batch).toEqual([{ method: "GET", url: "/me" }]);
      expect(await control<LoggedRequest[]>(logging.url, "requests")).toHaveLength(1);
    } finally {
      await logging.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
