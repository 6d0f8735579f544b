/**
 * KES-format errors: every failure the key server reports is a KesError with KES' exact status and
 * message, because MinIO and the Go client compare both (errors.Is on kes.Error{code, message}).
 * @see https://github.com/minio/kms-go/blob/main/kes/error.go
 */
export class KesError extends Error {
  constructor(
    /** HTTP status code sent to the client. */
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "KesError";
  }

  /** True when `err` is a KesError with the same status and message as this one (Go's errors.Is). */
  is(err: unknown): boolean {
    return err instanceof KesError && err.status === this.status && err.message === this.message;
  }
}

/** The sentinel errors of kms-go/kes v0.3.1 that MinIO and the CLI test for. */
export const ErrNotAllowed = new KesError(403, "not authorized: insufficient permissions");
export const ErrKeyNotFound = new KesError(404, "key does not exist");
export const ErrKeyExists = new KesError(400, "key already exists");
export const ErrDecrypt = new KesError(400, "decryption failed: ciphertext is not authentic");
export const ErrPolicyNotFound = new KesError(404, "policy does not exist");
export const ErrIdentityNotFound = new KesError(404, "identity does not exist");

/** Keystore failures, mapped to 502 as KES does (5xx except 501 makes clients fail over). */
export const ErrCreateKey = new KesError(502, "failed to create key");
export const ErrReadKey = new KesError(502, "failed to read key");
export const ErrListKeys = new KesError(502, "failed to list keys");
export const ErrDeleteKey = new KesError(502, "failed to delete key");
