/** `/_emulator/*`: the control API tests use to inject faults, expire tokens and read the request log. */
import { json, jsonBody, type EmulatorRequest, type EmulatorResponse } from "./http.ts";
import { addFault, type FaultSpec } from "./faults.ts";
import type { EmulatorState } from "./state.ts";

function forUser(request: EmulatorRequest): (userId: string) => boolean {
  const body = jsonBody(request) as { userId?: string } | undefined;
  return (userId) => !body?.userId || body.userId === userId;
}

export function handleControl(request: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  const route = `${request.method} ${request.url.pathname.replace(/^\/_emulator/, "")}`;
  switch (route) {
    case "GET /health":
      return json(200, { ok: true });
    case "POST /reset":
      state.reset();
      return json(200, { ok: true });
    case "POST /faults": {
      try {
        const fault = addFault(state, (jsonBody(request) ?? {}) as FaultSpec);
        return json(201, { id: fault.id });
      } catch (error) {
        return json(400, { error: error instanceof Error ? error.message : "invalid fault" });
      }
    }
    case "DELETE /faults":
      state.faults = [];
      return json(200, { ok: true });
    case "POST /expire-tokens": {
      const matches = forUser(request);
      let expired = 0;
      for (const token of state.accessTokens.values()) {
        if (matches(token.userId)) {
          token.expiresAt = Date.now() - 1000;
          expired++;
        }
      }
      return json(200, { expired });
    }
    case "POST /revoke-refresh-tokens": {
      const matches = forUser(request);
      let revoked = 0;
      for (const token of state.refreshTokens.values()) {
        if (matches(token.userId)) {
          token.revoked = true;
          revoked++;
        }
      }
      return json(200, { revoked });
    }
    case "GET /requests":
      return json(200, state.log);
    case "DELETE /requests":
      state.log = [];
      return json(200, { ok: true });
    default:
      return json(404, { error: `unknown control route ${route}` });
  }
}
