/**
 * AES-256-GCM sealing of secrets at rest (Microsoft tokens). The key comes from
 * the TOKEN_ENCRYPTION_KEY secret; each sealed value carries its own random IV
 * and the id of the key that sealed it, so keys can rotate later.
 */

export interface SealedValue {
  /** Format version. */
  v: 1;
  /** Key id: the first 8 hex digits of SHA-256 over the raw key. */
  kid: string;
  iv: string;
  ciphertext: string;
}

const keyCache = new Map<string, Promise<{ key: CryptoKey; kid: string }>>();

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

async function importKey(secret: string): Promise<{ key: CryptoKey; kid: string }> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = base64ToBytes(secret.trim());
  } catch {
    throw new Error("TOKEN_ENCRYPTION_KEY must be base64");
  }
  if (raw.length !== 32) {
    throw new Error(`TOKEN_ENCRYPTION_KEY must decode to 32 bytes, got ${raw.length}`);
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  const kid = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { key, kid };
}

function loadKey(secret: string | undefined): Promise<{ key: CryptoKey; kid: string }> {
  if (!secret) return Promise.reject(new Error("TOKEN_ENCRYPTION_KEY is not set"));
  let entry = keyCache.get(secret);
  if (!entry) {
    entry = importKey(secret);
    keyCache.set(secret, entry);
  }
  return entry;
}

/** Encrypts a JSON-serialisable value. `context` is bound as additional data. */
export async function seal(value: unknown, secret: string | undefined, context: string): Promise<SealedValue> {
  const { key, kid } = await loadKey(secret);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(value));
  const additionalData = new TextEncoder().encode(context);
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, plaintext);
  return { v: 1, kid, iv: bytesToBase64(iv), ciphertext: bytesToBase64(new Uint8Array(ciphertext)) };
}

/** Decrypts what {@link seal} produced with the same key and context; throws otherwise. */
export async function unseal<T>(sealed: SealedValue, secret: string | undefined, context: string): Promise<T> {
  const { key, kid } = await loadKey(secret);
  if (sealed.kid !== kid) throw new Error(`sealed with key ${sealed.kid}, which is not the current key`);
  const additionalData = new TextEncoder().encode(context);
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64ToBytes(sealed.iv), additionalData },
    key,
    base64ToBytes(sealed.ciphertext),
  );
  return JSON.parse(new TextDecoder().decode(plaintext)) as T;
}

/** base64url without padding, for PKCE and random identifiers. */
export function base64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64Url(new Uint8Array(digest)) };
}
