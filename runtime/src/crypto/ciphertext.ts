/**
 * Ciphertext layouts KES has produced, normalised to the current one.
 *
 * Current (KES since 2024-02): `aead_output || iv(16) || nonce(12)`, raw binary.
 * Legacy MessagePack (2022-03 .. 2024-02, first byte 0x95): `[algorithm:str, id:str, iv:bin16, nonce:bin12,
 * bytes:bin]`. Legacy JSON (before 2022-03, first byte `{`): `{"aead","id"?,"iv","nonce","bytes"}`.
 * Both carry the same AEAD output, so converting them is a re-ordering.
 * @see https://github.com/minio/kes/blob/master/internal/crypto/ciphertext.go
 */
import { isStdBase64 } from "./base64";

/** Bytes of randomness appended to every ciphertext: a 16-byte IV (key derivation) and a 12-byte nonce. */
export const RANDOM_SIZE = 28;
export const IV_SIZE = 16;
export const NONCE_SIZE = 12;

/** Algorithm names a legacy MessagePack ciphertext may carry (kes.KeyAlgorithm.UnmarshalText). */
const MSGPACK_ALGORITHMS = new Set(["AES256", "AES256-GCM_SHA256", "ChaCha20", "XCHACHA20-POLY1305"]);
/** AEAD names of the legacy JSON ciphertext. */
const JSON_AEADS = new Set(["AES-256-GCM-HMAC-SHA-256", "ChaCha20Poly1305"]);

/**
 * Converts a legacy MessagePack or JSON ciphertext into the current layout; anything else (including a
 * legacy-looking ciphertext that does not parse) is returned unchanged, as KES does.
 * Never throws: authenticity is decided by the AEAD afterwards.
 */
export function normalizeCiphertext(b: Uint8Array): Uint8Array {
  if (b.length === 0) return b;
  const parsed = b[0] === 0x95 ? parseMsgpack(b) : b[0] === 0x7b ? parseJson(b) : undefined;
  if (!parsed) return b;
  return Buffer.concat([parsed.bytes, parsed.iv, parsed.nonce]);
}

interface LegacyParts {
  readonly iv: Uint8Array;
  readonly nonce: Uint8Array;
  readonly bytes: Uint8Array;
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  done(): boolean {
    return this.pos === this.b.length;
  }
  private take(n: number): Uint8Array | undefined {
    if (n < 0 || this.pos + n > this.b.length) return undefined;
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  private uint(size: 1 | 2 | 4): number | undefined {
    const raw = this.take(size);
    if (!raw) return undefined;
    let v = 0;
    for (const byte of raw) v = v * 256 + byte;
    return v;
  }
  str(): string | undefined {
    const tag = this.uint(1);
    if (tag === undefined) return undefined;
    let len: number | undefined;
    if (tag >= 0xa0 && tag <= 0xbf) len = tag & 0x1f;
    else if (tag === 0xd9) len = this.uint(1);
    else if (tag === 0xda) len = this.uint(2);
    else if (tag === 0xdb) len = this.uint(4);
    if (len === undefined) return undefined;
    const raw = this.take(len);
    return raw && Buffer.from(raw).toString("utf8");
  }
  bin(): Uint8Array | undefined {
    const tag = this.uint(1);
    let len: number | undefined;
    if (tag === 0xc4) len = this.uint(1);
    else if (tag === 0xc5) len = this.uint(2);
    else if (tag === 0xc6) len = this.uint(4);
    return len === undefined ? undefined : this.take(len);
  }
}

function parseMsgpack(b: Uint8Array): LegacyParts | undefined {
  const r = new Reader(b.subarray(1)); // 0x95: fixarray of 5
  const algorithm = r.str();
  const id = r.str();
  const iv = r.bin();
  const nonce = r.bin();
  const bytes = r.bin();
  if (algorithm === undefined || id === undefined || !iv || !nonce || !bytes || !r.done()) return undefined;
  if (!MSGPACK_ALGORITHMS.has(algorithm) || iv.length !== IV_SIZE || nonce.length !== NONCE_SIZE)
    return undefined;
  return { iv, nonce, bytes };
}

function parseJson(b: Uint8Array): LegacyParts | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(b).toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.aead !== "string" || !JSON_AEADS.has(v.aead)) return undefined;
  const iv = bytesField(v.iv);
  const nonce = bytesField(v.nonce);
  const bytes = bytesField(v.bytes);
  if (!iv || !nonce || !bytes || iv.length !== IV_SIZE || nonce.length !== NONCE_SIZE) return undefined;
  return { iv, nonce, bytes };
}

/** A Go `[]byte` JSON field: padded standard base64, or null/absent (empty). */
function bytesField(v: unknown): Buffer | undefined {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== "string" || !isStdBase64(v)) return undefined;
  return Buffer.from(v, "base64");
}
