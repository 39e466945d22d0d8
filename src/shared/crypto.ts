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

/**
 * The keys that seal and unseal: the current one first, then earlier ones
 * still accepted during a rotation window. A bare string is a ring of one.
 */
export type KeyRing = string | readonly (string | undefined)[] | undefined;

function keysOf(ring: KeyRing): string[] {
  const list = typeof ring === "string" || ring === undefined ? [ring] : [...ring];
  return list.filter((key): key is string => typeof key === "string" && key.trim() !== "");
}

/** The key ring of an environment: TOKEN_ENCRYPTION_KEY, then TOKEN_ENCRYPTION_KEYS_PREVIOUS (comma-separated). */
export function keyRingOf(env: Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEYS_PREVIOUS">): string[] {
  return [env.TOKEN_ENCRYPTION_KEY, ...(env.TOKEN_ENCRYPTION_KEYS_PREVIOUS ?? "").split(",")]
    .map((key) => key?.trim())
    .filter((key): key is string => typeof key === "string" && key !== "");
}

/** Encrypts a JSON-serialisable value with the ring's current key. `context` is bound as additional data. */
export async function seal(value: unknown, ring: KeyRing, context: string): Promise<SealedValue> {
  const { key, kid } = await loadKey(keysOf(ring)[0]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(value));
  const additionalData = new TextEncoder().encode(context);
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, plaintext);
  return { v: 1, kid, iv: bytesToBase64(iv), ciphertext: bytesToBase64(new Uint8Array(ciphertext)) };
}

/** Whether `sealed` was sealed with the ring's current key (else: reseal it during a rotation). */
export async function isSealedWithCurrentKey(sealed: SealedValue, ring: KeyRing): Promise<boolean> {
  return sealed.kid === (await loadKey(keysOf(ring)[0])).kid;
}

/** Decrypts what {@link seal} produced with a key of the ring and the same context; throws otherwise. */
export async function unseal<T>(sealed: SealedValue, ring: KeyRing, context: string): Promise<T> {
  const keys = keysOf(ring);
  if (keys.length === 0) throw new Error("TOKEN_ENCRYPTION_KEY is not set");
  for (const secret of keys) {
    const { key, kid } = await loadKey(secret);
    if (sealed.kid !== kid) continue;
    const additionalData = new TextEncoder().encode(context);
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: base64ToBytes(sealed.iv), additionalData },
      key,
      base64ToBytes(sealed.ciphertext),
    );
    return JSON.parse(new TextDecoder().decode(plaintext)) as T;
  }
  throw new Error(`sealed with key ${sealed.kid}, which is neither the current key nor a previous one`);
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
