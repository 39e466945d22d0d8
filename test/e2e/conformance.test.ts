/**
 * The MCP conformance suite's server scenarios against `wrangler dev`, signed
 * in as a demo user: the suite sends no token, so a forwarding proxy in the
 * harness adds the one a real sign-in against the emulator returned.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBearerProxy, type BearerProxy } from "../support/bearer-proxy.ts";
import { completeAuthorization, HeadlessBrowser } from "../support/headless-browser.ts";
import {
  authorizationUrl,
  exchangeCode,
  pkcePair,
  registerClient,
  type TokenResponse,
} from "../support/oauth-client.ts";

const workerUrl = inject("workerUrl");

/** Scenarios that must pass: the ones that need none of the suite's fixture tools, resources or prompts. */
const PASSING = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "tools-list",
  "resources-list",
  "prompts-list",
  "server-sse-multiple-streams",
  "dns-rebinding-protection",
];

/**
 * Scenarios that fail, each for the reason given: the suite's failure text
 * must match `because`, so a scenario that fails some other way (a 401, a
 * 500, a timeout) is not taken for an expected failure.
 */
const EXPECTED_FAILURES: Record<string, { reason: string; because: RegExp }> = {
  "tools-call-simple-text": {
    reason:
      "calls the fixture tool test_simple_text; an unknown tool is a protocol error (-32602), which the suite counts as a failure",
    because: /Tool test_simple_text not found/,
  },
  "tools-call-error": {
    reason: "calls the fixture tool test_error_handling, unknown here, as tools-call-simple-text",
    because: /Tool test_error_handling not found/,
  },
  "completion-complete": {
    reason:
      "completes an argument of the fixture prompt test_prompt_with_arguments; the server declares no completions (none of its prompt arguments has a closed set of values), so -32601 is the right answer",
    because: /Method not found/,
  },
  "tools-call-image": {
    reason: "calls the fixture tool test_image_content",
    because: /Tool test_image_content not found/,
  },
  "tools-call-audio": {
    reason: "calls the fixture tool test_audio_content",
    because: /Tool test_audio_content not found/,
  },
  "tools-call-embedded-resource": {
    reason: "calls the fixture tool test_embedded_resource",
    because: /Tool test_embedded_resource not found/,
  },
  "tools-call-mixed-content": {
    reason: "calls the fixture tool test_multiple_content_types",
    because: /Tool test_multiple_content_types not found/,
  },
  "tools-call-with-logging": {
    reason: "calls the fixture tool test_tool_with_logging (setting the level itself passes, see logging-set-level)",
    because: /Tool test_tool_with_logging not found/,
  },
  "tools-call-with-progress": {
    reason: "calls the fixture tool test_tool_with_progress",
    because: /Tool test_tool_with_progress not found/,
  },
  "tools-call-sampling": { reason: "calls the fixture tool test_sampling", because: /Tool test_sampling not found/ },
  "tools-call-elicitation": {
    reason: "calls the fixture tool test_elicitation",
    because: /Tool test_elicitation not found/,
  },
  "elicitation-sep1034-defaults": {
    reason: "calls the fixture tool test_elicitation_sep1034_defaults",
    because: /Tool test_elicitation_sep1034_defaults not found/,
  },
  "elicitation-sep1330-enums": {
    reason: "calls the fixture tool test_elicitation_sep1330_enums",
    because: /Tool test_elicitation_sep1330_enums not found/,
  },
  "json-schema-2020-12": {
    reason: "looks for the fixture tool json_schema_2020_12_tool (a pending scenario)",
    because: /Tool 'json_schema_2020_12_tool' not found/,
  },
  "server-sse-polling": {
    reason:
      "expects POST streams to open with an SSE priming event and a retry field, which only resumable streams carry (this server's are not); it then calls the fixture tool test_reconnection (a pending scenario)",
    because: /did not send priming event/,
  },
  "resources-read-text": {
    reason: "reads the fixture resource test://static-text",
    because: /Resource test:\/\/static-text not found/,
  },
  "resources-read-binary": {
    reason: "reads the fixture resource test://static-binary",
    because: /Resource test:\/\/static-binary not found/,
  },
  "resources-templates-read": {
    reason: "reads the fixture template test://template/{id}/data",
    because: /Resource test:\/\/template\/123\/data not found/,
  },
  "resources-subscribe": {
    reason:
      "subscribes to the fixture resource test://watched-resource; the server declares no resource subscriptions, so -32601 is the right answer",
    because: /Method not found/,
  },
  "resources-unsubscribe": {
    reason: "as resources-subscribe",
    because: /Method not found/,
  },
  "prompts-get-simple": {
    reason: "gets the fixture prompt test_simple_prompt",
    because: /Prompt test_simple_prompt not found/,
  },
  "prompts-get-with-args": {
    reason: "gets the fixture prompt test_prompt_with_arguments",
    because: /Prompt test_prompt_with_arguments not found/,
  },
  "prompts-get-embedded-resource": {
    reason: "gets the fixture prompt test_prompt_with_embedded_resource",
    because: /Prompt test_prompt_with_embedded_resource not found/,
  },
  "prompts-get-with-image": {
    reason: "gets the fixture prompt test_prompt_with_image",
    because: /Prompt test_prompt_with_image not found/,
  },
};
const suiteCli = createRequire(import.meta.url).resolve("@modelcontextprotocol/conformance/dist/index.js");

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
}

