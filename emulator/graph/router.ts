/**
 * The machinery behind the Graph route table: authentication, permission
 * checks, path parameters and Graph errors, shared by every /v1.0 endpoint.
 */
import type { EmulatorRequest, EmulatorResponse } from "../http.ts";
import type { AccessTokenGrant, EmulatorState } from "../state.ts";
import { findUser, type DemoUser } from "../tenant.ts";
import { checkMailboxRights, groupMailbox, otherMailbox, sharedScopes } from "./other-mailboxes.ts";
import { graphError, GraphFailure } from "./responses.ts";

export interface GraphContext {
  request: EmulatorRequest;
  state: EmulatorState;
  /** The owner of the data: the signed-in user, or the mailbox a /users/{id}/... path names. */
  user: DemoUser;
  /** The signed-in user when `user` is someone else's mailbox they act in. */
  actor?: DemoUser;
  grant: AccessTokenGrant;
  /** Path parameters by name, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The emulator's base URL, for @odata.context and @odata.nextLink. */
  origin: string;
}

export interface GraphRoute {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /**
   * The path after /v1.0, with {name} parameters: "/me/messages/{messageId}". Matched case-insensitively, like Graph.
   * A {name+} parameter spans several segments but no colon, for path-addressed items: "/me/drive/root:/{path+}:".
   */
  path: string;
  /** Delegated permissions, any one of which allows the call. */
  scopes: readonly string[];
  handle(context: GraphContext): EmulatorResponse;
}

/** The OData system query options the emulator knows; any other `$option` is refused, as Graph does. */
const QUERY_OPTIONS = new Set([
  "$select",
  "$filter",
  "$orderby",
  "$top",
  "$skip",
  "$skiptoken",
  "$search",
  "$count",
  "$expand",
]);

interface CompiledRoute {
  route: GraphRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: GraphRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split(/(\{\w+\+?\})/)
    .map((part) => {
      const parameter = /^\{(\w+)(\+?)\}$/.exec(part);
      if (!parameter?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(parameter[1]);
      return parameter[2] ? "([^:]+)" : "([^/]+)";
    })
    .join("");
  return { route, pattern: new RegExp(`^${source}$`, "i"), names };
}

type Authenticated = { user: DemoUser; grant: AccessTokenGrant };

function authenticate(
  request: EmulatorRequest,
  state: EmulatorState,
  origin: string,
): Authenticated | EmulatorResponse {
  const challenge = {
    "WWW-Authenticate": `Bearer realm="", authorization_uri="${origin}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
  };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (!bearer?.[1]) return graphError(request, 401, "InvalidAuthenticationToken", "Access token is empty.", challenge);
  const grant = state.accessTokens.get(bearer[1]);
  if (!grant) {
    return graphError(
      request,
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure: the emulator did not issue this token (or was reset or restarted since).",
      challenge,
    );
  }
  if (grant.expiresAt <= Date.now()) {
    return graphError(
      request,
      401,
      "InvalidAuthenticationToken",
      "Lifetime validation failed, the token is expired.",
      challenge,
    );
  }
  const user = findUser(grant.userId);
  if (!user) throw new Error(`token for unknown user ${grant.userId}`);
  return { user, grant };
}

function checkQueryOptions(query: URLSearchParams): void {
  for (const name of query.keys()) {
    if (name.startsWith("$") && !QUERY_OPTIONS.has(name.toLowerCase())) {
      throw new GraphFailure(
        400,
        "BadRequest",
        `The query specified in the URI is not valid. Query option '${name.slice(1)}' is not allowed.`,
      );
    }
  }
}

/** Graph refuses writes without a Content-Type. */
function checkContentType(request: EmulatorRequest): void {
  const writes = request.method === "POST" || request.method === "PATCH" || request.method === "PUT";
  if (writes && request.body.length > 0 && !request.headers["content-type"]) {
    throw new GraphFailure(
      400,
      "BadRequest",
      "Write requests (excluding DELETE) must contain the Content-Type header declaration.",
    );
  }
}

export class GraphRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly GraphRoute[]) {
    this.routes = routes.map(compile);
  }

  /** Answers a /v1.0 request; `userId` is the signed-in user once the token checked out. */
  handle(
    request: EmulatorRequest,
    state: EmulatorState,
    origin: string,
  ): { response: EmulatorResponse; userId?: string } {
    const auth = authenticate(request, state, origin);
    if ("status" in auth) return { response: auth };
    const userId = auth.user.id;
    try {
      return { response: this.dispatch(request, state, origin, auth), userId };
    } catch (error) {
      if (error instanceof GraphFailure) {
        return { response: graphError(request, error.status, error.code, error.message), userId };
      }
      throw error;
    }
  }

  private dispatch(
    request: EmulatorRequest,
    state: EmulatorState,
    origin: string,
    auth: Authenticated,
  ): EmulatorResponse {
    const requested = request.url.pathname.replace(/^\/v1\.0/i, "").replace(/\/+$/, "") || "/";
    const mailbox = otherMailbox(requested, auth.user) ?? groupMailbox(requested, state, auth.user, request.method);
    const path = mailbox?.path ?? requested;
    const matches = this.routes.filter((compiled) => compiled.pattern.test(path));
    if (matches.length === 0) {
      const segment = path.split("/").filter(Boolean).pop() ?? "";
      throw new GraphFailure(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
    }
    const match = matches.find((compiled) => compiled.route.method === request.method);
    if (!match) {
      throw new GraphFailure(405, "BadRequest", `The HTTP method '${request.method}' is not allowed on '${path}'.`);
    }
    checkQueryOptions(request.url.searchParams);
    const needed = mailbox?.groupScopes ?? (mailbox?.delegated ? sharedScopes(match.route.scopes) : match.route.scopes);
    if (!needed.some((scope) => auth.grant.scopes.includes(scope))) {
      throw new GraphFailure(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    if (mailbox) checkMailboxRights(mailbox, auth.user, request.method);
    checkContentType(request);
    const values = match.pattern.exec(path)?.slice(1) ?? [];
    const params: Record<string, string> = {};
    match.names.forEach((name, index) => {
      try {
        params[name] = decodeURIComponent(values[index] ?? "");
      } catch {
        throw new GraphFailure(400, "BadRequest", `The path segment '${values[index]}' is not correctly encoded.`);
      }
    });
    return match.route.handle({
      request,
      state,
      user: mailbox?.owner ?? auth.user,
      ...(mailbox?.delegated ? { actor: auth.user } : {}),
      grant: auth.grant,
      params,
      query: request.url.searchParams,
      origin,
    });
  }
}
