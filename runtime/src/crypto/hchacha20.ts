/**
 * HChaCha20: the ChaCha20 core without the final feed-forward, used to derive a sub-key from a 32-byte key
 * and a 16-byte input. KES derives the per-ciphertext ChaCha20-Poly1305 key with it. Node's crypto has no
 * HChaCha20, so it is written here; it is checked against the XChaCha20 draft's test vector.
 * @see https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-xchacha-03#section-2.2
 */

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

function rotl(v: number, n: number): number {
  return ((v << n) | (v >>> (32 - n))) >>> 0;
}

function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 16);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 12);
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 7);
}

/**
 * Derives a 32-byte sub-key from `key` (32 bytes) and `input` (16 bytes).
 * @throws RangeError when `key` is not 32 bytes or `input` is not 16 bytes (a programming error).
 */
export function hchacha20(key: Uint8Array, input: Uint8Array): Buffer {
  if (key.length !== 32) throw new RangeError(`hchacha20: key must be 32 bytes, got ${key.length}`);
  if (input.length !== 16) throw new RangeError(`hchacha20: input must be 16 bytes, got ${input.length}`);
  const k = Buffer.from(key.buffer, key.byteOffset, key.length);
  const n = Buffer.from(input.buffer, input.byteOffset, input.length);
  const s = new Uint32Array(16);
  s.set(SIGMA, 0);
  for (let i = 0; i < 8; i++) s[4 + i] = k.readUInt32LE(i * 4);
  for (let i = 0; i < 4; i++) s[12 + i] = n.readUInt32LE(i * 4);
  for (let round = 0; round < 10; round++) {
    quarterRound(s, 0, 4, 8, 12);
    quarterRound(s, 1, 5, 9, 13);
    quarterRound(s, 2, 6, 10, 14);
    quarterRound(s, 3, 7, 11, 15);
    quarterRound(s, 0, 5, 10, 15);
    quarterRound(s, 1, 6, 11, 12);
    quarterRound(s, 2, 7, 8, 13);
    quarterRound(s, 3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[i], i * 4);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[12 + i], 16 + i * 4);
  s.fill(0);
  return out;
}
