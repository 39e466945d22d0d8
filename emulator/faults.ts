/**
 * Fault injection: answer matching requests with an error status (throttling,
 * outages) and/or delay them, a set number of times. A fault matches on
 * "METHOD /path" (no query string), by substring or as a regular expression.
 * A `batchItems` fault matches the requests inside a JSON batch instead, and
 * answers just those items, as Graph throttles or fails items one by one.
 */
import { randomUUID } from "node:crypto";
import { entraError, entraErrorPage } from "./entra/errors.ts";
import { graphError } from "./graph/responses.ts";
import { json, type EmulatorRequest, type EmulatorResponse } from "./http.ts";

export interface FaultSpec {
  match: string;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** How many matching requests it applies to; default 1. */
  count?: number;
  /** A JSON body to answer with instead of the service's usual error body. */
  body?: unknown;
  /** Applies to the requests inside a `$batch` (each answered alone), not to whole requests. */
  batchItems?: boolean;
}

export interface Fault {
  id: string;
  match: string;
  pattern?: RegExp;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** Matching requests it still applies to. */
  remaining: number;
  body?: unknown;
  batchItems?: boolean;
}

const MAX_LATENCY_MS = 120_000;

function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** A fault from the control API's JSON, or a message saying what is wrong with it. */
export function createFault(spec: unknown): Fault | string {
  if (typeof spec !== "object" || spec === null) {
    return "expected a JSON object { match, status?, retryAfterSeconds?, latencyMs?, count?, body?, batchItems? }";
  }
  const { match, status, retryAfterSeconds, latencyMs, count, body, batchItems } = spec as FaultSpec;
  if (typeof match !== "string" || match === "") {
    return 'match must be a non-empty string such as "GET /v1.0/me/messages"';
  }
  if (status === undefined && latencyMs === undefined) return "a fault needs a status, a latencyMs, or both";
  if (status !== undefined && !isWholeNumber(status, 400, 599)) return "status must be an HTTP error status (400-599)";
  if (retryAfterSeconds !== undefined && !isWholeNumber(retryAfterSeconds, 0, 86_400)) {
    return "retryAfterSeconds must be a whole number of seconds";
  }
  if (latencyMs !== undefined && !isWholeNumber(latencyMs, 0, MAX_LATENCY_MS)) {
    return `latencyMs must be from 0 to ${MAX_LATENCY_MS}`;
  }
  if (count !== undefined && !isWholeNumber(count, 1, 1_000_000)) return "count must be a positive whole number";
  if (batchItems !== undefined && typeof batchItems !== "boolean") return "batchItems must be true or false";
  if (batchItems && (status === undefined || latencyMs !== undefined)) {
    return "a batchItems fault answers items with a status, and delays none";
  }
  let pattern: RegExp | undefined;
  try {
    pattern = new RegExp(match);
  } catch {
    pattern = undefined;
  }
  return {
    id: randomUUID(),
    match,
    pattern,
    status,
    retryAfterSeconds,
    latencyMs,
    remaining: count ?? 1,
    body,
    ...(batchItems ? { batchItems } : {}),
  };
}

/**
 * The first fault that matches `request` and has uses left, with one use
 * taken: among the faults for whole requests, or with `batchItem` for the
 * requests inside a batch.
 */
export function takeFault(faults: Fault[], request: EmulatorRequest, batchItem = false): Fault | undefined {
  const line = `${request.method} ${request.url.pathname}`;
  const fault = faults.find(
    (candidate) =>
      candidate.remaining > 0 &&
      (candidate.batchItems ?? false) === batchItem &&
      (line.includes(candidate.match) || candidate.pattern?.test(line)),
  );
  if (fault) fault.remaining--;
  return fault;
}

const GRAPH_ERRORS: Record<number, { code: string; message: string }> = {
  429: {
    code: "TooManyRequests",
    message: "Too many requests are being made to this resource. Please retry after some time.",
  },
  500: { code: "InternalServerError", message: "An internal server error occurred while processing the request." },
  502: { code: "BadGateway", message: "The service received an invalid response from an upstream server." },
  503: {
    code: "ServiceNotAvailable",
    message: "The service is temporarily unavailable. Please retry after some time.",
  },
  504: { code: "GatewayTimeout", message: "The service did not respond in time. Please retry after some time." },
};

/** The error body a fault with `status` gives on `path`, shaped like the service that path belongs to. */
function serviceError(status: number, request: EmulatorRequest): EmulatorResponse {
  const path = request.url.pathname;
  if (path.endsWith("/oauth2/v2.0/authorize")) {
    return entraErrorPage(90033, "A transient error has occurred. Please try again.", status);
  }
  if (path.endsWith("/oauth2/v2.0/token")) {
    const transient = status === 429 || status === 503 || status === 504;
    return transient
      ? entraError(status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
      : entraError(
          status,
          status >= 500 ? "server_error" : "invalid_request",
          90000,
          `Injected fault: HTTP ${status}.`,
        );
  }
  const known = GRAPH_ERRORS[status] ?? {
    code: status >= 500 ? "UnknownError" : "BadRequest",
    message: `Injected fault: HTTP ${status}.`,
  };
  return graphError(request, status, known.code, known.message);
}

/** The response of a fault that has a status, with Retry-After when the fault sets it. */
export function faultResponse(fault: Fault & { status: number }, request: EmulatorRequest): EmulatorResponse {
  const response = fault.body === undefined ? serviceError(fault.status, request) : json(fault.status, fault.body);
  if (fault.retryAfterSeconds === undefined) return response;
  return { ...response, headers: { ...response.headers, "Retry-After": String(fault.retryAfterSeconds) } };
}
