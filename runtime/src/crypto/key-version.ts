/**
 * A key version: secret key, HMAC key and creation metadata, encoded for the keystore exactly as KES does
 * (standard base64 of a protobuf `KeyVersion`), so KES and this server can share a keystore.
 *
 * ```
 * message SecretKey  { bytes Key = 1; uint32 Type = 2; }   // 1 = AES256, 2 = ChaCha20
 * message HMACKey    { bytes Key = 1; uint32 Hash = 2; }   // 1 = SHA256
 * message KeyVersion { SecretKey Key = 1; HMACKey HMACKey = 2; google.protobuf.Timestamp CreatedAt = 3; string CreatedBy = 4; }
 * ```
 * Legacy JSON key versions (`{"bytes","algorithm"?,"created_at"?,"created_by"?}`) are read too; they have
 * no HMAC key.
 * @see https://github.com/minio/kes/blob/master/internal/crypto/key.go
 * @see https://github.com/minio/kes/blob/master/internal/protobuf/crypto.proto
 */
import { createHmac, randomBytes } from "node:crypto";
import { KesError } from "../errors";
import { decodeStdBase64, isStdBase64 } from "./base64";
import { ProtoWriter, WIRE_BYTES, WIRE_VARINT, readProtoFields, toInt64, type ProtoField } from "./protobuf";
import { SECRET_KEY_SIZE, SecretKey, type KeyAlgorithm } from "./secret-key";
import { GO_ZERO_TIME_SECONDS, fromTimestamp, parseRfc3339, toTimestamp } from "./timestamp";

/** One version of a named key. */
export interface KeyVersion {
  /** The secret key that encrypts and decrypts. */
  readonly key: SecretKey;
  /** The 32-byte HMAC-SHA256 key; absent for keys stored in the legacy JSON format. */
  readonly hmacKey?: Uint8Array;
  /** When the key was created (milliseconds; see createdAtNanos). */
  readonly createdAt: Date;
  /**
   * Nanoseconds within the second of `createdAt`, when known more precisely than milliseconds (keys
   * created by KES carry nanoseconds); lets describe render KES' RFC 3339 time exactly.
   * @default - derived from createdAt's milliseconds
   */
  readonly createdAtNanos?: number;
  /** Identity of the creator (hex), or "" when unknown. */
  readonly createdBy: string;
}

/** Size of an HMAC key in bytes. */
export const HMAC_KEY_SIZE = 32;

const TYPE_OF: Record<KeyAlgorithm, number> = { AES256: 1, ChaCha20: 2 };
const ALGORITHM_OF: Record<number, KeyAlgorithm> = { 1: "AES256", 2: "ChaCha20" };
const HASH_SHA256 = 1;

/** Cipher names KES accepts on import and in legacy key versions, with the algorithm they mean. */
const CIPHER_NAMES: Record<string, KeyAlgorithm> = {
  AES256: "AES256",
  "AES256-GCM_SHA256": "AES256",
  ChaCha20: "ChaCha20",
  "XCHACHA20-POLY1305": "ChaCha20",
};

/**
 * Builds a KeyVersion whose HMAC key is not enumerable, so JSON.stringify and util.inspect of a key
 * version never print key material.
 */
function makeKeyVersion(fields: {
  key: SecretKey;
  hmacKey?: Uint8Array;
  createdAt: Date;
  createdAtNanos?: number;
  createdBy: string;
}): KeyVersion {
  const kv: KeyVersion = { key: fields.key, createdAt: fields.createdAt, createdBy: fields.createdBy };
  if (fields.createdAtNanos !== undefined) {
    Object.defineProperty(kv, "createdAtNanos", { value: fields.createdAtNanos, enumerable: true });
  }
  if (fields.hmacKey) {
    Object.defineProperty(kv, "hmacKey", { value: Buffer.from(fields.hmacKey), enumerable: false });
  }
  return Object.freeze(kv);
}

/**
 * A new key version: random 32-byte secret key and random 32-byte HMAC key, created now by `createdBy`.
 * @param algorithm @default "AES256"
 * Never throws.
 */
