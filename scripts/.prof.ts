import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectWithSignIn } from "../test/e2e/mcp-clients.ts";
import { localSecrets, startStack } from "./dev-stack.ts";

const stack = await startStack({ persistTo: mkdtempSync(join(tmpdir(), "prof-")), vars: localSecrets() });
try {
  const { client, provider } = await connectWithSignIn(
    (authProvider) => new StreamableHTTPClientTransport(new URL(`${stack.workerUrl}/mcp`), { authProvider }),
    "adele@contoso.example",
  );
  const token = provider.tokens()!.access_token;
  const session = (client.transport as StreamableHTTPClientTransport).sessionId!;
  const body = (method: string, params = {}) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  const cases: Record<string, () => Promise<Response>> = {
    floor: () => fetch(`${stack.workerUrl}/`),
    health: () => fetch(`${stack.workerUrl}/health`),
    anonPing: () => fetch(`${stack.workerUrl}/sse`, { method: "POST", headers: { "Content-Type": "application/json" }, body: body("ping") }),
    tokenPlainPing: () => fetch(`${stack.workerUrl}/sse`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: body("ping") }),
    sessionPing: () => fetch(`${stack.workerUrl}/mcp`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }, body: body("ping") }),
    sessionCached: () => fetch(`${stack.workerUrl}/mcp`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }, body: body("tools/call", { name: "getEmails", arguments: { count: 10 } }) }),
  };
  for (let round = 0; round < 2; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const times: number[] = [];
      for (let i = 0; i < 150; i++) {
        const t = performance.now();
        const r = await run();
        await r.text();
        if (i >= 20) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(name.padEnd(16), times[Math.floor(times.length / 2)]!.toFixed(2));
    }
  }
  const timings = stack.output().split("\n").filter((l) => l.includes('"timing"')).slice(-40);
  console.log(timings.join("\n"));
  await client.close();
} finally {
  await stack.stop();
}
