/** The RSA key the emulator signs id_tokens with: generated once per process, published as a JWKS. */
import { createHash, generateKeyPairSync, sign } from "node:crypto";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicJwk = publicKey.export({ format: "jwk" });
/** Key id: a thumbprint of the public key, as Entra's kids are. */
const KEY_ID = createHash("sha256").update(`${publicJwk.n}.${publicJwk.e}`).digest("base64url").slice(0, 27);

/** A compact RS256 JWT of `claims`. */
export function signJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${encode({ typ: "JWT", alg: "RS256", kid: KEY_ID })}.${encode(claims)}`;
  return `${signingInput}.${sign("RSA-SHA256", Buffer.from(signingInput), privateKey).toString("base64url")}`;
}

/** The body of the keys endpoint. */
export function jwks(): { keys: Record<string, unknown>[] } {
  return { keys: [{ kty: "RSA", use: "sig", kid: KEY_ID, alg: "RS256", n: publicJwk.n, e: publicJwk.e }] };
}
