/**
 * A KES secret key: 32 bytes and an algorithm, encrypting into KES' current binary ciphertext format
 * `aead_output || iv(16) || nonce(12)` and decrypting that and the legacy MessagePack and JSON forms.
 * @see https://github.com/minio/kes/blob/master/internal/crypto/key.go
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { ErrDecrypt, KesError } from "../errors";
import { open, seal, type KeyAlgorithm } from "./aead";
import { IV_SIZE, RANDOM_SIZE, normalizeCiphertext } from "./ciphertext";
import { randomBytes as pooledRandomBytes } from "./random";

export type { KeyAlgorithm } from "./aead";

/** Size of a secret key in bytes. */
export const SECRET_KEY_SIZE = 32;

/** The two algorithm names of the current format, in KES' spelling. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["AES256", "ChaCha20"];

/**
 * A symmetric key with its algorithm. The key bytes are held privately and hidden from `JSON.stringify`
 * and `util.inspect`, so a key never ends up in a log line by accident.
 */
export class SecretKey {
  /**
   * A new random key.
   * @param algorithm @default "AES256" (what KES picks on CPUs with AES-GCM hardware)
   */
  static generate(algorithm: KeyAlgorithm = "AES256"): SecretKey {
    return new SecretKey(algorithm, randomBytes(SECRET_KEY_SIZE));
  }

  readonly #key: Buffer;

  /**
   * @throws KesError 406 `algorithm '<a>' is not supported` for an unknown algorithm, 406
   *   `invalid key size for '<a>'` when `bytes` is not 32 bytes long.
   */
  constructor(
    readonly algorithm: KeyAlgorithm,
    bytes: Uint8Array,
  ) {
    if (!KEY_ALGORITHMS.includes(algorithm))
      throw new KesError(406, `algorithm '${String(algorithm)}' is not supported`);
    if (bytes.length !== SECRET_KEY_SIZE) throw new KesError(406, `invalid key size for '${algorithm}'`);
    this.#key = Buffer.from(bytes); // a copy: the caller may wipe or reuse its buffer
  }

  /** A copy of the raw key bytes (for encoding into the keystore). */
  bytes(): Buffer {
    return Buffer.from(this.#key);
  }

  /**
   * Encrypts `plaintext`, authenticating `associatedData` (absent = empty), with fresh random IV and nonce.
   * Returns `aead_output || iv16 || nonce12` (44 bytes longer than the plaintext).
   * Never throws for valid keys.
   */
  encrypt(plaintext: Uint8Array, associatedData?: Uint8Array): Buffer {
    const random = pooledRandomBytes(RANDOM_SIZE);
    const iv = random.subarray(0, IV_SIZE);
    const nonce = random.subarray(IV_SIZE);
    return Buffer.concat([seal(this.algorithm, this.#key, iv, nonce, plaintext, associatedData), random]);
  }

  /**
   * Decrypts a ciphertext in the current format or in a legacy MessagePack (first byte 0x95) or JSON
   * (first byte `{`) form, checking `associatedData` (absent = empty). The key's own algorithm is used;
   * a legacy ciphertext's algorithm name is ignored, as KES does.
   * @throws KesError ErrDecrypt (400 `decryption failed: ciphertext is not authentic`) when the ciphertext
   *   is 28 bytes or shorter, malformed, tampered with, or sealed with another key or associated data.
   */
  decrypt(ciphertext: Uint8Array, associatedData?: Uint8Array): Buffer {
    const b = normalizeCiphertext(ciphertext);
    if (b.length <= RANDOM_SIZE) throw ErrDecrypt;
    const split = b.length - RANDOM_SIZE;
    const plaintext = open(
      this.algorithm,
      this.#key,
      b.subarray(split, split + IV_SIZE),
      b.subarray(split + IV_SIZE),
      b.subarray(0, split),
      associatedData,
    );
    if (!plaintext) throw ErrDecrypt;
    return plaintext;
  }

  /** Only the algorithm: key bytes never serialise. */
  toJSON(): { algorithm: KeyAlgorithm } {
    return { algorithm: this.algorithm };
  }

  [inspect.custom](): string {
    return `SecretKey { algorithm: '${this.algorithm}' }`;
  }
}