/** Signs in as `user` the way an MCP client does (registration, PKCE, consent, Microsoft) and returns the access token. */
async function signIn(user: string): Promise<string> {
  const fetcher = (request: Request) => fetch(request);
  const client = await registerClient(fetcher, workerUrl);
  const { verifier, challenge } = await pkcePair();
  const redirect = await completeAuthorization(new HeadlessBrowser(), authorizationUrl(workerUrl, client, challenge), {
    user,
  });
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`sign-in ended without a code: ${redirect}`);
  const response = await exchangeCode(fetcher, workerUrl, client, code, verifier);
  if (response.status !== 200) throw new Error(`token exchange: ${response.status} ${await response.text()}`);
  return ((await response.json()) as TokenResponse).access_token;
}

/** Runs every server scenario once (the pending ones too); the checks of each scenario, by name. */
async function runSuite(serverUrl: string, outputDir: string): Promise<Map<string, Check[]>> {
  const child = spawn(process.execPath, [suiteCli, "server", "--suite", "all", "--url", serverUrl, "-o", outputDir], {
    stdio: ["ignore", "pipe", "pipe"],
    // A scenario that hangs ends the run rather than outliving the test.
    timeout: 240_000,
  });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await new Promise((resolve) => child.once("exit", resolve));
  const results = new Map<string, Check[]>();
  for (const entry of readdirSync(outputDir)) {
    // server-<scenario>-<ISO timestamp with : and . replaced by ->
    const scenario = entry.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
    results.set(scenario, JSON.parse(readFileSync(join(outputDir, entry, "checks.json"), "utf8")) as Check[]);
  }
  if (results.size === 0) throw new Error(`the conformance suite wrote no results:\n${log}`);
  return results;
}

/** How a scenario ended: "pass", "expected failure", or what went wrong. */
function outcome(scenario: string, checks: Check[]): string {
  // The suite's own rule: any failure or warning fails the scenario.
  const bad = checks.filter((check) => check.status === "FAILURE" || check.status === "WARNING");
  if (bad.length === 0) return checks.some((check) => check.status === "SUCCESS") ? "pass" : "no checks";
  const text = JSON.stringify(bad);
  const expected = EXPECTED_FAILURES[scenario];
  if (expected?.because.test(text)) return "expected failure";
  return `fail: ${bad.map((check) => `${check.id}: ${check.errorMessage ?? ""}`).join("; ")}`;
}

describe("MCP conformance suite (server scenarios) through wrangler dev", () => {
  let proxy: BearerProxy;
  let outputDir: string;
  let results: Map<string, Check[]>;

  beforeAll(async () => {
    proxy = await startBearerProxy(workerUrl, await signIn("adele@contoso.example"));
    outputDir = mkdtempSync(join(tmpdir(), "m365-conformance-"));
    results = await runSuite(`${proxy.url}/mcp`, outputDir);
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    if (outputDir) rmSync(outputDir, { recursive: true, force: true });
  });

  it("passes every scenario that needs none of the suite's fixtures, and fails the rest for the listed reason", () => {
    const actual = Object.fromEntries([...results].map(([scenario, checks]) => [scenario, outcome(scenario, checks)]));
    const expected = Object.fromEntries([
      ...PASSING.map((scenario) => [scenario, "pass"]),
      ...Object.keys(EXPECTED_FAILURES).map((scenario) => [scenario, "expected failure"]),
    ]);
    expect(actual).toEqual(expected);
  });

  it("adds a token but no way in: through it a forged token still gets 401", async () => {
    const forged = await startBearerProxy(workerUrl, "m365-not-a-token");
    try {
      const response = await fetch(`${forged.url}/mcp`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
    } finally {
      await forged.close();
    }
  });

  it("counts 8 passing and 24 expected failures of 32 scenarios (the README quotes these)", () => {
    expect([PASSING.length, Object.keys(EXPECTED_FAILURES).length, results.size]).toEqual([8, 24, 32]);
  });
});
