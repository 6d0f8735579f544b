import { ErrKeyNotFound } from "../../../../runtime/src/errors";
import { ManualClock } from "../../../../runtime/src/cache/clock";
import { DEFAULT_CACHE_EXPIRY, KeyCache, type CacheExpiry } from "../../../../runtime/src/cache/key-cache";
import { encodeKeyVersion, newKeyVersion, parseKeyVersion } from "../../../../runtime/src/crypto/key-version";
import { KeystoreUnreachableError, type KeystoreState } from "../../../../runtime/src/keystore/keystore";
import { MemoryKeystore } from "../../../../runtime/src/keystore/memory";

/** A real in-memory keystore that counts reads and can be switched to "down". */
class CountingStore extends MemoryKeystore {
  reads = 0;
  statusCalls = 0;
  down = false;
  closed = false;
  gate?: Promise<void>;
  override async get(name: string): Promise<Uint8Array> {
    this.reads++;
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:8200");
    const value = await super.get(name);
    if (this.gate) await this.gate; // the answer is on its way back
    return value;
  }
  override async status(): Promise<KeystoreState> {
    this.statusCalls++;
    if (this.down) throw new KeystoreUnreachableError("connect ECONNREFUSED 127.0.0.1:8200");
    return super.status();
  }
  override async close(): Promise<void> {
    this.closed = true;
  }
}

const flush = () => new Promise((r) => setImmediate(r));

async function setup(expiry: Partial<CacheExpiry> = {}) {
  const store = new CountingStore();
  await store.create("k1", encodeKeyVersion(newKeyVersion("creator")));
  await store.create("k2", encodeKeyVersion(newKeyVersion("creator")));
  const clock = new ManualClock();
  const cache = new KeyCache(store, { ...DEFAULT_CACHE_EXPIRY, ...expiry }, clock);
  return { store, clock, cache };
}

