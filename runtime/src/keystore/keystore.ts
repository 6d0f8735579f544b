/**
 * The keystore interface: where encoded keys live. One backend per file (memory.ts, fs.ts, vault.ts),
 * after KES' internal/keystore. Values are opaque bytes: the encoded key version (crypto/key-version.ts),
 * stored exactly as KES stores them so that KES and this server can share a keystore.
 * @see https://github.com/minio/kes/blob/master/internal/keystore/keystore.go
 */
export interface Keystore {
  /**
   * Stores `value` under `name`.
   * @throws KesError ErrKeyExists when an entry with that name exists; any other Error on keystore failure
   *   (the API maps it to 502 `failed to create key`).
   */
  create(name: string, value: Uint8Array): Promise<void>;

  /**
   * Reads the value stored under `name`.
   * @throws KesError ErrKeyNotFound when there is none; any other Error on keystore failure (-> 502).
   */
  get(name: string): Promise<Uint8Array>;

  /**
   * Deletes the entry `name`.
   * @throws KesError ErrKeyNotFound when the backend can tell it did not exist (fs does, Vault does not);
   *   any other Error on keystore failure (-> 502).
   */
  delete(name: string): Promise<void>;

  /**
   * All names that start with `prefix` (empty prefix: all), sorted, complete (no paging).
   * @throws Error on keystore failure (-> 502 `failed to list keys`).
   */
  list(prefix: string): Promise<string[]>;

  /**
   * Checks that the keystore is reachable and usable, and measures it.
   * @throws KeystoreUnreachableError when it cannot be reached (sealed, timeout, connection refused);
   *   any other Error when it answers with a failure.
   */
  status(): Promise<KeystoreState>;

  /** Releases timers and connections (renewal loops, pingers). Idempotent. */
  close(): Promise<void>;
}

/** What a successful status check measured. */
export interface KeystoreState {
  /** Round-trip time of the check, in milliseconds. */
  readonly latencyMs: number;
}

/** The keystore cannot be reached (/v1/ready -> 504 `key store is not reachable`). */
export class KeystoreUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeystoreUnreachableError";
  }
}
