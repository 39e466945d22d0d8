import { McpAgent } from "agents/mcp";
import { getAgentByName, type Connection, type WSMessage } from "agents";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { configTtlMs, readRuntimeConfig, type RuntimeConfig } from "../config.ts";
import { UserCache } from "../graph/cache.ts";
import { GraphClient } from "../graph/client.ts";
import { ToolError } from "../graph/errors.ts";
import { keyRingOf } from "../auth/crypto.ts";
import { signOutEverywhere } from "../auth/logout.ts";
import { userHashOf } from "../observability.ts";
import { registerCatalog, SERVER_INSTRUCTIONS } from "../tools/catalog.ts";
import type { ToolContext } from "../tools/catalog.ts";
import { SERVER_NAME, SERVER_VERSION } from "../version.ts";
import type { AccountSummary, SessionProps } from "./session-props.ts";
import { userAccount } from "./user-account.ts";

function newServer(): McpServer {
  return new McpServer(
    { name: SERVER_NAME, title: "Microsoft 365", version: SERVER_VERSION },
    { instructions: SERVER_INSTRUCTIONS },
  );
}

/** A new MCP server with the catalog the runtime config allows, its handlers bound to `context`. */
export function createCatalogServer(context: () => ToolContext, env: Env, config?: RuntimeConfig): McpServer {
  const server = newServer();
  registerCatalog(server, context, env, config);
  return server;
}

/**
 * One MCP session (Streamable HTTP, SSE or WebSocket) of one signed-in user.
 * Its props identify the user; Graph tokens come from that user's UserAccount.
 */
export class McpSessionAgent extends McpAgent<Env, unknown, SessionProps> {
  server = newServer();
  private catalogRegistered = false;
  private userHash = "anonymous";

  async init(): Promise<void> {
    if (this.props?.userKey) this.userHash = await userHashOf(this.props.userKey);
    if (this.catalogRegistered) return;
    registerCatalog(this.server, () => this.toolContext(), this.env, await readRuntimeConfig(this.env));
    this.catalogRegistered = true;
  }

  /** The user this session belongs to, or undefined for a session not yet bound. */
  async ownerKey(): Promise<string | undefined> {
    return this.props?.userKey;
  }

  /** The agent's own sync protocol is not MCP: never send it to an MCP client. */
  override shouldSendProtocolMessages(): boolean {
    return false;
  }

  /** JSON-RPC from a WebSocket client connected straight to this session. */
  override async onMessage(connection: Connection, message: WSMessage): Promise<void> {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message as ArrayBuffer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      connection.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32700, message: "Parse error: the message is not JSON" },
        }),
      );
      return;
    }
    const failure = await this.onSSEMcpMessage(this.getSessionId(), parsed);
    if (failure) {
      const id =
        typeof parsed === "object" && parsed !== null && "id" in parsed ? (parsed as { id: unknown }).id : null;
      connection.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: id ?? null,
          error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
        }),
      );
    }
  }

  private toolContext(): ToolContext {
    const props = this.props;
    if (!props?.userKey)
      throw new ToolError("auth_required", "This session has no signed-in user. Reconnect to sign in.");
    const account = userAccount(this.env, props.userKey);
    return {
      graph: new GraphClient(
        this.env.GRAPH_BASE_URL,
        {
          get: () => account.getAccessToken(),
          renewRejected: (token) => account.renewRejectedToken(token),
          recordUpstream: (ok) => account.recordUpstream(ok),
        },
        { timeoutSeconds: Number(this.env.GRAPH_TIMEOUT_SECONDS) || undefined },
      ),
      services: {
        userHash: this.userHash,
        beginOnce: (scope, key, argsHash) => account.beginOnce(scope, key, argsHash),
        finishOnce: (scope, key, outcome) => account.finishOnce(scope, key, outcome),
        cacheGenerations: (kinds) => account.cacheGenerations(kinds),
        bumpCacheGenerations: (kinds) => account.bumpCacheGenerations(kinds),
        metrics: this.env.METRICS,
        signOut: () => signOutEverywhere(this.env, props.userKey),
        runtimeConfig: () => readRuntimeConfig(this.env, { maxAgeMs: configTtlMs(this.env) }),
      },
      cache: new UserCache(this.env.CACHE_KV, props.userKey, keyRingOf(this.env)),
      account: async (): Promise<AccountSummary> => {
        const described = await account.describe();
        if (!described)
          throw new ToolError("auth_required", "You are not signed in to Microsoft 365. Reconnect to sign in.");
        return { ...described.identity, scopes: described.scopes, tokenExpiresAt: described.expiresAt };
      },
    };
  }
}

/** The session object named `name` (`streamable-http:…`, `sse:…` or `rpc:…`), bound to `props` when given. */
export async function sessionAgent(
  env: Env,
  name: string,
  props?: SessionProps,
): Promise<DurableObjectStub<McpSessionAgent>> {
  const stub = await getAgentByName(env.MCP_OBJECT as never, name, props ? { props } : undefined);
  return stub as unknown as DurableObjectStub<McpSessionAgent>;
}