export function newKeyVersion(createdBy: string, algorithm: KeyAlgorithm = "AES256"): KeyVersion {
  return makeKeyVersion({
    key: SecretKey.generate(algorithm),
    hmacKey: randomBytes(HMAC_KEY_SIZE),
    createdAt: new Date(),
    createdBy,
  });
}

/**
 * A key version around imported key bytes, with a fresh HMAC key (as KES' import does).
 * @param cipher one of `AES256`, `AES256-GCM_SHA256`, `ChaCha20`, `XCHACHA20-POLY1305`
 * @throws KesError 406 `algorithm '<cipher>' is not supported` for another cipher name;
 *   406 `invalid key size for '<cipher>'` when `key` is not 32 bytes.
 */
export function importKeyVersion(key: Uint8Array, cipher: string, createdBy: string): KeyVersion {
  const algorithm = Object.hasOwn(CIPHER_NAMES, cipher) ? CIPHER_NAMES[cipher] : undefined;
  if (!algorithm) throw new KesError(406, `algorithm '${cipher}' is not supported`);
  if (key.length !== SECRET_KEY_SIZE) throw new KesError(406, `invalid key size for '${cipher}'`);
  return makeKeyVersion({
    key: new SecretKey(algorithm, key),
    hmacKey: randomBytes(HMAC_KEY_SIZE),
    createdAt: new Date(),
    createdBy,
  });
}

/**
 * Encodes a key version as KES stores it: standard base64 (ASCII bytes) of the protobuf KeyVersion.
 * @throws Error when the key version has no HMAC key (a legacy key): KES could not read such an entry.
 */
export function encodeKeyVersion(kv: KeyVersion): Uint8Array {
  if (!kv.hmacKey || kv.hmacKey.length !== HMAC_KEY_SIZE) {
    throw new Error(
      "cannot encode a key version without a 32-byte hmac key: KES requires one in the protobuf form",
    );
  }
  const secret = new ProtoWriter().bytes(1, kv.key.bytes()).uint(2, TYPE_OF[kv.key.algorithm]).finish();
  const hmac = new ProtoWriter().bytes(1, kv.hmacKey).uint(2, HASH_SHA256).finish();
  const ts = toTimestamp(kv.createdAt, kv.createdAtNanos);
  const tsWriter = new ProtoWriter();
  if (ts.seconds !== 0n) tsWriter.uint(1, ts.seconds);
  if (ts.nanos !== 0) tsWriter.uint(2, ts.nanos);
  const w = new ProtoWriter().bytes(1, secret).bytes(2, hmac).bytes(3, tsWriter.finish());
  if (kv.createdBy !== "") w.bytes(4, Buffer.from(kv.createdBy, "utf8"));
  const proto = w.finish();
  const out = Buffer.from(proto.toString("base64"), "ascii");
  secret.fill(0);
  hmac.fill(0);
  proto.fill(0);
  return out;
}

/**
 * Parses a stored key version: the protobuf form (base64 text) or a legacy JSON form.
 * @throws Error `invalid key version: ...` when the value is neither, or a key is not 32 bytes, or the
 *   type/hash is unknown (the message never contains key material).
 */
export function parseKeyVersion(bytes: Uint8Array): KeyVersion {
  const text = Buffer.from(bytes).toString("utf8");
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = true;
  } catch {
    // not JSON: the protobuf form
  }
  return isJson ? parseLegacyJson(json) : parseProtobuf(text.trim());
}

function invalid(reason: string): Error {
  return new Error(`invalid key version: ${reason}`);
}

