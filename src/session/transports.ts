import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";

/** Seconds between SSE comments that keep an idle stream open through proxies. */
const KEEPALIVE_MS = 25_000;

/** What the session object feeds a transport: one message from the client. */
export interface DeliveringTransport extends Transport {
  deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void;
}

/**
 * The server side of one legacy SSE stream (MCP 2024-11-05): the stream
 * carries every server message; the client posts its messages to `endpoint`.
 */
export class SseStreamTransport implements DeliveringTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private readonly encoder = new TextEncoder();

  private readonly endpoint: string;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }

  async start(): Promise<void> {}

  /** The stream's response; its first event names where to post messages. */
  open(headers: HeadersInit = {}): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.writer = writable.getWriter();
    void this.write(`event: endpoint\ndata: ${this.endpoint}\n\n`);
    this.keepalive = setInterval(() => void this.write(": keepalive\n\n"), KEEPALIVE_MS);
    return new Response(readable, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", ...headers },
    });
  }

  get isOpen(): boolean {
    return this.writer !== undefined;
  }

  deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    clearInterval(this.keepalive);
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close().catch(() => undefined);
    this.onclose?.();
  }

  private async write(text: string): Promise<void> {
    try {
      await this.writer?.write(this.encoder.encode(text));
    } catch {
      // The client went away: the stream is over, and so is the session.
      await this.close();
    }
  }
}

/** The server side of one WebSocket connection, which carries messages both ways. */
export class WebSocketTransport implements DeliveringTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly socket: () => WebSocket | undefined;

  constructor(socket: () => WebSocket | undefined) {
    this.socket = socket;
  }

  async start(): Promise<void> {}

  deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.socket()?.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}
