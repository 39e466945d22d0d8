import { newSessionId, sessionNotFound, sessionObject, type Caller } from "../../session/session-object.ts";

const SESSION_ID = /^[0-9a-f]{32}$/;

/**
 * Legacy SSE (MCP 2024-11-05): `GET /sse` opens a stream and a new session
 * whose id the server chooses (a `sessionId` the client puts in the URL is
 * ignored); `POST /sse/message?sessionId=…` delivers a message to it, and the
 * session itself checks that the caller's grant opened it.
 */
export async function serveLegacySse(request: Request, env: Env, caller: Caller): Promise<Response> {
  const url = new URL(request.url);
  if (request.method === "GET" && url.pathname === "/sse") {
    const id = newSessionId();
    return sessionObject(env, "sse", id).serve(request, caller, { kind: "sse", id, open: true });
  }
  if (request.method === "POST" && url.pathname === "/sse/message") {
    const id = url.searchParams.get("sessionId") ?? "";
    if (!SESSION_ID.test(id)) return sessionNotFound();
    return sessionObject(env, "sse", id).serve(request, caller, { kind: "sse", id, open: false });
  }
  return new Response("Not Found", { status: 404 });
}
