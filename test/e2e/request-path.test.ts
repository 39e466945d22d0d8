/**
 * The request path through `wrangler dev`, as attackers and outsiders meet it:
 * both loopback names sign in, a foreign Host gets a 4xx, a second user's
 * token reaches none of the first user's sessions, and a WebSocket ends when
 * its user signs out.
 */
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, inject, it } from "vitest";
import { connectWithSignIn } from "./mcp-clients.ts";

const workerUrl = inject("workerUrl");
const operatorKey = inject("operatorKey");
const localhostUrl = workerUrl.replace("127.0.0.1", "localhost");

async function signedInHttp(user: string, base = workerUrl) {
  return connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider }),
    user,
  );
}

/** A raw HTTP request with any Host header (fetch may not set one). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(workerUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        // A stream that opened would never end: the first bytes are enough.
        if ((res.headers["content-type"] ?? "").includes("event-stream")) res.destroy();
      });
      res.on("close", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the request path through wrangler dev", () => {
  it("signs in on both loopback names, one after the other", async () => {
    const viaIp = await signedInHttp("adele@contoso.example", workerUrl);
    const viaName = await signedInHttp("megan@contoso.example", localhostUrl);
    for (const [client, user] of [
      [viaIp.client, "adele@contoso.example"],
      [viaName.client, "megan@contoso.example"],
    ] as const) {
      const who = (await client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult;
      expect(who.structuredContent).toMatchObject({ username: user });
      await client.close();
    }
  });

  it("answers a foreign Host with 421, and a DNS-rebinding page gets no CORS grant", async () => {
    for (const [method, path] of [
      ["GET", "/.well-known/oauth-protected-resource"],
      ["POST", "/mcp"],
      ["GET", "/sse"],
    ] as const) {
      const response = await rawRequest(
        method,
        path,
        { Host: "evil.example.com", Accept: "application/json, text/event-stream", "Content-Type": "application/json" },
        method === "POST" ? '{"jsonrpc":"2.0","id":1,"method":"ping"}' : undefined,
      );
      expect(response.status, path).toBe(421);
    }
    const rebinding = await rawRequest(
      "POST",
      "/mcp",
      {
        Host: "evil.example.com",
        Origin: "http://evil.example.com",
        Accept: "application/json, text/event-stream",
        "Content-Type": "application/json",
      },
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    );
    expect(rebinding.status).toBe(421);
    expect(rebinding.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("a second user's token reaches none of the first user's sessions: Streamable HTTP and legacy SSE", async () => {
    const adele = await signedInHttp("adele@contoso.example");
    const megan = await signedInHttp("megan@contoso.example");
    const meganToken = megan.provider.tokens()!.access_token;
    const adeleSession = (adele.client.transport as StreamableHTTPClientTransport).sessionId!;
    const hijack = await fetch(`${workerUrl}/mcp`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${meganToken}`,
        Accept: "application/json, text/event-stream",
        "Content-Type": "application/json",
        "mcp-session-id": adeleSession,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 9,
        method: "tools/call",
        params: { name: "authenticate", arguments: {} },
      }),
    });
    expect(hijack.status).toBe(404);

    // Adele's legacy SSE session, addressed by Megan with a session header added.
    const adeleSse = new SSEClientTransport(new URL(`${workerUrl}/sse`), { authProvider: adele.provider });
    const sseClient = new Client({ name: "e2e-sse", version: "1.0.0" });
    await sseClient.connect(adeleSse);
    // The SDK keeps the endpoint the server announced privately; the session id is in it.
    const sessionId = (adeleSse as unknown as { _endpoint: URL })._endpoint.searchParams.get("sessionId")!;
    const posted = await fetch(`${workerUrl}/sse/message?sessionId=${sessionId}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${meganToken}`, "Content-Type": "application/json", "mcp-session-id": "x" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 9,
        method: "tools/call",
        params: { name: "authenticate", arguments: {} },
      }),
    });
    expect(posted.status).toBe(404);
    const own = (await sseClient.callTool({ name: "authenticate", arguments: {} })) as CallToolResult;
    expect(own.structuredContent).toMatchObject({ username: "adele@contoso.example" });
    await Promise.all([sseClient.close(), adele.client.close(), megan.client.close()]);
  });

  it("a WebSocket ends when its user signs out, and does not come back with the next sign-in", async () => {
    const { provider, client: http } = await signedInHttp("alex@contoso.example");
    await http.close();
    const token = provider.tokens()!.access_token;
    const wsUrl = new URL(`${workerUrl.replace(/^http/, "ws")}/sse`);
    wsUrl.searchParams.set("access_token", token);
    const transport = new WebSocketClientTransport(wsUrl);
    const client = new Client({ name: "e2e-ws", version: "1.0.0" });
    const closed = new Promise<void>((resolve) => {
      client.onclose = resolve;
    });
    await client.connect(transport);
    expect(((await client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult).isError).toBeFalsy();
    const logout = await fetch(`${workerUrl}/logout`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(200);
    await closed;
    const again = await signedInHttp("alex@contoso.example");
    await expect(client.callTool({ name: "authenticate", arguments: {} })).rejects.toThrow();
    await again.client.close();
  });

  it("a replayed refresh token ends that grant's WebSocket; the same user's other client keeps working", async () => {
    const first = await signedInHttp("alex@contoso.example");
    await first.client.close();
    const clientId = first.provider.clientInformation()!.client_id;
    const refresh = async (refreshToken: string) => {
      const response = await fetch(`${workerUrl}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { access_token: string; refresh_token: string },
      };
    };
    // RT1 → RT2 → RT3: RT1 is then neither current nor the grace token.
    const rt1 = first.provider.tokens()!.refresh_token!;
    const second = await refresh(rt1);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);

    const wsUrl = new URL(`${workerUrl.replace(/^http/, "ws")}/sse`);
    wsUrl.searchParams.set("access_token", third.body.access_token);
    const socket = new Client({ name: "e2e-ws", version: "1.0.0" });
    const closed = new Promise<void>((resolve) => {
      socket.onclose = resolve;
    });
    await socket.connect(new WebSocketClientTransport(wsUrl));
    expect(((await socket.callTool({ name: "authenticate", arguments: {} })) as CallToolResult).isError).toBeFalsy();
    const other = await signedInHttp("alex@contoso.example");

    const replay = await refresh(rt1);
    expect(replay.status).toBe(400);
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error("the grant's socket is still open")), 10_000)),
    ]);
    await expect(socket.callTool({ name: "authenticate", arguments: {} })).rejects.toThrow();
    const stillThere = (await other.client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult;
    expect(stillThere.isError).toBeFalsy();
    await other.client.close();
  });

  it("npm run forget-user removes a person by their sign-in name: their clients are signed out and a rerun finds no one", async () => {
    const forget = (user: string, key = operatorKey) =>
      promisify(execFile)(process.execPath, ["scripts/forget-user.ts", user, "--url", workerUrl], {
        env: { ...process.env, OPERATOR_KEY: key },
      }).then(
        ({ stdout }) => ({ code: 0, out: stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stderr }),
      );
    const { client, provider } = await signedInHttp("alex@contoso.example");
    const wrongKey = await forget("Alex@Contoso.example", "not-the-operator-key");
    expect(wrongKey).toMatchObject({ code: 1, out: expect.stringContaining("401 invalid_token") });
    expect(((await client.callTool({ name: "authenticate", arguments: {} })) as CallToolResult).isError).toBeFalsy();

    const forgotten = await forget("Alex@Contoso.example");
    expect(forgotten.code).toBe(0);
    // Earlier tests left Alex signed in from other clients too: every one of them goes.
    const [, grants, sessions] =
      /^Forgot Alex@Contoso\.example at .*: (\d+) grant\(s\) revoked, (\d+) session\(s\) ended/.exec(forgotten.out) ??
      [];
    expect(Number(grants)).toBeGreaterThanOrEqual(1);
    expect(Number(sessions)).toBeGreaterThanOrEqual(1);
    await expect(client.callTool({ name: "authenticate", arguments: {} })).rejects.toThrow();
    const refused = await fetch(`${workerUrl}/mcp`, {
      method: "POST",
      headers: { Authorization: `Bearer ${provider.tokens()!.access_token}`, "Content-Type": "application/json" },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(refused.status).toBe(401);
    expect(await forget("alex@contoso.example")).toMatchObject({
      code: 1,
      out: expect.stringContaining("unknown_user"),
    });
  });
});
