import { env as testEnv, SELF } from "cloudflare:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { completeAuthorization, HeadlessBrowser } from "../support/headless-browser.ts";
import {
  authorizationUrl,
  exchangeCode,
  pkcePair,
  registerClient,
  type TokenResponse,
} from "../support/oauth-client.ts";

/** The origin tests address the Worker by; SELF serves every URL. */
export const ORIGIN = "http://localhost:8787";

export const worker = (request: Request): Promise<Response> => SELF.fetch(request);

/** A browser whose requests to the Worker go to SELF and everything else (the emulator) over the network. */
export function testBrowser(): HeadlessBrowser {
  return new HeadlessBrowser((url) => (url.origin === ORIGIN ? worker : (request) => fetch(request)));
}

/** Registers a client and signs `user` in through consent and the emulator's Microsoft sign-in. */
export async function signIn(user = "adele@contoso.example"): Promise<TokenResponse & { clientId: string }> {
  const client = await registerClient(worker, ORIGIN);
  const { verifier, challenge } = await pkcePair();
  const redirect = await completeAuthorization(testBrowser(), authorizationUrl(ORIGIN, client, challenge), { user });
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`no code in ${redirect}`);
  const response = await exchangeCode(worker, ORIGIN, client, code, verifier);
  if (!response.ok) throw new Error(`token exchange failed: ${response.status} ${await response.text()}`);
  return { ...((await response.json()) as TokenResponse), clientId: client.client_id };
}

/** A connected MCP SDK client over Streamable HTTP to /mcp, inside the Workers runtime. */
export async function connectClient(accessToken: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    fetch: (input, init) => SELF.fetch(new Request(input as RequestInfo, init)),
  });
  const client = new Client({ name: "unit-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** The emulator's URL, as the Worker sees it. */
export function emulatorUrl(env: Env): string {
  return env.MICROSOFT_AUTHORITY_URL;
}

/** Calls the emulator's control API. */
export async function emulator(
  env: Env,
  path: string,
  body?: unknown,
  method = body === undefined ? "GET" : "POST",
): Promise<unknown> {
  const response = await fetch(`${emulatorUrl(env)}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${path}: ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

/** Calls a tool and returns its result. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text a model reads from a tool result. */
export function resultText(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** One request the emulator answered (its control API excluded). */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  userId?: string;
  faultId?: string;
  /** prefer and consistencylevel, when the request sent them. */
  headers?: Record<string, string>;
  /** The requests inside a $batch. */
  batch?: { method: string; url: string }[];
  at: string;
}

/** The emulator's request log, oldest first. */
export async function requestLog(): Promise<LoggedRequest[]> {
  return (await emulator(testEnv, "requests")) as LoggedRequest[];
}

/** Empties the emulator's request log. */
export async function clearLog(): Promise<void> {
  await emulator(testEnv, "requests", undefined, "DELETE");
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
