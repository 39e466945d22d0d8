/**
 * What the deployment records holds no secret and no personal data: after a
 * sign-in, a search, a read of mail and a send, wrangler dev's log (every
 * line the Worker and its objects print, what Workers Logs would keep) holds
 * no OAuth code or state, no token, no session id, no address and no search
 * term; and the deployment template keeps platform traces and invocation
 * logs, which cannot be redacted, off.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  localSecrets,
  WHOLE_CATALOG_AT_SIGN_IN,
  ROOT,
  startStack,
  type RunningStack,
} from "../../scripts/dev-stack.ts";
import { connectWithSignIn } from "./mcp-clients.ts";

let stack: RunningStack;
let state: string;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "m365-logs-"));
  stack = await startStack({ persistTo: state, vars: { ...localSecrets(), ...WHOLE_CATALOG_AT_SIGN_IN } });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe("logs and traces", () => {
  it("after sign-in, search, reads and a send, the log holds no code, token, session id, address or search term", async () => {
    const { client, provider } = await connectWithSignIn(
      (authProvider) => new StreamableHTTPClientTransport(new URL(`${stack.workerUrl}/mcp`), { authProvider }),
      "megan@contoso.example",
    );
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const searchTerm = "quarterly zebra forecast";
    const calls: [string, Record<string, unknown>][] = [
      ["searchMicrosoft365", { query: searchTerm }],
      ["getEmails", { count: 5 }],
      ["sendEmail", { to: ["adele@contoso.example"], subject: "Budget notes", body: "See the forecast." }],
    ];
    for (const [name, args] of calls) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
    }
    await client.close();
    // Let the last lines reach the log.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const log = stack.output();

    const tokens = provider.tokens()!;
    const secrets: Record<string, string> = {
      "access token": tokens.access_token,
      "access token's secret part": tokens.access_token.split(":")[2]!,
      "refresh token": tokens.refresh_token!,
      "session id": sessionId,
      "the user's address": "megan@contoso.example",
      "a recipient's address": "adele@contoso.example",
      "the search term": searchTerm,
      "a mail subject": "Budget notes",
      "the OAuth code verifier": provider.codeVerifier(),
    };
    for (const [what, value] of Object.entries(secrets)) expect(log.includes(value), what).toBe(false);
    // The sign-in's callback was logged, with its code and state replaced.
    expect(log).toMatch(/"path":"\/callback\?code=\[redacted\]&state=\[redacted\]/);
    expect(log).not.toMatch(/[?&]code=(?!\[redacted\])[^&"\s]+/);
    expect(log).toContain('"event":"tool_call"');
  });

  it("the deployment template keeps traces and invocation logs off", () => {
    const template = readFileSync(join(ROOT, "wrangler.example.toml"), "utf8");
    const section = (name: string) =>
      new RegExp(`^\\[${name.replace(/\./g, "\\.")}\\]\\n([^[]*)`, "m").exec(template)?.[1] ?? "";
    expect(section("observability.traces")).toMatch(/^enabled = false$/m);
    expect(section("observability.logs")).toMatch(/^invocation_logs = false$/m);
    expect(readFileSync(join(ROOT, "wrangler.toml"), "utf8")).not.toMatch(
      /^\[observability\.traces\]\s*\nenabled = true/m,
    );
  });
});
