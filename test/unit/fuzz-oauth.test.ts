/**
 * A bounded fuzz run of the sign-in and discovery endpoints: a few thousand
 * generated requests (malformed and oversized bodies, wrong methods and
 * content types, junk query strings, forged tokens and codes) to /register,
 * /token, /authorize, /callback, /logout, /operator/forget-user, /health and
 * the OAuth metadata. Not one answer is a 5xx, and afterwards the server
 * still signs people in and serves them.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, connectClient, random, signIn, worker } from "./helpers.ts";

const REQUESTS = 3000;
const PATHS = [
  "/register",
  "/token",
  "/authorize",
  "/callback",
  "/logout",
  "/operator/forget-user",
  "/health",
  "/.well-known/oauth-authorization-server",
  "/.well-known/oauth-protected-resource",
  "/.well-known/oauth-protected-resource/mcp",
  "/.well-known/openid-configuration",
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "",
];
const JUNK: unknown[] = [null, true, 0, -1, 1e308, "", "🙂", "\u0000", [], {}, [1, [2, [3]]], { a: { b: {} } }];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function junkString(next: () => number): string {
  const length = pick(next, [0, 1, 8, 200, 5000, 70_000]);
  return Array.from({ length: Math.min(length, 64) }, () => String.fromCharCode(Math.floor(next() * 0xd7ff)))
    .join("")
    .repeat(Math.max(1, Math.floor(length / 64)));
}

/** Printable ASCII only: what a header can carry. */
function junkHeader(next: () => number): string {
  const length = pick(next, [0, 1, 8, 200, 4000]);
  return Array.from({ length }, () => String.fromCharCode(0x21 + Math.floor(next() * 94))).join("");
}

function registrationBody(next: () => number): unknown {
  const base: Record<string, unknown> = {
    redirect_uris: ["http://127.0.0.1:9999/cb"],
    token_endpoint_auth_method: "none",
  };
  const field = pick(next, [
    "redirect_uris",
    "client_name",
    "grant_types",
    "response_types",
    "token_endpoint_auth_method",
    "logo_uri",
    "client_uri",
    "contacts",
    "scope",
    "jwks",
  ]);
  base[field] = pick(next, [
    ...JUNK,
    junkString(next),
    Array.from({ length: pick(next, [0, 11, 500]) }, (_, i) => `http://127.0.0.1:${1000 + i}/cb`),
    ["javascript:alert(1)"],
    ["https://evil.example.com/cb#frag"],
    ["http://evil.example.com/cb"],
  ]);
  return base;
}

function tokenForm(next: () => number): string {
  const form = new URLSearchParams();
  form.set(
    "grant_type",
    pick(next, ["authorization_code", "refresh_token", "client_credentials", "password", "", "x"]),
  );
  for (const name of ["code", "refresh_token", "client_id", "code_verifier", "redirect_uri", "scope", "resource"]) {
    if (next() < 0.5) {
      form.set(
        name,
        pick(next, ["", "a:b:c", "u:g:s:extra", "::", junkString(next), "%00", "http://127.0.0.1:9999/cb"]),
      );
    }
  }
  if (next() < 0.2) form.append("grant_type", "refresh_token");
  return form.toString();
}

function query(next: () => number): string {
  const params = new URLSearchParams();
  for (const name of [
    "response_type",
    "client_id",
    "redirect_uri",
    "code_challenge",
    "code_challenge_method",
    "state",
    "scope",
    "resource",
    "code",
    "error",
  ]) {
    if (next() < 0.5)
      params.set(name, pick(next, ["", "code", "S256", "plain", "x".repeat(3000), "%", "\u0000", "🙂"]));
  }
  return params.size ? `?${params}` : "";
}

function generated(next: () => number, index: number): Request {
  const path = pick(next, PATHS);
  const method = pick(next, METHODS);
  const headers = new Headers();
  const contentType = pick(next, CONTENT_TYPES);
  if (contentType) headers.set("Content-Type", contentType);
  if (next() < 0.3) {
    headers.set(
      "Authorization",
      pick(next, ["Bearer ", "Bearer a:b:c", "Basic Og==", `Bearer ${junkHeader(next)}`, "x"]),
    );
  }
  if (next() < 0.2)
    headers.set("Cookie", `__Host-m365-consented=${junkHeader(next).replace(/;/g, "")}; __Host-oauth-x=${index}`);
  let body: string | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const kind = index % 5;
    body =
      kind === 0
        ? JSON.stringify(registrationBody(next))
        : kind === 1
          ? tokenForm(next)
          : kind === 2
            ? JSON.stringify(pick(next, JUNK))
            : kind === 3
              ? junkString(next)
              : JSON.stringify({ user: pick(next, [...JUNK, junkString(next), "adele@contoso.example"]) });
  }
  return new Request(`${ORIGIN}${path}${method === "GET" || next() < 0.3 ? query(next) : ""}`, {
    method,
    headers,
    body,
  });
}

describe("fuzzing the sign-in and discovery endpoints", () => {
  it(`answers ${REQUESTS} generated requests without one 5xx, and still signs people in`, async () => {
    const next = random(20261203);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let index = 0; index < REQUESTS; index++) {
      const request = generated(next, index);
      const described = `${request.method} ${new URL(request.url).pathname}`;
      const response = await worker(request);
      await response.body?.cancel();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500 && failures.length < 10) failures.push(`${described} → ${response.status}`);
    }
    console.log(`fuzz: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].some((status) => status >= 500)).toBe(false);
    // Refusals were not all one kind: the run reached the endpoints' own checks.
    expect(statuses.size).toBeGreaterThan(4);

    const health = await worker(new Request(`${ORIGIN}/health`));
    expect(health.status).toBe(200);
    await health.body?.cancel();
    const client = await connectClient((await signIn("adele@contoso.example")).access_token);
    const who = await client.callTool({ name: "authenticate", arguments: {} });
    expect(who.isError).toBeFalsy();
    await client.close();
  }, 240_000);
});