function parseLegacyJson(json: unknown): KeyVersion {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid('legacy JSON key version must be an object like {"bytes":"<base64>"}');
  }
  const v = json as Record<string, unknown>;
  if (typeof v.bytes !== "string" || !isStdBase64(v.bytes)) {
    throw invalid('legacy JSON field "bytes" must be padded standard base64');
  }
  const algorithmName = v.algorithm ?? "";
  if (typeof algorithmName !== "string") throw invalid('legacy JSON field "algorithm" must be a string');
  const algorithm: KeyAlgorithm | undefined =
    algorithmName === ""
      ? "AES256"
      : Object.hasOwn(CIPHER_NAMES, algorithmName)
        ? CIPHER_NAMES[algorithmName]
        : undefined;
  if (!algorithm) throw invalid(`secret key type '${algorithmName}' is not supported`);
  const raw = Buffer.from(v.bytes, "base64");
  if (raw.length !== SECRET_KEY_SIZE) throw invalid(`key length ${raw.length} for '${algorithm}' must be 32`);
  let createdAt = new Date(Number(GO_ZERO_TIME_SECONDS) * 1000);
  let createdAtNanos: number | undefined = 0;
  if (v.created_at !== undefined && v.created_at !== null) {
    if (typeof v.created_at !== "string")
      throw invalid('legacy JSON field "created_at" must be an RFC 3339 string');
    const t = parseRfc3339(v.created_at);
    createdAt = t.date;
    createdAtNanos = t.nanos;
  }
  const createdBy = v.created_by ?? "";
  if (typeof createdBy !== "string") throw invalid('legacy JSON field "created_by" must be a string');
  const key = new SecretKey(algorithm, raw);
  raw.fill(0);
  return makeKeyVersion({ key, createdAt, createdAtNanos, createdBy });
}

function fieldsOf(b: Uint8Array, what: string): ProtoField[] {
  try {
    return readProtoFields(b);
  } catch (err) {
    throw invalid(`${what}: ${(err as Error).message}`);
  }
}

/** Last occurrence wins, as for proto3 scalar fields. */
function lastBytes(fields: ProtoField[], field: number): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  for (const f of fields) if (f.field === field && f.wire === WIRE_BYTES) out = f.value;
  return out;
}

function lastVarint(fields: ProtoField[], field: number): bigint {
  let out = 0n;
  for (const f of fields) if (f.field === field && f.wire === WIRE_VARINT) out = f.value;
  return out;
}

function parseProtobuf(text: string): KeyVersion {
  let raw: Buffer;
  try {
    raw = decodeStdBase64(text);
  } catch {
    throw invalid("neither JSON nor padded standard base64 of a protobuf KeyVersion");
  }
  const top = fieldsOf(raw, "KeyVersion");
  const secretFields = fieldsOf(lastBytes(top, 1) ?? new Uint8Array(0), "SecretKey");
  const hmacFields = fieldsOf(lastBytes(top, 2) ?? new Uint8Array(0), "HMACKey");
  const tsFields = fieldsOf(lastBytes(top, 3) ?? new Uint8Array(0), "Timestamp");

  const keyBytes = lastBytes(secretFields, 1) ?? new Uint8Array(0);
  if (keyBytes.length !== SECRET_KEY_SIZE) throw invalid(`secret key length ${keyBytes.length} must be 32`);
  const type = lastVarint(secretFields, 2);
  const algorithm = type <= 2n ? ALGORITHM_OF[Number(type)] : undefined;
  if (!algorithm) throw invalid(`secret key type ${type} must be 1 (AES256) or 2 (ChaCha20)`);
  const hmacKey = lastBytes(hmacFields, 1) ?? new Uint8Array(0);
  if (hmacKey.length !== HMAC_KEY_SIZE) throw invalid(`hmac key length ${hmacKey.length} must be 32`);
  const hash = lastVarint(hmacFields, 2);
  if (hash !== BigInt(HASH_SHA256)) throw invalid(`hmac key hash ${hash} must be 1 (SHA256)`);

  let created;
  try {
    created = fromTimestamp(
      toInt64(lastVarint(tsFields, 1)),
      Number(BigInt.asIntN(32, lastVarint(tsFields, 2))),
    );
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const createdBy = Buffer.from(lastBytes(top, 4) ?? new Uint8Array(0)).toString("utf8");
  const kv = makeKeyVersion({
    key: new SecretKey(algorithm, keyBytes),
    hmacKey,
    createdAt: created.date,
    createdAtNanos: created.nanos,
    createdBy,
  });
  raw.fill(0);
  return kv;
}

/**
 * HMAC-SHA256 of `message` under the key version's HMAC key (32 bytes out).
 * @throws KesError 409 `key does not support HMAC` when the key has no HMAC key (legacy JSON keys).
 */
export function hmacOf(kv: KeyVersion, message: Uint8Array): Buffer {
  if (!kv.hmacKey) throw new KesError(409, "key does not support HMAC");
  return createHmac("sha256", kv.hmacKey).update(message).digest();
}
