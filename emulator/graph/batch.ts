/**
 * JSON batching (`POST /v1.0/$batch`): up to 20 requests in one, each
 * answered as if sent alone with the batch's token, in Graph's response
 * shape `{ responses: [{ id, status, headers, body }] }`. Faults marked
 * `batchItems` answer single items (a throttled item carries Retry-After).
 */
import { randomUUID } from "node:crypto";
import { faultResponse, takeFault } from "../faults.ts";
import type { EmulatorRequest, EmulatorResponse } from "../http.ts";
import type { EmulatorState } from "../state.ts";
import { graphError, graphJson } from "./responses.ts";
import type { GraphRouter } from "./router.ts";

const MAX_REQUESTS = 20;

interface BatchItem {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  body?: unknown;
}

export function isBatchRequest(request: EmulatorRequest): boolean {
  return /^\/v1\.0\/\$batch\/?$/i.test(request.url.pathname);
}

export function answerBatch(
  request: EmulatorRequest,
  state: EmulatorState,
  origin: string,
  router: GraphRouter,
): { response: EmulatorResponse; userId?: string } {
  if (request.method !== "POST") {
    return { response: graphError(request, 405, "BadRequest", "$batch accepts POST only.") };
  }
  let items: BatchItem[];
  try {
    const parsed = JSON.parse(request.body.toString("utf8")) as { requests?: unknown };
    if (!Array.isArray(parsed.requests)) throw new Error("no requests");
    items = parsed.requests as BatchItem[];
  } catch {
    return { response: graphError(request, 400, "BadRequest", "Invalid batch payload format.") };
  }
  if (items.length === 0 || items.length > MAX_REQUESTS) {
    return {
      response: graphError(
        request,
        400,
        "BadRequest",
        `Invalid batch payload: a batch holds 1 to ${MAX_REQUESTS} requests, not ${items.length}.`,
      ),
    };
  }
  const ids = new Set<string>();
  for (const item of items) {
    if (typeof item.id !== "string" || item.id === "" || ids.has(item.id)) {
      return { response: graphError(request, 400, "BadRequest", "Each batch request needs a unique string id.") };
    }
    ids.add(item.id);
    if (typeof item.url !== "string" || !item.url.startsWith("/") || typeof item.method !== "string") {
      return {
        response: graphError(request, 400, "BadRequest", "Each batch request needs a method and a relative url."),
      };
    }
  }
  let userId: string | undefined;
  const responses = items.map((item) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((item.headers as Record<string, unknown>) ?? {})) {
      if (typeof value === "string") headers[name.toLowerCase()] = value;
    }
    const body = item.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(item.body));
    if (item.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
    const inner: EmulatorRequest = {
      method: (item.method as string).toUpperCase(),
      url: new URL(`/v1.0${item.url as string}`, origin),
      headers: { ...headers, authorization: request.headers.authorization ?? "" },
      body,
      oversized: false,
      requestId: randomUUID(),
    };
    const fault = takeFault(state.faults, inner, true);
    const outcome =
      fault?.status !== undefined
        ? { response: faultResponse({ ...fault, status: fault.status }, inner), userId: undefined }
        : router.handle(inner, state, origin);
    userId ??= outcome.userId;
    const text = outcome.response.body?.toString() ?? "";
    let parsedBody: unknown;
    try {
      parsedBody = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsedBody = Buffer.from(text).toString("base64");
    }
    return {
      id: item.id,
      status: outcome.response.status,
      headers: {
        "Content-Type": outcome.response.headers?.["Content-Type"] ?? "application/json",
        // A throttled item says when to retry it, in its own headers.
        ...(outcome.response.headers?.["Retry-After"]
          ? { "Retry-After": outcome.response.headers["Retry-After"] }
          : {}),
      },
      ...(parsedBody !== undefined ? { body: parsedBody } : {}),
    };
  });
  return { response: graphJson(request, 200, { responses }), ...(userId ? { userId } : {}) };
}
