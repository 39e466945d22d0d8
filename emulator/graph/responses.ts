/** Graph's response conventions: its JSON content type, request ids and error bodies. */
import type { EmulatorRequest, EmulatorResponse } from "../http.ts";

export const GRAPH_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/** Thrown by handlers to answer with a Graph error. */
export class GraphFailure extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** request-id, client-request-id (the client's, echoed, or ours) and the diagnostic header Graph sends. */
function graphHeaders(request: EmulatorRequest, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "request-id": request.requestId,
    "client-request-id": request.headers["client-request-id"] ?? request.requestId,
    "x-ms-ags-diagnostic": JSON.stringify({
      ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0", ScaleUnit: "000" },
    }),
    "Cache-Control": "no-store",
    ...extra,
  };
}

export function graphJson(
  request: EmulatorRequest,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: { "Content-Type": GRAPH_CONTENT_TYPE, ...graphHeaders(request, extra) },
    body: JSON.stringify(body),
  };
}

/** Graph's error body: { error: { code, message, innerError: { date, request-id, client-request-id } } }. */
export function graphError(
  request: EmulatorRequest,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): EmulatorResponse {
  const innerError = {
    date: new Date().toISOString().replace(/\.\d{3}Z$/, ""),
    "request-id": request.requestId,
    "client-request-id": request.headers["client-request-id"] ?? request.requestId,
  };
  return graphJson(request, status, { error: { code, message, innerError } }, extra);
}

export function graphEmpty(request: EmulatorRequest, status: 202 | 204): EmulatorResponse {
  return { status, headers: graphHeaders(request) };
}

/** Raw bytes, as `$value` endpoints return them. */
export function graphBytes(request: EmulatorRequest, contentType: string, bytes: Buffer): EmulatorResponse {
  return { status: 200, headers: { "Content-Type": contentType, ...graphHeaders(request) }, body: bytes };
}
