/**
 * The two AEAD constructions of KES secret keys, as pure functions of their inputs (the caller picks the
 * random IV and nonce), so they can be checked against fixed test vectors.
 * - AES256: k' = HMAC-SHA256(key, iv), then AES-256-GCM(k', nonce12).
 * - ChaCha20: k' = HChaCha20(key, iv), then IETF ChaCha20-Poly1305 (RFC 8439) with a 12-byte nonce;
 *   this is not libsodium's XChaCha20-Poly1305 (24-byte nonce).
 * @see https://github.com/minio/kes/blob/master/internal/crypto/key.go
 */
import { createCipheriv, createDecipheriv, createHmac, type CipherGCMTypes } from "node:crypto";
import { hchacha20 } from "./hchacha20";
import { IV_SIZE, NONCE_SIZE } from "./ciphertext";

/** The secret key algorithms KES knows. */
export type KeyAlgorithm = "AES256" | "ChaCha20";

/** Size of the AEAD tag appended to the encrypted plaintext. */
export const TAG_SIZE = 16;

/**
 * The per-ciphertext AEAD key derived from the secret key and the 16-byte IV.
 * @throws RangeError when `key` is not 32 bytes or `iv` not 16 bytes (a programming error).
 */
export function deriveAeadKey(algorithm: KeyAlgorithm, key: Uint8Array, iv: Uint8Array): Buffer {
  if (iv.length !== IV_SIZE) throw new RangeError(`iv must be ${IV_SIZE} bytes, got ${iv.length}`);
  if (algorithm === "ChaCha20") return hchacha20(key, iv);
  if (key.length !== 32) throw new RangeError(`key must be 32 bytes, got ${key.length}`);
  return createHmac("sha256", key).update(iv).digest();
}

function cipherName(algorithm: KeyAlgorithm): CipherGCMTypes | "chacha20-poly1305" {
  return algorithm === "AES256" ? "aes-256-gcm" : "chacha20-poly1305";
}

/**
 * Encrypts `plaintext` and authenticates it with `associatedData`; returns `ciphertext || tag(16)`
 * (without the IV and nonce).
 * @throws RangeError on wrong key, IV or nonce sizes (a programming error).
 */
export function seal(
  algorithm: KeyAlgorithm,
  key: Uint8Array,
  iv: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array = new Uint8Array(0),
): Buffer {
  if (nonce.length !== NONCE_SIZE)
    throw new RangeError(`nonce must be ${NONCE_SIZE} bytes, got ${nonce.length}`);
  const k = deriveAeadKey(algorithm, key, iv);
  try {
    // The union of cipher names has no common overload; both are 12-byte-nonce AEADs with 16-byte tags.
    const c = createCipheriv(cipherName(algorithm) as CipherGCMTypes, k, nonce, { authTagLength: TAG_SIZE });
    c.setAAD(associatedData);
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  } finally {
    k.fill(0);
  }
}

/**
 * Opens `sealed` (`ciphertext || tag`) and returns the plaintext, or undefined when it is not authentic
 * (wrong key, tampered bytes, other associated data, too short).
 * @throws RangeError on wrong key, IV or nonce sizes (a programming error).
 */
export function open(
  algorithm: KeyAlgorithm,
  key: Uint8Array,
  iv: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  associatedData: Uint8Array = new Uint8Array(0),
): Buffer | undefined {
  if (nonce.length !== NONCE_SIZE)
    throw new RangeError(`nonce must be ${NONCE_SIZE} bytes, got ${nonce.length}`);
  if (sealed.length < TAG_SIZE) return undefined;
  const k = deriveAeadKey(algorithm, key, iv);
  try {
    const d = createDecipheriv(cipherName(algorithm) as CipherGCMTypes, k, nonce, {
      authTagLength: TAG_SIZE,
    });
    d.setAAD(associatedData);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_SIZE)), d.final()]);
  } catch {
    return undefined;
  } finally {
    k.fill(0);
  }
}
