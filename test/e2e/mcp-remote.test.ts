import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, ROOT } from "../../scripts/dev-stack.ts";
import { completeAuthorization, HeadlessBrowser } from "../support/headless-browser.ts";

const workerUrl = inject("workerUrl");
const configDir = mkdtempSync(join(tmpdir(), "mcp-remote-"));

afterAll(() => rmSync(configDir, { recursive: true, force: true }));

describe("mcp-remote, the stdio bridge Claude Desktop uses", () => {
  it("signs in through the printed URL and calls getEmails over stdio", async () => {
    const callbackPort = await freePort();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "node_modules/mcp-remote/dist/proxy.js"), `${workerUrl}/mcp`, String(callbackPort)],
      env: { ...(process.env as Record<string, string>), MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: "none" },
      stderr: "pipe",
    });
    let stderr = "";
    const authorizationUrl = new Promise<string>((resolve) => {
      transport.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Please authorize this client by visiting:\s*(\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
    });
    const client = new Client({ name: "claude-desktop-stand-in", version: "1.0.0" });
    const connecting = client.connect(transport);

    // The person's part: open the URL mcp-remote printed, approve, sign in with Microsoft.
    const browser = new HeadlessBrowser();
    const redirect = await completeAuthorization(browser, await authorizationUrl, { user: "adele@contoso.example" });
    expect(redirect.pathname).toBe("/oauth/callback");
    const callback = await browser.request(redirect.toString());
    expect(callback.status).toBe(200);
    await callback.body?.cancel();

    await connecting;
    const result = (await client.callTool({ name: "getEmails", arguments: { count: 2 } })) as CallToolResult;
    expect(result.isError, stderr).toBeFalsy();
    const part = result.content[0];
    expect(part?.type === "text" ? part.text : "").toMatch(/^Inbox: 2 messages/);
    await client.close();
  }, 90_000);
});
