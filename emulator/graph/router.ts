/** Graph route table: authentication, permission checks and dispatch for every `/v1.0` endpoint. */
import type { EmulatorRequest, EmulatorResponse } from "../http.ts";
import type { EmulatorState, IssuedAccessToken } from "../state.ts";
import { DEMO_USERS, type DemoUser } from "../tenant.ts";
import { GraphFailure, graphError } from "./responses.ts";

export interface GraphContext {
  request: EmulatorRequest;
  state: EmulatorState;
  user: DemoUser;
  token: IssuedAccessToken;
  /** Path parameters, in pattern order. */
  params: string[];
  /** Absolute URL of the emulator, no trailing slash. */
  origin: string;
}

export interface GraphRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** Matched against the path after `/v1.0`. */
  pattern: RegExp;
  /** The call needs at least one of these delegated permissions. */
  anyScope: readonly string[];
  handle(context: GraphContext): EmulatorResponse;
}

function authenticate(
  request: EmulatorRequest,
  state: EmulatorState,
): { token: IssuedAccessToken; user: DemoUser } | EmulatorResponse {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (!match?.[1]) {
    return graphError(request, 401, "InvalidAuthenticationToken", "Access token is empty.", {
      "WWW-Authenticate":
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
    });
  }
  const token = state.accessTokens.get(match[1]);
  if (!token)
    return graphError(
      request,
      401,
      "InvalidAuthenticationToken",
      "IDX14100: JWT is not well formed, there are no dots (.).",
    );
  if (token.expiresAt <= Date.now()) {
    return graphError(request, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
  }
  return { token, user: DEMO_USERS.find((user) => user.id === token.userId)! };
}

/** Dispatches a `/v1.0/...` request through `routes`. */
export function routeGraph(
  request: EmulatorRequest,
  state: EmulatorState,
  routes: readonly GraphRoute[],
  origin: string,
): { response: EmulatorResponse; userId?: string } {
  const path = request.url.pathname.replace(/^\/v1\.0/, "").replace(/\/+$/, "") || "/";
  const candidates = routes.filter((route) => route.pattern.test(path));
  if (candidates.length === 0) {
    return {
      response: graphError(
        request,
        400,
        "BadRequest",
        `Resource not found for the segment '${path.split("/").filter(Boolean).pop() ?? ""}'.`,
      ),
    };
  }
  const route = candidates.find((candidate) => candidate.method === request.method);
  if (!route)
    return {
      response: graphError(
        request,
        405,
        "Request_BadRequest",
        `The HTTP method '${request.method}' is not allowed for this resource.`,
      ),
    };
  const auth = authenticate(request, state);
  if ("status" in auth) return { response: auth };
  if (route.anyScope.length > 0 && !route.anyScope.some((scope) => auth.token.scopes.includes(scope))) {
    return {
      response: graphError(request, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
      userId: auth.user.id,
    };
  }
  const params = (route.pattern.exec(path) ?? []).slice(1).map((value) => decodeURIComponent(value ?? ""));
  try {
    return {
      response: route.handle({ request, state, user: auth.user, token: auth.token, params, origin }),
      userId: auth.user.id,
    };
  } catch (error) {
    if (error instanceof GraphFailure)
      return { response: graphError(request, error.status, error.code, error.message), userId: auth.user.id };
    throw error;
  }
}
