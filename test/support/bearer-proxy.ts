/**
 * A test-only forwarding proxy that adds `Authorization: Bearer <token>` to
 * every request, for clients that cannot send a token themselves (the MCP
 * conformance suite). Everything else passes through untouched, streamed both
 * ways so SSE keeps working. A request addressed to the proxy itself is
 * re-addressed to the target, so the server sees what a direct client would
 * send; any other Host (a DNS-rebinding probe) reaches the server as sent.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface BearerProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:43117. */
  url: string;
  close(): Promise<void>;
}

/** Headers that belong to one hop (RFC 9110 §7.6.1) and are not forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

export async function startBearerProxy(target: string, token: string): Promise<BearerProxy> {
  const upstream = new URL(target);
  let ownHosts = new Set<string>();
  const server = createServer((incoming, outgoing) => {
    const headers = forwardable(incoming.headers);
    const host = incoming.headers.host ?? "";
    if (ownHosts.has(host)) headers.host = upstream.host;
    headers.authorization = `Bearer ${token}`;
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers));
        // Event streams must reach the client as they are written, not when they end.
        outgoing.flushHeaders();
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "Content-Type": "text/plain" });
      outgoing.end(`bearer proxy: ${error.message}`);
    });
    // A client that hangs up (the end of an SSE stream) ends the upstream request too.
    outgoing.on("close", () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  ownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
