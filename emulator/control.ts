/**
 * /_emulator/*: the control API tests and developers use to reset the tenant,
 * inject faults, expire or revoke tokens, set the tenant's consent policy and
 * read the request log. JSON, no auth.
 */
import { updateConsentPolicy } from "./entra/consent.ts";
import { createFault } from "./faults.ts";
import { json, jsonBody, type EmulatorRequest, type EmulatorResponse } from "./http.ts";
import type { EmulatorState } from "./state.ts";
import { findUser } from "./tenant.ts";

type ControlHandler = (state: EmulatorState, body: Record<string, unknown>) => EmulatorResponse;

/** Which tokens a request is about: all, or one user's (by id or address). */
function tokenOwner(body: Record<string, unknown>): ((userId: string) => boolean) | string {
  if (body.userId === undefined) return () => true;
  const user = typeof body.userId === "string" ? findUser(body.userId) : undefined;
  if (!user) return `unknown userId ${JSON.stringify(body.userId)}`;
  return (userId) => userId === user.id;
}

const HANDLERS: Record<string, ControlHandler> = {
  "GET /health": () => json(200, { ok: true }),
  "POST /reset": (state) => {
    state.reset();
    return json(200, { ok: true });
  },
  "GET /faults": (state) =>
    json(
      200,
      state.faults.map(({ pattern: _pattern, ...fault }) => fault),
    ),
  "POST /faults": (state, body) => {
    const fault = createFault(body);
    if (typeof fault === "string") return json(400, { error: fault });
    state.faults.push(fault);
    return json(201, { id: fault.id });
  },
  "DELETE /faults": (state) => {
    const cleared = state.faults.length;
    state.faults = [];
    return json(200, { cleared });
  },
  "POST /expire-tokens": (state, body) => {
    const owns = tokenOwner(body);
    if (typeof owns === "string") return json(400, { error: owns });
    let expired = 0;
    for (const grant of state.accessTokens.values()) {
      if (owns(grant.userId) && grant.expiresAt > Date.now()) {
        grant.expiresAt = Date.now() - 1000;
        expired++;
      }
    }
    return json(200, { expired });
  },
  "POST /revoke-refresh-tokens": (state, body) => {
    const owns = tokenOwner(body);
    if (typeof owns === "string") return json(400, { error: owns });
    const reason = body.reason ?? "revoked";
    if (reason !== "revoked" && reason !== "expired") {
      return json(400, { error: 'reason must be "revoked" (AADSTS50173) or "expired" (AADSTS700082)' });
    }
    let revoked = 0;
    for (const grant of state.refreshTokens.values()) {
      if (owns(grant.userId) && !grant.invalidatedWith) {
        grant.invalidatedWith = reason;
        revoked++;
      }
    }
    return json(200, { revoked });
  },
  "GET /consent": (state) => json(200, state.consent),
  "POST /consent": (state, body) => {
    const error = updateConsentPolicy(state.consent, body);
    return error ? json(400, { error }) : json(200, state.consent);
  },
  "GET /requests": (state) => json(200, state.log),
  "DELETE /requests": (state) => {
    state.log = [];
    return json(200, { ok: true });
  },
};

export function handleControl(request: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  const route = `${request.method} ${request.url.pathname.slice("/_emulator".length).replace(/\/+$/, "")}`;
  const handler = HANDLERS[route];
  if (!handler) return json(404, { error: `unknown control route ${route}`, routes: Object.keys(HANDLERS) });
  const parsed = jsonBody(request);
  if (!parsed.ok) return json(400, { error: `invalid JSON: ${parsed.error}` });
  const body = parsed.value ?? {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return json(400, { error: "the body must be a JSON object" });
  }
  return handler(state, body as Record<string, unknown>);
}
