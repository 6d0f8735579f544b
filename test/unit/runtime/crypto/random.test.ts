import { RANDOM_POOL_SIZE, RandomPool, randomBytes } from "../../../../runtime/src/crypto/random";

describe("RandomPool", () => {
  test("GIVEN many takes across refills WHEN collected THEN each has its length and no two are equal", () => {
    const pool = new RandomPool(256);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const b = pool.take(28);
      expect(b.length).toBe(28);
      seen.add(b.toString("hex"));
    }
    expect(seen.size).toBe(200);
  });

  test("GIVEN a take WHEN the caller wipes its buffer THEN the next take is unaffected (own memory)", () => {
    const pool = new RandomPool();
    const a = pool.take(32);
    a.fill(0);
    const b = pool.take(32);
    expect(b.equals(Buffer.alloc(32))).toBe(false);
  });

  test("GIVEN bytes taken WHEN the pool's memory is read THEN the handed-out bytes are wiped there", () => {
    const pool = new RandomPool(256);
    const taken = pool.take(64);
    const memory = (pool as unknown as { pool: Buffer }).pool;
    expect(memory.subarray(0, 64).equals(Buffer.alloc(64))).toBe(true);
    expect(taken.equals(Buffer.alloc(64))).toBe(false);
    expect(memory.subarray(64).equals(Buffer.alloc(192))).toBe(false);
  });

  test("GIVEN a request larger than the pooled size WHEN taken THEN it is served in full", () => {
    const b = randomBytes(RANDOM_POOL_SIZE + 1);
    expect(b.length).toBe(RANDOM_POOL_SIZE + 1);
    expect(randomBytes(0).length).toBe(0);
  });

  test("GIVEN a bad count or pool size THEN it fails naming the value", () => {
    expect(() => randomBytes(-1)).toThrow("random byte count -1 must be an integer >= 0");
    expect(() => new RandomPool(10)).toThrow("random pool size 10 must be an integer of at least 256 bytes");
  });

  test("GIVEN 64,000 bytes from the pool WHEN counted THEN every byte value occurs (not a constant)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2000; i++) for (const v of randomBytes(32)) counts[v]++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});
