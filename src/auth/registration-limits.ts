import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { limitAnonymous } from "../session/rate-limits.ts";

/** A registration request larger than this is no client's metadata. */
export const MAX_REGISTRATION_BYTES = 16 * 1024;

const URI_FIELDS = ["client_uri", "logo_uri", "policy_uri", "tos_uri", "jwks_uri", "initiate_login_uri"];
const MAX_URI = 2048;
const MAX_NAME = 200;
const MAX_REDIRECT_URIS = 10;
const MAX_CONTACTS = 5;
const MAX_CONTACT = 320;

function refusal(description: string, status = 400): Response {
  return Response.json(
    { error: "invalid_client_metadata", error_description: description },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

/** Why this client metadata is too large to store, or undefined when it is within bounds. */
export function oversizedMetadata(metadata: Record<string, unknown>): string | undefined {
  const tooLong = (field: string, value: unknown, limit: number) =>
    typeof value === "string" && value.length > limit
      ? `${field} is ${value.length} characters; the limit is ${limit}`
      : undefined;
  const name = tooLong("client_name", metadata.client_name, MAX_NAME);
  if (name) return name;
  for (const field of ["software_id", "software_version"]) {
    const problem = tooLong(field, metadata[field], MAX_NAME);
    if (problem) return problem;
  }
  for (const field of URI_FIELDS) {
    const problem = tooLong(field, metadata[field], MAX_URI);
    if (problem) return problem;
  }
  const uris = metadata.redirect_uris;
  if (Array.isArray(uris)) {
    if (uris.length > MAX_REDIRECT_URIS) {
      return `redirect_uris has ${uris.length} entries; the limit is ${MAX_REDIRECT_URIS}`;
    }
    for (const uri of uris) {
      const problem = tooLong("a redirect URI", uri, MAX_URI);
      if (problem) return problem;
    }
  }
  const contacts = metadata.contacts;
  if (Array.isArray(contacts)) {
    if (contacts.length > MAX_CONTACTS) return `contacts has ${contacts.length} entries; the limit is ${MAX_CONTACTS}`;
    for (const contact of contacts) {
      const problem = tooLong("a contact", contact, MAX_CONTACT);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * Dynamic client registration (RFC 7591) with bounds: each field and the
 * body have a size limit, and each client address may register only a few
 * clients a minute (REGISTRATION_RATE_LIMIT). The provider validates the rest.
 */
export const registrationLimits: MiddlewareHandler<{ Bindings: Env }>[] = [
  async (c, next) => {
    const refused = await limitAnonymous(c.env, c.req.raw, c.env.REGISTRATION_RATE_LIMIT);
    if (!refused) return next();
    return Response.json(
      { error: "rate_limited", error_description: refused.message },
      { status: 429, headers: { "Retry-After": String(refused.retryAfterSeconds) } },
    );
  },
  bodyLimit({
    maxSize: MAX_REGISTRATION_BYTES,
    onError: () => refusal(`The registration request is over ${MAX_REGISTRATION_BYTES / 1024} KiB.`, 413),
  }),
  async (c, next) => {
    let metadata: unknown;
    try {
      metadata = JSON.parse(await c.req.raw.clone().text());
    } catch {
      return next(); // The provider answers malformed JSON itself.
    }
    if (typeof metadata === "object" && metadata !== null) {
      const problem = oversizedMetadata(metadata as Record<string, unknown>);
      if (problem) return refusal(problem);
    }
    return next();
  },
];
