/** Entra's three ways of refusing: a JSON error (token endpoint), an error page, and a redirect with `error`. */
import { randomUUID } from "node:crypto";
import { escapeHtml } from "../html-text.ts";
import { html, json, redirect, type EmulatorResponse } from "../http.ts";

interface Trace {
  traceId: string;
  correlationId: string;
  timestamp: string;
}

function trace(): Trace {
  return { traceId: randomUUID(), correlationId: randomUUID(), timestamp: new Date().toISOString() };
}

/** "AADSTS70008: message\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: ...", as Entra writes descriptions. */
function description(code: number, message: string, { traceId, correlationId, timestamp }: Trace): string {
  return `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp.replace("T", " ").replace(/\.\d{3}Z$/, "Z")}`;
}

/** The token endpoint's error body: { error, error_description, error_codes, timestamp, trace_id, correlation_id }. */
export function entraError(status: number, error: string, code: number, message: string): EmulatorResponse {
  const context = trace();
  return json(
    status,
    {
      error,
      error_description: description(code, message, context),
      error_codes: [code],
      timestamp: context.timestamp.replace("T", " ").replace(/\.\d{3}Z$/, "Z"),
      trace_id: context.traceId,
      correlation_id: context.correlationId,
    },
    { "Cache-Control": "no-store", Pragma: "no-cache" },
  );
}

/** The page Entra shows when it cannot send the user back to the app (unknown app, unregistered redirect URI). */
export function entraErrorPage(code: number, message: string, status = 400): EmulatorResponse {
  const context = trace();
  return html(
    status,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body><h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error">AADSTS${code}: ${escapeHtml(message)}</p>
<p><small>Request Id: ${context.traceId}<br>Correlation Id: ${context.correlationId}<br>Timestamp: ${context.timestamp}</small></p></body></html>`,
  );
}

/** Back to a validated redirect URI with `error`, `error_description`, `state` and any `extra` parameters. */
export function redirectWithError(
  redirectUri: string,
  state: string | null,
  error: string,
  code: number,
  message: string,
  extra: Record<string, string> = {},
): EmulatorResponse {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  url.searchParams.set("error_description", description(code, message, trace()));
  if (state !== null) url.searchParams.set("state", state);
  return redirect(url.toString());
}
