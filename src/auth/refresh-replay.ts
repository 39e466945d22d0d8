import type { MiddlewareHandler } from "hono";
import { userAccount } from "../session/account/user-account.ts";
import { sha256Hex } from "../shared/text.ts";
import { revokeGrant, rotationsKey } from "./grants.ts";

/** How long a just-rotated refresh token may be presented once more (a client that lost the response). */
export const REFRESH_GRACE_SECONDS = 30;

/** What the provider keeps of a grant's refresh tokens (OAUTH_KV `grant:{userId}:{grantId}`): hashes only. */
interface StoredGrant {
  refreshTokenId?: string;
  previousRefreshTokenId?: string;
}

/** A grant's rotated refresh tokens (hashes), newest first, and whether the newest one's grace is spent. */
interface Rotations {
  rotated: string[];
  lastAt: number;
  graceUsed: boolean;
}

/** Rotated tokens remembered per grant: far more than a client rotates through in a token's lifetime. */
const REMEMBERED_ROTATIONS = 32;
/** How long the memory of a grant's rotations lasts: the provider's default refresh-token lifetime. */
const ROTATIONS_TTL_SECONDS = 30 * 24 * 60 * 60;

function invalidGrant(description: string): Response {
  return Response.json(
    { error: "invalid_grant", error_description: description },
    { status: 400, headers: { "Cache-Control": "no-store" } },
  );
}

/**
 * Refresh-token rotation with replay detection (RFC 9700 §4.14.2, OAuth 2.1).
 * The provider keeps accepting the previous refresh token until the next
 * rotation, so a stolen copy would work and lock its owner out. Here any
 * rotated token presented again counts as theft: the grant is revoked, so
 * every client of it signs in anew and its open sessions end. The one exception is the token rotated
 * last, once, within REFRESH_GRACE_SECONDS: the client whose response was lost.
 */
export const refreshTokenReplay: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (c.req.method !== "POST" || !(c.req.header("Content-Type") ?? "").includes("application/x-www-form-urlencoded")) {
    return next();
  }
  const form = new URLSearchParams(new TextDecoder().decode(await c.req.raw.clone().arrayBuffer()));
  const refreshToken = form.get("refresh_token");
  if (form.get("grant_type") !== "refresh_token" || !refreshToken) return next();
  const [userId, grantId, secret] = refreshToken.split(":");
  if (!userId || !grantId || !secret) return next();
  const presented = await sha256Hex(refreshToken);
  const [grant, rotations] = await Promise.all([
    c.env.OAUTH_KV.get<StoredGrant>(`grant:${userId}:${grantId}`, "json"),
    c.env.OAUTH_KV.get<Rotations>(rotationsKey(grantId), "json"),
  ]);
  const isCurrent = grant?.refreshTokenId === presented;
  if (grant && !isCurrent && rotations?.rotated.includes(presented)) {
    const lostResponse =
      rotations.rotated[0] === presented &&
      grant.previousRefreshTokenId === presented &&
      !rotations.graceUsed &&
      Date.now() - rotations.lastAt < REFRESH_GRACE_SECONDS * 1000;
    if (!lostResponse) {
      await revokeGrant(c.env, grantId, userId);
      // The grant's live SSE streams and WebSockets end with it (the OAuth user id is the account's name).
      const sessionsEnded = await userAccount(c.env, userId)
        .endGrantSessions(grantId)
        .catch(() => 0);
      console.warn(JSON.stringify({ event: "refresh_token_replay", action: "grant_revoked", sessionsEnded }));
      return invalidGrant("This refresh token was already used; sign in again.");
    }
    await next();
    if (c.res.status === 200) await remember(c.env, grantId, { ...rotations, graceUsed: true });
    return;
  }
  await next();
  if (isCurrent && c.res.status === 200) {
    const rotated = [presented, ...(rotations?.rotated ?? [])].slice(0, REMEMBERED_ROTATIONS);
    await remember(c.env, grantId, { rotated, lastAt: Date.now(), graceUsed: false });
  }
};

async function remember(env: Env, grantId: string, rotations: Rotations): Promise<void> {
  await env.OAUTH_KV.put(rotationsKey(grantId), JSON.stringify(rotations), { expirationTtl: ROTATIONS_TTL_SECONDS });
}
