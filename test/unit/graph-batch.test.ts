/**
 * GraphClient.batch against the emulator with faults on single items: items
 * Graph throttled or could not serve are sent again in a later round,
 * honouring their Retry-After; others are answered at once; an item that
 * keeps failing, or asks for a longer wait than a call sleeps, comes back as
 * its GraphError.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { GraphClient } from "../../src/graph/client.ts";
import { GraphError } from "../../src/graph/errors.ts";
import type { AccessTokenSource } from "../../src/graph/token-source.ts";
import { signIn as signInToEmulator } from "../emulator/helpers.ts";
import { emulator, emulatorUrl, requestLog } from "./helpers.ts";

/** A Graph client for Adele with a token the emulator issued to the demo app. */
async function client(): Promise<GraphClient> {
  const token = (
    await signInToEmulator(emulatorUrl(env), "adele@contoso.example", "openid Mail.Read Calendars.Read User.Read")
  ).access_token;
  const source: AccessTokenSource = {
    get: async () => ({ ok: true, accessToken: token, expiresAt: Date.now() + 3_600_000, scopes: [] }),
    renewRejected: async () => ({ ok: false, code: "auth_required", message: "no renewal in this test" }),
  };
  return new GraphClient(`${emulatorUrl(env)}/v1.0`, source);
}

const ITEMS = [
  { id: "mail", path: "/me/messages", query: { $top: 1, $select: "subject" } },
  { id: "events", path: "/me/events", query: { $top: 1, $select: "subject" } },
  { id: "me", path: "/me", query: { $select: "displayName" } },
];

const batches = async () => (await requestLog()).filter((entry) => entry.path === "/v1.0/$batch").length;

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("GraphClient.batch", () => {
  it("sends throttled and unavailable items again, waiting out Retry-After, until all are answered", async () => {
    const graph = await client();
    await emulator(env, "faults", {
      match: "^GET /v1\\.0/me/messages$",
      batchItems: true,
      status: 429,
      retryAfterSeconds: 1,
    });
    await emulator(env, "faults", { match: "^GET /v1\\.0/me/events$", batchItems: true, status: 503, count: 2 });
    const started = Date.now();
    const results = await graph.batch(ITEMS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    for (const [id, result] of results) expect(result, id).not.toBeInstanceOf(GraphError);
    expect(results.get("me")).toMatchObject({ displayName: "Adele Vance" });
    expect((results.get("mail") as { value: unknown[] }).value).toHaveLength(1);
    // Round 1: all three; round 2: mail and events; round 3: events.
    expect(await batches()).toBe(3);
    expect(graph.stats.retries).toBe(2);
  });

  it("gives an item that keeps failing back as its error after four rounds, and the others their answers", async () => {
    const graph = await client();
    await emulator(env, "faults", { match: "^GET /v1\\.0/me/events$", batchItems: true, status: 504, count: 100 });
    const results = await graph.batch(ITEMS);
    expect(results.get("events")).toBeInstanceOf(GraphError);
    expect((results.get("events") as GraphError).status).toBe(504);
    expect(results.get("me")).toMatchObject({ displayName: "Adele Vance" });
    expect(await batches()).toBe(4);
  }, 30_000);

  it("does not sleep through a long Retry-After or resend what Graph refused", async () => {
    const graph = await client();
    await emulator(env, "faults", {
      match: "^GET /v1\\.0/me/messages$",
      batchItems: true,
      status: 429,
      retryAfterSeconds: 30,
    });
    await emulator(env, "faults", { match: "^GET /v1\\.0/me/events$", batchItems: true, status: 403 });
    const results = await graph.batch(ITEMS);
    expect(results.get("mail")).toMatchObject({ status: 429, retryAfterSeconds: 30 });
    expect(results.get("events")).toMatchObject({ status: 403 });
    expect(await batches()).toBe(1);
  });
});
