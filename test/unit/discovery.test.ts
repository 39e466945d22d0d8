import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORIGIN, worker } from "./helpers.ts";

function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return worker(
    new Request(`${ORIGIN}/sse`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }),
  );
}

const rpc = (method: string, params: object = {}, id: number | string = 1) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

describe("plain JSON-RPC on /sse without a token (curl discovery)", () => {
  it("lists the tool catalog", async () => {
    const response = await post(rpc("tools/list"), { Accept: "*/*" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: number; result: { tools: { name: string; annotations: object }[] } };
    expect(body.id).toBe(1);
    const names = body.result.tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["authenticate", "getEmails", "searchEmails", "sendEmail"]));
    const send = body.result.tools.find((tool) => tool.name === "sendEmail");
    // Only what differs from MCP's defaults (not read-only, destructive, not idempotent) is listed.
    expect(send?.annotations).toEqual({ destructiveHint: false });
    const remove = body.result.tools.find((tool) => tool.name === "deleteContact");
    expect(remove?.annotations).toEqual({ idempotentHint: true });
    const read = body.result.tools.find((tool) => tool.name === "getEmails");
    expect(read?.annotations).toEqual({ readOnlyHint: true });
  });

  it("leaves out tools that the runtime config in CONFIG_KV disables", async () => {
    await env.CONFIG_KV.put("runtime-config", JSON.stringify({ disabledTools: ["sendEmail"] }));
    try {
      const body = (await (await post(rpc("tools/list"))).json()) as { result: { tools: { name: string }[] } };
      const names = body.result.tools.map((tool) => tool.name);
      expect(names).toContain("getEmails");
      expect(names).not.toContain("sendEmail");
    } finally {
      await env.CONFIG_KV.delete("runtime-config");
    }
  });

  it("answers initialize with the server's identity and capabilities", async () => {
    const response = await post(
      rpc("initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "curl", version: "1" },
      }),
    );
    const body = (await response.json()) as {
      result: { serverInfo: { name: string }; capabilities: Record<string, unknown> };
    };
    expect(body.result.serverInfo.name).toBe("m365-mcp-server");
    expect(body.result.capabilities).toHaveProperty("tools");
    expect(body.result.capabilities).toHaveProperty("resources");
  });

  it("lists resources and prompts", async () => {
    const resources = (await (await post(rpc("resources/list"))).json()) as {
      result: { resources: { uri: string }[] };
    };
    expect(resources.result.resources.map((resource) => resource.uri)).toContain("microsoft://profile");
    const prompts = (await (await post(rpc("prompts/list"))).json()) as { result: { prompts: { name: string }[] } };
    expect(prompts.result.prompts.length).toBeGreaterThan(0);
  });

  it("refuses tools/call with 401 and the challenge that starts OAuth", async () => {
    const response = await post(rpc("tools/call", { name: "getEmails", arguments: {} }, "call-1"));
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain(
      `resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource"`,
    );
    const body = (await response.json()) as { id: string; error: { code: number; message: string } };
    expect(body.id).toBe("call-1");
    expect(body.error.message).toMatch(/Authentication required/);
  });

  it("gives a parse error for a body that is not JSON", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it("refuses batches, wrong versions, bad ids and bad params with specific messages", async () => {
    const cases: [string, RegExp][] = [
      [`[${rpc("tools/list")}]`, /batches are not supported/],
      [JSON.stringify({ jsonrpc: "1.0", id: 1, method: "tools/list" }), /"jsonrpc" must be "2.0"/],
      [JSON.stringify({ jsonrpc: "2.0", id: { x: 1 }, method: "tools/list" }), /"id" must be a string or a number/],
      [JSON.stringify({ jsonrpc: "2.0", id: 1, method: 42 }), /"method" must be a string/],
      [JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: "x" }), /"params" must be an object/],
      [JSON.stringify({ jsonrpc: "2.0", id: 1 }), /missing "method"/],
      ["42", /expected a JSON-RPC 2.0 object/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message, body).toMatch(message);
    }
  });

  it("refuses a body over the size limit with 413", async () => {
    const response = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { pad: "x".repeat(5 * 1024 * 1024) } }),
    );
    expect(response.status).toBe(413);
  });

  it("accepts a notification with 202 and no body", async () => {
    const response = await post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });

  it("keeps serving after bad input", async () => {
    await post("}}}");
    const response = await post(rpc("tools/list"));
    expect(response.status).toBe(200);
  });
});

describe("protected endpoints", () => {
  for (const [method, path] of [
    ["POST", "/mcp"],
    ["GET", "/sse"],
  ] as const) {
    it(`${method} ${path} without a token gets 401 naming the resource metadata`, async () => {
      const response = await worker(
        new Request(`${ORIGIN}${path}`, {
          method,
          headers: { Accept: "application/json, text/event-stream", "Content-Type": "application/json" },
          body: method === "POST" ? rpc("initialize") : undefined,
        }),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(
        /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource"/,
      );
    });
  }

  it("refuses an invalid token with 401 invalid_token", async () => {
    const response = await worker(
      new Request(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: {
          Authorization: "Bearer not-a-real-token",
          Accept: "application/json, text/event-stream",
          "Content-Type": "application/json",
        },
        body: rpc("tools/list"),
      }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain("invalid_token");
  });

  it("publishes protected-resource and authorization-server metadata", async () => {
    const resource = (await (
      await worker(new Request(`${ORIGIN}/.well-known/oauth-protected-resource`))
    ).json()) as Record<string, unknown>;
    expect(resource.authorization_servers).toEqual([ORIGIN]);
    const server = (await (
      await worker(new Request(`${ORIGIN}/.well-known/oauth-authorization-server`))
    ).json()) as Record<string, unknown>;
    expect(server.authorization_endpoint).toBe(`${ORIGIN}/authorize`);
    expect(server.registration_endpoint).toBe(`${ORIGIN}/register`);
    expect(server.code_challenge_methods_supported).toEqual(["S256"]);
  });

  it("refuses a browser origin that is not allowed", async () => {
    const response = await worker(
      new Request("https://mcp.example.com/mcp", {
        method: "POST",
        headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
        body: rpc("tools/list"),
      }),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("https://evil.example is not allowed");
  });

  it("answers CORS preflight for an allowed origin", async () => {
    const response = await worker(
      new Request(`${ORIGIN}/mcp`, { method: "OPTIONS", headers: { Origin: "http://localhost:6274" } }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:6274");
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("mcp-session-id");
  });
});

describe("landing page and health", () => {
  it("tells a person how to connect", async () => {
    const html = await (await worker(new Request(`${ORIGIN}/`))).text();
    expect(html).toContain(`${ORIGIN}/mcp`);
    expect(html).toContain("mcp-remote");
    expect(html).toContain("demo tenant");
  });

  it("reports each binding and the Microsoft endpoints", async () => {
    const response = await worker(new Request(`${ORIGIN}/health`));
    const body = (await response.json()) as {
      status: string;
      version: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(body.checks)).toEqual(
      expect.arrayContaining([
        "OAUTH_KV",
        "CONFIG_KV",
        "CACHE_KV",
        "USER_ACCOUNT",
        "MCP_OBJECT",
        "USER_RATE_LIMIT",
        "microsoftIdentity",
        "graph",
      ]),
    );
    expect(body.status).toBe("ok");
    expect(response.status).toBe(200);
  });
});
