import { signOutEverywhere } from "../auth/logout.ts";
import { findUser } from "../auth/user-index.ts";
import { userHashOf } from "../observability.ts";
import { limitAnonymous } from "../session/rate-limits.ts";

/** An account's name as the server keeps it: Microsoft tenant id and object id. */
const USER_KEY = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\.[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;
const MAX_NAME_LENGTH = 320;

function answer(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/** Compares the presented key with OPERATOR_KEY in constant time (hashes of equal length). */
async function isOperator(request: Request, key: string): Promise<boolean> {
  const presented = (request.headers.get("Authorization") ?? "").replace(/^Bearer\s+/i, "");
  const digest = (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const [a, b] = await Promise.all([digest(presented), digest(key)]);
  return presented.length > 0 && crypto.subtle.timingSafeEqual(a, b);
}

/**
 * `POST /operator/forget-user` `{"user": "<upn, or tenant id.object id>"}` with
 * `Authorization: Bearer <OPERATOR_KEY>`: removes everything the deployment
 * keeps of one person (MCP grants and tokens, sessions, Microsoft tokens,
 * idempotency records, cached Graph data, the name index). Absent (404) unless
 * the operator set OPERATOR_KEY; `npm run forget-user` calls it.
 */
export async function forgetUserEndpoint(request: Request, env: Env): Promise<Response> {
  if (!env.OPERATOR_KEY) return answer(404, { error: "not_found" });
  const refused = await limitAnonymous(env, request);
  if (refused) return answer(429, { error: "rate_limited", error_description: refused.message });
  if (!(await isOperator(request, env.OPERATOR_KEY))) {
    return answer(401, {
      error: "invalid_token",
      error_description: "Send the deployment's OPERATOR_KEY as a bearer token.",
    });
  }
  const body = (await request.json().catch(() => null)) as { user?: unknown } | null;
  const user = typeof body?.user === "string" ? body.user.trim() : "";
  if (!user || user.length > MAX_NAME_LENGTH) {
    return answer(400, {
      error: "invalid_request",
      error_description: 'Send {"user": "<user principal name, or tenant id.object id>"}.',
    });
  }
  const userKey = USER_KEY.test(user) ? user.toLowerCase() : await findUser(env, user);
  if (!userKey) {
    return answer(404, {
      error: "unknown_user",
      error_description:
        "No one of that name is signed in here (they may have signed out already). Pass tenant id.object id to remove an account by its ids.",
    });
  }
  const report = await signOutEverywhere(env, userKey);
  console.log(JSON.stringify({ event: "operator_forget_user", user: await userHashOf(userKey), ...report }));
  return answer(200, { forgotten: true, ...report });
}
