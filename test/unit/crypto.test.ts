import { describe, expect, it } from "vitest";
import { createPkcePair, isSealedWithCurrentKey, keyRingOf, seal, unseal } from "../../src/shared/crypto.ts";

const KEY = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i)));
const OTHER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => 255 - i)));

describe("sealing secrets at rest", () => {
  it("round-trips a value and never stores it in clear", async () => {
    const secret = { accessToken: "eyJ-very-secret", refreshToken: "rt-secret" };
    const sealed = await seal(secret, KEY, "ctx");
    expect(JSON.stringify(sealed)).not.toContain("very-secret");
    expect(await unseal(sealed, KEY, "ctx")).toEqual(secret);
  });

  it("uses a fresh IV every time", async () => {
    const a = await seal("x", KEY, "ctx");
    const b = await seal("x", KEY, "ctx");
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("refuses another context (one user's sealed tokens cannot pass for another's)", async () => {
    const sealed = await seal("x", KEY, "microsoft-tokens:tenant:userA");
    await expect(unseal(sealed, KEY, "microsoft-tokens:tenant:userB")).rejects.toThrow();
  });

  it("refuses another key and tampered ciphertext", async () => {
    const sealed = await seal("x", KEY, "ctx");
    await expect(unseal(sealed, OTHER_KEY, "ctx")).rejects.toThrow(/neither the current key nor a previous one/);
    const flipped = atob(sealed.ciphertext);
    const tampered = { ...sealed, ciphertext: btoa(String.fromCharCode(flipped.charCodeAt(0) ^ 1) + flipped.slice(1)) };
    await expect(unseal(tampered, KEY, "ctx")).rejects.toThrow();
  });

  it("rotates keys: new data uses the current key, data of a previous key still opens", async () => {
    const old = await seal({ token: "t" }, KEY, "ctx");
    const ring = [OTHER_KEY, KEY];
    expect(await unseal(old, ring, "ctx")).toEqual({ token: "t" });
    expect(await isSealedWithCurrentKey(old, ring)).toBe(false);
    const fresh = await seal({ token: "t" }, ring, "ctx");
    expect(await isSealedWithCurrentKey(fresh, ring)).toBe(true);
    expect(fresh.kid).not.toBe(old.kid);
    // After the rotation window, the retired key's data no longer opens.
    await expect(unseal(old, [OTHER_KEY], "ctx")).rejects.toThrow(/previous one/);
    expect(keyRingOf({ TOKEN_ENCRYPTION_KEY: OTHER_KEY, TOKEN_ENCRYPTION_KEYS_PREVIOUS: ` ${KEY} ,` })).toEqual([
      OTHER_KEY,
      KEY,
    ]);
  });

  it("rejects a missing or short key with a clear message", async () => {
    await expect(seal("x", undefined, "ctx")).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
    await expect(seal("x", btoa("short"), "ctx")).rejects.toThrow(/must decode to 32 bytes/);
  });

  it("makes S256 PKCE pairs (RFC 7636 appendix B shape)", async () => {
    const { verifier, challenge } = await createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    const expected = btoa(String.fromCharCode(...digest))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expect(challenge).toBe(expected);
  });
});