/** Advances the clock in steps, letting the async status checks settle at each step. */
async function advance(clock: ManualClock, ms: number, step = 1000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

describe("KeyCache", () => {
  test("GIVEN the documented defaults THEN any is 5 m, unused 30 s, offline 0", () => {
    expect(DEFAULT_CACHE_EXPIRY).toEqual({ anyMs: 300_000, unusedMs: 30_000, offlineMs: 0 });
  });

  test("GIVEN a stored key WHEN read twice THEN the keystore is read once and the key parses", async () => {
    const { store, cache } = await setup();
    const a = await cache.get("k1");
    const b = await cache.get("k1");
    expect(b).toBe(a);
    expect(store.reads).toBe(1);
    expect(a.key.bytes()).toEqual(parseKeyVersion(await store.get("k1")).key.bytes());
  });

  test("GIVEN a burst of 100 requests for one uncached key WHEN they run concurrently THEN one keystore read serves all", async () => {
    const { store, cache } = await setup();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const all = Promise.all([...Array(100).keys()].map(() => cache.get("k1")));
    await flush();
    open();
    const results = await all;
    expect(store.reads).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  test("GIVEN concurrent requests for two keys WHEN they run THEN each key is read once", async () => {
    const { store, cache } = await setup();
    await Promise.all([cache.get("k1"), cache.get("k2"), cache.get("k1"), cache.get("k2")]);
    expect(store.reads).toBe(2);
  });

  test("fails when the key does not exist, passing ErrKeyNotFound through unchanged, and caches nothing", async () => {
    const { store, cache } = await setup();
    await expect(cache.get("nope")).rejects.toBe(ErrKeyNotFound);
    await expect(cache.get("nope")).rejects.toBe(ErrKeyNotFound);
    expect(store.reads).toBe(2);
    expect(cache.size).toBe(0);
  });

  test("fails when a concurrent burst's single read fails: every caller gets the keystore error", async () => {
    const { store, cache } = await setup();
    store.down = true;
    const results = await Promise.allSettled([cache.get("k1"), cache.get("k1"), cache.get("k1")]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(
      Array(3).fill("connect ECONNREFUSED 127.0.0.1:8200"),
    );
    expect(store.reads).toBe(1);
  });

  test("GIVEN a key used all the time WHEN the any expiry passes THEN it is read again", async () => {
    const { store, clock, cache } = await setup({ anyMs: 60_000, unusedMs: 0 });
    await cache.get("k1");
    clock.advance(59_999);
    await cache.get("k1");
    expect(store.reads).toBe(1);
    clock.advance(1);
    await cache.get("k1");
    expect(store.reads).toBe(2);
  });

  test("GIVEN a key not used WHEN unused/2 has passed twice THEN it is evicted", async () => {
    const { store, clock, cache } = await setup({ unusedMs: 30_000 });
    await cache.get("k1");
    clock.advance(15_000); // first tick: clears the used flag
    expect(cache.size).toBe(1);
    clock.advance(15_000); // second tick: unused since the first, evicted
    expect(cache.size).toBe(0);
    await cache.get("k1");
    expect(store.reads).toBe(2);
  });

  test("GIVEN a key used between unused ticks WHEN ticks pass THEN it stays cached", async () => {
    const { store, clock, cache } = await setup({ unusedMs: 30_000 });
    await cache.get("k1");
    for (let i = 0; i < 6; i++) {
      clock.advance(15_000);
      await cache.get("k1");
    }
    expect(store.reads).toBe(1);
  });

  test("GIVEN a cached key WHEN deleted THEN the next read goes to the keystore and finds nothing", async () => {
    const { cache } = await setup();
    await cache.get("k1");
    await cache.delete("k1");
    await expect(cache.get("k1")).rejects.toBe(ErrKeyNotFound);
  });

  test("GIVEN a read in flight WHEN the key is deleted THEN the finished read does not re-populate the cache", async () => {
    const { store, cache } = await setup();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const pending = cache.get("k1");
    await flush();
    await cache.delete("k1");
    open();
    await pending;
    expect(cache.size).toBe(0);
  });

  test("GIVEN a new key version WHEN created through the cache THEN it is stored encoded and not cached", async () => {
    const { store, cache } = await setup();
    const kv = newKeyVersion("me", "ChaCha20");
    await cache.create("k3", kv);
    expect(cache.size).toBe(0);
    expect(parseKeyVersion(await store.get("k3")).key.bytes()).toEqual(kv.key.bytes());
  });

  test("GIVEN a reachable keystore WHEN 10 s pass THEN one status check runs and status goes to the keystore", async () => {
    const { store, clock, cache } = await setup();
    clock.advance(10_000);
    await flush();
    expect(store.statusCalls).toBe(1);
    expect((await cache.status()).latencyMs).toBe(1);
  });

  test("fails at once with KeystoreUnreachableError 'keystore is offline' after a failed status check", async () => {
    const { store, clock, cache } = await setup();
    store.down = true;
    await advance(clock, 10_000);
    const calls = store.statusCalls;
    await expect(cache.status()).rejects.toThrow(new KeystoreUnreachableError("keystore is offline"));
    expect(store.statusCalls).toBe(calls);
    expect(cache.isOffline).toBe(true);
  });

  test("GIVEN an offline keystore that comes back WHEN the next check succeeds THEN status works again", async () => {
    const { store, clock, cache } = await setup();
    store.down = true;
    await advance(clock, 10_000);
    store.down = false;
    await advance(clock, 10_000);
    expect(cache.isOffline).toBe(false);
    expect((await cache.status()).latencyMs).toBe(1);
  });

  test("GIVEN offline expiry 0 WHEN the keystore goes down THEN cached keys serve until the any tick only", async () => {
    const { store, clock, cache } = await setup({ anyMs: 60_000, unusedMs: 0, offlineMs: 0 });
    await cache.get("k1");
    store.down = true;
    await advance(clock, 59_000);
    expect(cache.isOffline).toBe(true);
    expect((await cache.get("k1")).createdBy).toBe("creator");
    await advance(clock, 1_000);
    await expect(cache.get("k1")).rejects.toThrow("connect ECONNREFUSED");
  });

  test("GIVEN offline expiry 10 m WHEN the keystore is down THEN cached keys survive any/unused ticks until 10 m after the first failed call", async () => {
    const { store, clock, cache } = await setup({ anyMs: 60_000, unusedMs: 30_000, offlineMs: 600_000 });
    await cache.get("k1");
    store.down = true;
    await advance(clock, 10_000); // offline detected by the status check at 10 s
    await advance(clock, 599_000); // many any/unused ticks, k1 never used again
    expect(cache.size).toBe(1);
    expect((await cache.get("k1")).createdBy).toBe("creator");
    await advance(clock, 1_000); // 600 s after the first failure
    expect(cache.size).toBe(0);
    await expect(cache.get("k1")).rejects.toThrow("connect ECONNREFUSED");
  });

  test("GIVEN offline expiry 60 s and an outage at 100 s WHEN time passes THEN the keys live until 60 s after the first failed call, not until a ticker started with the cache", async () => {
    const { store, clock, cache } = await setup({ anyMs: 3_600_000, unusedMs: 0, offlineMs: 60_000 });
    await cache.get("k1");
    await advance(clock, 100_000);
    store.down = true;
    await expect(cache.get("k2")).rejects.toThrow("connect ECONNREFUSED"); // first failure at 100 s
    await advance(clock, 59_000); // 159 s: past the 120 s tick a start-based ticker would drop them at
    expect((await cache.get("k1")).createdBy).toBe("creator");
    await advance(clock, 1_000); // 160 s
    await expect(cache.get("k1")).rejects.toThrow("connect ECONNREFUSED");
  });

  test("GIVEN an outage no call has noticed yet WHEN the any tick comes THEN the keystore is asked first and the keys are kept", async () => {
    const { store, clock, cache } = await setup({ anyMs: 15_000, unusedMs: 0, offlineMs: 60_000 });
    await advance(clock, 10_000); // a successful status check
    await cache.get("k1");
    store.down = true;
    await advance(clock, 5_000); // the any tick at 15 s, before the next status check at 20 s
    expect(cache.isOffline).toBe(true);
    expect(cache.size).toBe(1);
  });

  test("GIVEN an outage WHEN a read succeeds again THEN the next outage gets a full window", async () => {
    const { store, clock, cache } = await setup({ anyMs: 3_600_000, unusedMs: 0, offlineMs: 30_000 });
    await cache.get("k1");
    store.down = true;
    await expect(cache.get("k2")).rejects.toThrow("connect ECONNREFUSED");
    await advance(clock, 20_000);
    store.down = false;
    await cache.get("k2");
    expect(cache.isOffline).toBe(false);
    store.down = true;
    await advance(clock, 25_000); // 45 s after the first outage began, 25 s into the second
    expect((await cache.get("k1")).createdBy).toBe("creator");
  });

  test("GIVEN offline expiry WHEN the keystore is reachable THEN the usual any expiry applies", async () => {
    const { store, clock, cache } = await setup({ anyMs: 60_000, unusedMs: 0, offlineMs: 600_000 });
    await cache.get("k1");
    await advance(clock, 60_000);
    await cache.get("k1");
    expect(store.reads).toBe(2);
  });

  test("GIVEN a running cache WHEN closed THEN every timer stops and the keystore is closed", async () => {
    const { store, clock, cache } = await setup({ offlineMs: 1000 });
    expect(clock.pending).toBe(4);
    await cache.close();
    await cache.close();
    expect(clock.pending).toBe(0);
    expect(store.closed).toBe(true);
  });

  test("GIVEN zero expiries WHEN the cache starts THEN only the status check runs", async () => {
    const { clock } = await setup({ anyMs: 0, unusedMs: 0, offlineMs: 0 });
    expect(clock.pending).toBe(1);
  });
});
