import { base64Url } from "../shared/crypto.ts";

/**
 * Which Microsoft accounts approved which MCP client in this browser. The
 * OAuth provider remembers an approval per browser (the user is known only
 * after Microsoft sign-in, which comes after consent); this signed cookie
 * binds it to the account too, so a second account in the same browser is
 * asked before a grant is made for it. It holds short hashes, never an id.
 */
const COOKIE = "__Host-m365-consented";
const MAX_ENTRIES = 20;
const MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

const encoder = new TextEncoder();

async function hmac(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return base64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))));
}

/** One approval: a keyed hash of the client and the account, 16 characters. */
async function entryOf(secret: string, clientId: string, userKey: string): Promise<string> {
  return (await hmac(secret, `consent:${clientId}\n${userKey}`)).slice(0, 16);
}

async function readEntries(request: Request, secret: string): Promise<string[]> {
  const cookies = request.headers.get("Cookie") ?? "";
  const value = cookies
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  if (!value) return [];
  const [entries = "", signature = ""] = value.split(".");
  if (signature !== (await hmac(secret, `cookie:${entries}`))) return [];
  return entries ? entries.split("~") : [];
}

/** Whether this account approved this client in this browser. */
export async function accountApproved(
  request: Request,
  secret: string,
  clientId: string,
  userKey: string,
): Promise<boolean> {
  return (await readEntries(request, secret)).includes(await entryOf(secret, clientId, userKey));
}

/** The Set-Cookie header that adds this account's approval of this client (newest first, bounded). */
export async function approvalCookie(
  request: Request,
  secret: string,
  clientId: string,
  userKey: string,
): Promise<string> {
  const entry = await entryOf(secret, clientId, userKey);
  const entries = [entry, ...(await readEntries(request, secret)).filter((other) => other !== entry)]
    .slice(0, MAX_ENTRIES)
    .join("~");
  const value = `${entries}.${await hmac(secret, `cookie:${entries}`)}`;
  return `${COOKIE}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_SECONDS}`;
}
