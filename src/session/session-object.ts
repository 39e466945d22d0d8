import { DurableObject } from "cloudflare:workers";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { InitializeRequest, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { readRuntimeConfig } from "../config.ts";
import { userHashOf } from "../observability.ts";
import { jsonRpcError, parseJsonRpcText } from "../protocol/json-rpc.ts";
import { userAccount } from "./account/user-account.ts";
import { AccountView } from "./account-view.ts";
import { createCatalogServer } from "./catalog-server.ts";
import type { SessionProps } from "./props.ts";
import { limitSignedIn } from "./rate-limits.ts";
import { toolContextFactory } from "./tool-context.ts";
import { SseStreamTransport, WebSocketTransport, type DeliveringTransport } from "./transports.ts";

export type SessionKind = "streamable-http" | "sse" | "websocket";

/** Who sent a request, as the gate verified it from the bearer token. */
export interface Caller {
  props: SessionProps;
  grantId: string;
  /** Epoch milliseconds when the caller's access token expires. */
  tokenExpiresAt: number;
  /** The server's origin as the caller reached it: consent links point there. */
  origin: string;
}

/** How the gate addresses a session: its kind, its server-chosen id, and whether this request opens it. */
export interface SessionAddress {
  kind: SessionKind;
  id: string;
  /** The request opens the session (initialize, a new SSE stream, a WebSocket upgrade). */
  open: boolean;
  /** The initialize request of a new Streamable HTTP session, kept to rebuild the server after an eviction. */
  initialize?: InitializeRequest;
}

interface SessionRecord {
  kind: SessionKind;
  id: string;
  /** The grant (user and client) that opened the session; only it may use the session. */
  owner: { userKey: string; grantId: string };
  props: SessionProps;
  createdAt: number;
  initialize?: InitializeRequest;
  /** The server's origin as the session's opener reached it. */
  origin?: string;
}

/** How a WebSocket remembers, across hibernation, until when its token is good. */
interface SocketAttachment {
  expiresAt: number;
}

/** Header on the internal WebSocket upgrade request that carries the verified caller and address. */
export const SESSION_HEADER = "X-Mcp-Session";

/** Default idle time after which a session object deletes itself (SESSION_IDLE_SECONDS). */
const DEFAULT_IDLE_SECONDS = 24 * 60 * 60;
/** How often activity is written down; an idle deadline is that much late at most. */
const TOUCH_EVERY_MS = 60_000;
/** How long an ended session still lets calls already running finish (a logout's own answer). */
const END_GRACE_MS = 1500;

const RECORD_KEY = "session";
const TOUCHED_KEY = "touched";

export function sessionName(kind: SessionKind, id: string): string {
  return `${kind}:${id}`;
}

/** The session object of one session. */
export function sessionObject(env: Env, kind: SessionKind, id: string): DurableObjectStub<McpSession> {
  const namespace = env.MCP_OBJECT as DurableObjectNamespace<McpSession>;
  return namespace.get(namespace.idFromName(sessionName(kind, id)));
}

/** A session id: 128 random bits, chosen by the server, never by a client. */
export function newSessionId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function sessionNotFound(status = 404): Response {
  return jsonRpcError(null, -32001, "Session not found", status);
}

function idleMs(env: Env): number {
  const seconds = Number(env.SESSION_IDLE_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_IDLE_SECONDS) * 1000;
}

/**
 * One MCP session of one grant, over Streamable HTTP, legacy SSE or a
 * WebSocket. It checks every request against the grant that opened it, ends
 * its live connection when that grant's token expires or the user signs out,
 * and deletes itself after SESSION_IDLE_SECONDS without activity.
 */
export class McpSession extends DurableObject<Env> {
  private record: SessionRecord | null | undefined;
  private server: McpServer | undefined;
  private streamable: WebStandardStreamableHTTPServerTransport | undefined;
  private sse: SseStreamTransport | undefined;
  private socketTransport: WebSocketTransport | undefined;
  /** Until when the open SSE stream (legacy or Streamable HTTP GET) may stay open: its token's expiry. */
  private streamUntil = 0;
  private touchedAt = 0;
  private ended = false;
  /** The user's token and cache generations as the account last gave them, for warm calls. */
  private readonly accountView = new AccountView();

  private async load(): Promise<SessionRecord | null> {
    if (this.record === undefined) this.record = (await this.ctx.storage.get<SessionRecord>(RECORD_KEY)) ?? null;
    return this.record;
  }

  /**
   * Serves one HTTP request the gate addressed here (Streamable HTTP or
   * legacy SSE). A request from another grant than the session's gets the
   * same 404 as a session that never existed.
   */
  async serve(request: Request, caller: Caller, address: SessionAddress): Promise<Response> {
    const record = await this.admit(caller, address);
    if (!record) return sessionNotFound();
    await this.touch();
    if (record.kind === "streamable-http") return this.serveStreamable(request, caller, record, address);
    return this.serveSse(request, caller, record);
  }

  /** A WebSocket upgrade, with the caller and address in SESSION_HEADER (set by the gate only). */
  override async fetch(request: Request): Promise<Response> {
    const { caller, address } = JSON.parse(request.headers.get(SESSION_HEADER) ?? "{}") as {
      caller: Caller;
      address: SessionAddress;
    };
    const record = await this.admit(caller, { ...address, kind: "websocket", open: true });
    if (!record) return sessionNotFound();
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ expiresAt: caller.tokenExpiresAt } satisfies SocketAttachment);
    await this.touch(true);
    await this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const record = await this.load();
    const attachment = socket.deserializeAttachment() as SocketAttachment | null;
    if (!record || this.ended) {
      socket.close(4404, "Session not found");
      return;
    }
    if (!attachment || attachment.expiresAt <= Date.now()) {
      // The token that opened the socket has expired: the client reconnects with a fresh one.
      await this.finish("token_expired");
      return;
    }
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    const parsed = parseJsonRpcText(text);
    if (!parsed.ok) {
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: parsed.code, message: parsed.message } }));
      return;
    }
    const message = parsed.value as { id?: unknown };
    const refused = await limitSignedIn(this.env, record.props);
    if (refused) {
      socket.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: message?.id ?? null,
          error: { code: -32000, message: refused.message, data: { retryAfterSeconds: refused.retryAfterSeconds } },
        }),
      );
      return;
    }
    await this.touch();
    const transport = (await this.ensureServer(record)) as WebSocketTransport;
    if (!isJsonRpcMessage(parsed.value)) {
      socket.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: (typeof message === "object" && message?.id) ?? null,
          error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
        }),
      );
      return;
    }
    transport.deliver(parsed.value);
    if (isInitialize(parsed.value) && !record.initialize) {
      record.initialize = parsed.value;
      await this.ctx.storage.put(RECORD_KEY, record);
    }
  }

  /**
   * The user's grant changed (a consent link added permissions): forget the
   * remembered token, and tell a client that asked through URL elicitation
   * that it completed (MCP `notifications/elicitation/complete`).
   */
  async grantChanged(elicitationId?: string): Promise<void> {
    this.accountView.forget();
    if (!elicitationId || !this.server) return;
    await this.server.server
      .createElicitationCompletionNotifier(elicitationId)()
      .catch(() => undefined);
  }

  /** The account bumped cache generations after a write in another of the user's sessions. */
  async cacheBumped(generations: Record<string, string>): Promise<void> {
    this.accountView.bumped(generations);
  }

  override async webSocketClose(): Promise<void> {
    await this.finish("closed");
  }

  override async webSocketError(): Promise<void> {
    await this.finish("closed");
  }

  /**
   * Ends the session now (sign-out, a dead sign-in): new requests get 404 at
   * once, calls already running get a moment to answer, then every connection
   * closes and the object's storage is deleted.
   */
  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.ctx.storage.deleteAll();
    this.record = null;
    this.ctx.waitUntil(
      new Promise<void>((resolve) => setTimeout(resolve, END_GRACE_MS)).then(() => this.finish(reason)),
    );
  }

  /** Token expiry of a live connection, and idle expiry of the whole session. */
  override async alarm(): Promise<void> {
    const record = await this.load();
    if (!record) return;
    const now = Date.now();
    for (const socket of this.ctx.getWebSockets()) {
      const attachment = socket.deserializeAttachment() as SocketAttachment | null;
      if (!attachment || attachment.expiresAt <= now) {
        await this.finish("token_expired");
        return;
      }
    }
    if (this.streamUntil && this.streamUntil <= now) {
      this.streamUntil = 0;
      if (record.kind === "sse") {
        await this.finish("token_expired");
        return;
      }
      this.streamable?.closeStandaloneSSEStream();
    }
    const touched = (await this.ctx.storage.get<number>(TOUCHED_KEY)) ?? record.createdAt;
    if (!this.hasLiveConnection() && now - touched >= idleMs(this.env)) {
      await this.finish("idle");
      return;
    }
    await this.scheduleAlarm();
  }

  /** The session's record when `caller` may use it (creating it when the request opens the session). */
  private async admit(caller: Caller, address: SessionAddress): Promise<SessionRecord | null> {
    if (this.ended) return null;
    const existing = await this.load();
    if (existing) {
      const owned =
        !address.open &&
        existing.kind === address.kind &&
        existing.owner.userKey === caller.props.userKey &&
        existing.owner.grantId === caller.grantId;
      return owned ? existing : null;
    }
    if (!address.open) return null;
    const record: SessionRecord = {
      kind: address.kind,
      id: address.id,
      owner: { userKey: caller.props.userKey, grantId: caller.grantId },
      props: caller.props,
      createdAt: Date.now(),
      origin: caller.origin,
      ...(address.initialize ? { initialize: address.initialize } : {}),
    };
    await this.ctx.storage.put(RECORD_KEY, record);
    this.record = record;
    // The account ends this session when the user signs out or the grant is revoked.
    await userAccount(this.env, record.props.userKey).addSession(
      sessionName(record.kind, record.id),
      record.owner.grantId,
    );
    return record;
  }

  private async serveStreamable(
    request: Request,
    caller: Caller,
    record: SessionRecord,
    address: SessionAddress,
  ): Promise<Response> {
    const transport = (await this.ensureServer(record, address.open)) as WebStandardStreamableHTTPServerTransport;
    const response = await transport.handleRequest(request, {
      authInfo: { token: "", clientId: record.owner.grantId, scopes: [], expiresAt: caller.tokenExpiresAt / 1000 },
    });
    if (request.method === "GET" && response.ok) {
      this.streamUntil = caller.tokenExpiresAt;
      await this.scheduleAlarm();
    }
    return response;
  }

  private async serveSse(request: Request, caller: Caller, record: SessionRecord): Promise<Response> {
    if (request.method === "GET") {
      const transport = (await this.ensureServer(record)) as SseStreamTransport;
      this.streamUntil = caller.tokenExpiresAt;
      await this.scheduleAlarm();
      return transport.open();
    }
    // A legacy SSE session lives as long as its stream: with the stream gone, so is the session.
    if (!this.sse?.isOpen) return sessionNotFound();
    const parsed = parseJsonRpcText(await request.text());
    if (!parsed.ok) return jsonRpcError(null, parsed.code, parsed.message, 400);
    if (!isJsonRpcMessage(parsed.value)) {
      return jsonRpcError(null, -32600, "Invalid Request: not a JSON-RPC 2.0 message", 400);
    }
    this.sse.deliver(parsed.value);
    return new Response("Accepted", { status: 202 });
  }

  /**
   * The session's MCP server and transport, built on first use and again
   * after an eviction or hibernation, when the stored initialize request
   * restores what the client declared.
   */
  private async ensureServer(
    record: SessionRecord,
    opening = false,
  ): Promise<DeliveringTransport | WebStandardStreamableHTTPServerTransport> {
    const existing = this.streamable ?? this.sse ?? this.socketTransport;
    if (this.server && existing) return existing;
    const userHash = await userHashOf(record.props.userKey);
    const server = createCatalogServer(
      toolContextFactory(this.env, record.props, userHash, {
        view: this.accountView,
        sessionName: sessionName(record.kind, record.id),
        // The request that reached this object was one round trip already.
        hopsBefore: 1,
        origin: record.origin ?? (this.env.PUBLIC_URL ? new URL(this.env.PUBLIC_URL).origin : undefined),
      }),
      this.env,
      await readRuntimeConfig(this.env),
    );
    let transport: DeliveringTransport | WebStandardStreamableHTTPServerTransport;
    if (record.kind === "streamable-http") {
      const streamable = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => record.id,
        onsessionclosed: () => this.finish("deleted"),
      });
      this.streamable = streamable;
      transport = streamable;
    } else if (record.kind === "sse") {
      this.sse = new SseStreamTransport(`/sse/message?sessionId=${record.id}`);
      this.sse.onclose = () => void this.finish("closed");
      transport = this.sse;
    } else {
      this.socketTransport = new WebSocketTransport(() => this.ctx.getWebSockets()[0]);
      transport = this.socketTransport;
    }
    await server.connect(transport);
    if (record.initialize && !opening) restoreInitialized(server, transport, record);
    this.server = server;
    return transport;
  }

  private hasLiveConnection(): boolean {
    return this.ctx.getWebSockets().length > 0 || this.sse?.isOpen === true || this.streamUntil > Date.now();
  }

  /** Notes activity, writing it down at most once a minute (the idle deadline reads it). */
  private async touch(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.touchedAt < Math.min(TOUCH_EVERY_MS, idleMs(this.env) / 4)) return;
    this.touchedAt = now;
    await this.ctx.storage.put(TOUCHED_KEY, now);
    await this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    const candidates = [(this.touchedAt || Date.now()) + idleMs(this.env)];
    if (this.streamUntil) candidates.push(this.streamUntil);
    for (const socket of this.ctx.getWebSockets()) {
      const attachment = socket.deserializeAttachment() as SocketAttachment | null;
      if (attachment) candidates.push(attachment.expiresAt);
    }
    await this.ctx.storage.setAlarm(Math.min(...candidates));
  }

  /** Closes every connection and deletes the session's storage. */
  private async finish(reason: string): Promise<void> {
    const record = this.record ?? (await this.ctx.storage.get<SessionRecord>(RECORD_KEY));
    this.ended = true;
    const closeCode = reason === "token_expired" || reason.startsWith("sign") ? 4401 : 1000;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.close(closeCode, reason);
      } catch {
        // Already closing.
      }
    }
    const server = this.server;
    this.server = undefined;
    this.sse = undefined;
    this.streamable = undefined;
    this.socketTransport = undefined;
    await server?.close().catch(() => undefined);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.record = null;
    if (record) {
      await userAccount(this.env, record.props.userKey)
        .removeSession(sessionName(record.kind, record.id))
        .catch(() => undefined);
    }
    console.log(JSON.stringify({ event: "session_ended", kind: record?.kind, reason }));
  }
}

function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === "2.0"
  );
}

function isInitialize(message: JSONRPCMessage): message is InitializeRequest & JSONRPCMessage {
  return "method" in message && message.method === "initialize" && "id" in message;
}

/**
 * Puts a rebuilt server and transport back in the state the client's
 * initialize left them in: the SDK keeps that state in memory only, and a
 * Durable Object's memory does not survive an eviction.
 */
function restoreInitialized(
  server: McpServer,
  transport: DeliveringTransport | WebStandardStreamableHTTPServerTransport,
  record: SessionRecord,
): void {
  const initialize = record.initialize!;
  void (server.server as unknown as { _oninitialize(request: InitializeRequest): Promise<unknown> })._oninitialize(
    initialize,
  );
  if (transport instanceof WebStandardStreamableHTTPServerTransport) {
    const state = transport as unknown as { _initialized: boolean; sessionId?: string };
    state._initialized = true;
    state.sessionId = record.id;
  }
}
