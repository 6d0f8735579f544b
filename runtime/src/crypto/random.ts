/**
 * Cryptographically secure random bytes for the hot path (data keys, IVs and nonces), drawn from a pool
 * that Node's CSPRNG refills 4 KiB at a time. One `crypto.randomBytes` call costs about as much as a
 * whole AES-GCM seal; a generate request needs two (the 32-byte data key, the 28-byte IV and nonce), so
 * they are taken from the pool instead. Every byte is handed out once and wiped in the pool as it is
 * taken, so no later caller and no heap dump of the pool sees bytes already in use. Each process has its
 * own pool: cluster workers are new Node processes (spawned, not copies of this one's memory).
 */
import { randomFillSync } from "node:crypto";

/** Bytes fetched from the CSPRNG per refill. */
export const RANDOM_POOL_SIZE = 4096;

/** Requests larger than this bypass the pool (they are rare: key creation, imports). */
const LARGEST_POOLED = 256;

/** A pool of CSPRNG output, refilled when it runs short. */
export class RandomPool {
  private readonly pool: Buffer;
  /** Bytes before `offset` have been handed out (and wiped). */
  private offset: number;

  constructor(size: number = RANDOM_POOL_SIZE) {
    if (!Number.isInteger(size) || size < LARGEST_POOLED) {
      throw new Error(`random pool size ${size} must be an integer of at least ${LARGEST_POOLED} bytes`);
    }
    this.pool = Buffer.alloc(size);
    this.offset = size; // empty: filled on first use
  }

  /**
   * `n` fresh random bytes in a new buffer of their own (the caller may keep, wipe or hand it on).
   * @throws RangeError when `n` is negative or not an integer.
   */
  take(n: number): Buffer {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`random byte count ${n} must be an integer >= 0`);
    const out = Buffer.allocUnsafe(n);
    if (n > LARGEST_POOLED) return randomFillSync(out);
    if (this.offset + n > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    this.pool.copy(out, 0, this.offset, this.offset + n);
    this.pool.fill(0, this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

const shared = new RandomPool();

/** `n` random bytes from the process' pool (see RandomPool.take). */
export function randomBytes(n: number): Buffer {
  return shared.take(n);
}
