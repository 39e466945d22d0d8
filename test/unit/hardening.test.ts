/**
 * Deployment modes (READ_ONLY, presets, runtime flags) and the OAuth rules
 * the server enforces for MCP clients.
 */
import { env } from "cloudflare:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectTools } from "../../src/config.ts";
import { enabledTools, graphScopes, TOOLS, workloadOf } from "../../src/tools/catalog.ts";
import { testBrowser } from "./helpers.ts";
import { connectClient, emulator, ORIGIN, signIn, worker } from "./helpers.ts";
import { authorizationUrl, pkcePair, registerClient } from "../support/oauth-client.ts";

const names = (tools: readonly { name: string }[]) => tools.map((tool) => tool.name);

async function listedTools(): Promise<string[]> {
  const response = await worker(
    new Request(`${ORIGIN}/sse`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    }),
  );
  const body = (await response.json()) as { result: { tools: { name: string }[] } };
  return names(body.result.tools);
}

describe("deployment modes", () => {
  afterEach(async () => {
    await env.CONFIG_KV.delete("runtime-config");
  });

  it("READ_ONLY offers only read tools and signs in with read permissions only", () => {
    const readOnly = enabledTools({ READ_ONLY: "true" });
    expect(readOnly.length).toBeGreaterThan(2);
    expect(readOnly.filter((tool) => tool.access === "write").map((tool) => tool.name)).toEqual(["logout"]);
    expect(graphScopes(readOnly)).not.toContain("Mail.Send");
    expect(graphScopes(enabledTools({}))).toContain("Mail.Send");
  });

  it("TOOL_PRESET and ENABLED_TOOLS narrow the catalog; authenticate and logout stay", () => {
    const mail = enabledTools({ TOOL_PRESET: "mail" });
    expect(mail.every((tool) => ["mail", "core"].includes(workloadOf(tool)))).toBe(true);
    expect(names(mail)).toEqual(expect.arrayContaining(["authenticate", "logout", "getEmails", "sendEmail"]));
    expect(names(enabledTools({ ENABLED_TOOLS: "getEmails" }))).toEqual(["authenticate", "logout", "getEmails"]);
    expect(names(enabledTools({ TOOL_PRESET: "all" }))).toEqual(names(TOOLS));
  });

  it("runtime flags in CONFIG_KV turn off heavy search tools and large listings", () => {
    const tools = [
      { name: "searchMicrosoft365", access: "read" as const },
      { name: "getEmails", access: "read" as const },
    ];
    const off = selectTools(
      tools,
      () => "x",
      {},
      {
        disabledTools: [],
        readOnly: false,
        flags: { search: false, largeListings: true },
      },
    );
    expect(names(off)).toEqual(["getEmails"]);
  });

  it("applies a runtime config change to sessions already open, without a redeploy", async () => {
    await emulator(env, "reset", {});
    const client = await connectClient((await signIn()).access_token);
    const call = (name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
    expect((await call("getEmails", { count: 20, fresh: true })).structuredContent).toMatchObject({
      messages: expect.any(Array),
    });

    await env.CONFIG_KV.put(
      "runtime-config",
      JSON.stringify({ readOnly: true, flags: { largeListings: false }, disabledTools: ["searchEmails"] }),
    );
    const send = await call("sendEmail", { to: ["megan@contoso.example"], subject: "x", body: "y" });
    expect(send.content).toEqual([{ type: "text", text: expect.stringMatching(/forbidden.*turned off/s) }]);
    const search = await call("searchEmails", { query: "budget" });
    expect(search.isError).toBe(true);
    const listing = (await call("getEmails", { count: 20, fresh: true })).structuredContent as { messages: unknown[] };
    expect(listing.messages).toHaveLength(10);
    expect(await listedTools()).not.toContain("sendEmail");
  });
});

describe("OAuth rules for MCP clients", () => {
  beforeEach(async () => {
    await emulator(env, "reset", {});
  });

  const register = (redirectUris: string[]) =>
    worker(
      new Request(`${ORIGIN}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          client_name: "Rules",
          redirect_uris: redirectUris,
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
        }),
      }),
    );

  it("registers https and loopback http redirect URIs, and refuses remote http", async () => {
    expect((await register(["https://app.example/callback"])).status).toBe(201);
    expect((await register(["http://127.0.0.1:7777/cb"])).status).toBe(201);
    expect((await register(["http://localhost:7777/cb"])).status).toBe(201);
    const remote = await register(["http://evil.example/cb"]);
    expect(remote.status).toBe(400);
    expect(await remote.json()).toMatchObject({
      error: expect.stringMatching(/^invalid_(redirect_uri|client_metadata)$/),
      error_description: expect.stringMatching(/https, or http on a loopback host/),
    });
  });

  it("requires PKCE S256: plain and missing challenges are refused", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const plain = new URL(authorizationUrl(ORIGIN, client, challenge));
    plain.searchParams.set("code_challenge_method", "plain");
    const plainResponse = await worker(new Request(plain, { redirect: "manual" }));
    expect(plainResponse.status).toBe(302);
    expect(new URL(plainResponse.headers.get("Location")!).searchParams.get("error")).toBe("invalid_request");
    const missing = new URL(authorizationUrl(ORIGIN, client, challenge));
    missing.searchParams.delete("code_challenge");
    missing.searchParams.delete("code_challenge_method");
    const missingResponse = await worker(new Request(missing, { redirect: "manual" }));
    expect(new URL(missingResponse.headers.get("Location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("sets consent cookies that are host-only, secure, HttpOnly and expiring, and binds Microsoft's state to the browser", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const browser = testBrowser();
    const page = await browser.request(authorizationUrl(ORIGIN, client, challenge));
    expect(page.status).toBe(200);
    const cookies = page.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-/);
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*(Max-Age=\d+|Expires=)/i);
    }
    // Microsoft's answer reaching /callback in another browser (no binding cookie) is refused.
    const callback = await worker(new Request(`${ORIGIN}/callback?code=abc&state=stolen-state`));
    expect(callback.status).toBe(400);
    expect(callback.headers.get("Location")).toBeNull();
  });

  it("sends authorization parameters to Microsoft URL-encoded", async () => {
    const client = await registerClient(worker, ORIGIN);
    const { challenge } = await pkcePair();
    const browser = testBrowser();
    const page = await browser.request(authorizationUrl(ORIGIN, client, challenge));
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(handle).toBeTruthy();
    const approved = await browser.request(`${ORIGIN}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ handle: handle!, decision: "approve" }),
    });
    expect(approved.status).toBe(302);
    const microsoft = new URL(approved.headers.get("Location")!);
    expect(microsoft.searchParams.get("code_challenge_method")).toBe("S256");
    expect(microsoft.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/callback`);
    expect(microsoft.searchParams.get("scope")).toContain("offline_access");
    expect(approved.headers.get("Location")).not.toMatch(/ /);
  });
});
