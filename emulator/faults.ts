/** Fault injection: throttling, outages and latency on matching requests, for resilience tests. */
import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "./http.ts";
import { json } from "./http.ts";
import { graphError } from "./graph/responses.ts";
import type { EmulatorState, Fault } from "./state.ts";

export interface FaultSpec {
  match: string;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  count?: number;
  body?: unknown;
}

function compile(match: string): RegExp {
  try {
    return new RegExp(match);
  } catch {
    return new RegExp(match.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  }
}

export function addFault(state: EmulatorState, spec: FaultSpec): Fault {
  if (typeof spec.match !== "string" || spec.match.length === 0) throw new Error("match must be a non-empty string");
  if (spec.status === undefined && spec.latencyMs === undefined) throw new Error("a fault needs status or latencyMs");
  const fault: Fault = {
    id: randomUUID(),
    match: spec.match,
    pattern: compile(spec.match),
    status: spec.status,
    retryAfterSeconds: spec.retryAfterSeconds,
    latencyMs: spec.latencyMs,
    remaining: spec.count ?? 1,
    body: spec.body,
  };
  state.faults.push(fault);
  return fault;
}

/** Takes the first fault that matches this request and still has uses left. */
export function takeFault(state: EmulatorState, request: EmulatorRequest): Fault | undefined {
  const line = `${request.method} ${request.url.pathname}`;
  const fault = state.faults.find(
    (candidate) => candidate.remaining > 0 && (line.includes(candidate.match) || candidate.pattern.test(line)),
  );
  if (fault) fault.remaining--;
  return fault;
}

const GRAPH_FAULTS: Record<number, { code: string; message: string }> = {
  429: { code: "TooManyRequests", message: "Too many requests are being made to the service. Please try again later." },
  500: { code: "InternalServerError", message: "An internal server error occurred." },
  502: { code: "BadGateway", message: "The service received an invalid response." },
  503: { code: "ServiceNotAvailable", message: "The service is temporarily unavailable. Please try again later." },
  504: { code: "GatewayTimeout", message: "The service did not respond in time." },
};

/** The error response a fault produces, shaped like the service it stands in for. */
export function faultResponse(fault: Fault, request: EmulatorRequest): EmulatorResponse {
  const status = fault.status!;
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
  if (fault.body !== undefined) return json(status, fault.body, headers);
  if (request.url.pathname.includes("/oauth2/")) {
    return json(
      status,
      {
        error: status === 429 ? "temporarily_unavailable" : "server_error",
        error_description: `Injected fault: HTTP ${status}`,
      },
      headers,
    );
  }
  const known = GRAPH_FAULTS[status] ?? { code: "UnknownError", message: `Injected fault: HTTP ${status}` };
  return graphError(request, status, known.code, known.message, headers);
}
