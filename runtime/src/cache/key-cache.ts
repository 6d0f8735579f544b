/**
 * The key cache in front of a keystore, with KES' semantics: parsed key versions cached by name on first
 * use, evicted by free-running tickers (`any`: everything; `unused`: entries not used since the last tick),
 * and an offline mode in which cached keys keep serving. The keystore counts as offline from the first
 * failed keystore call (a status check every 10 s, or a read failing for any reason but "not found") until
 * a call succeeds again; the `offline` window is measured from that first failure, not from a ticker
 * started with the server (a deliberate difference: KES' ticker can drop the keys any time between 0 and
 * `offline` into an outage).
 * @see https://github.com/minio/kes/blob/master/keystore.go (newCache, keyCache)
 */
import { encodeKeyVersion, parseKeyVersion, type KeyVersion } from "../crypto/key-version";
import { KesError } from "../errors";
import { KeystoreUnreachableError, type Keystore, type KeystoreState } from "../keystore/keystore";
import { systemClock, type Clock, type IntervalHandle } from "./clock";

/** How long cached keys live. A value of 0 (or less) turns that rule off. */
export interface CacheExpiry {
  /**
   * Every `anyMs`, all cached keys are dropped (unless offline with `offlineMs` > 0).
   * @default 300000 (5 minutes)
   */
  readonly anyMs: number;
  /**
   * A cached key not used for about `unusedMs` is dropped: checked every `unusedMs / 2`.
   * @default 30000 (30 seconds, as KES documents; KES itself mistakenly applies 30 s to `any` instead)
   */
  readonly unusedMs: number;
  /**
   * While the keystore is offline, cached keys are kept for `offlineMs` after the first failed keystore
   * call, then dropped; 0 means no offline cache: the `any`/`unused` rules go on as usual.
   * @default 0
   */
  readonly offlineMs: number;
}

/** The documented defaults: any 5 m, unused 30 s, offline 0. */
export const DEFAULT_CACHE_EXPIRY: CacheExpiry = Object.freeze({
  anyMs: 300_000,
  unusedMs: 30_000,
  offlineMs: 0,
});

/** Interval of the keystore status check that drives offline mode (KES: 10 s). */
export const STATUS_CHECK_INTERVAL_MS = 10_000;

/** Longest interval between checks of the offline window (the window is also checked on every read). */
const OFFLINE_CHECK_MS = 1_000;

interface Entry {
  readonly kv: KeyVersion;
  used: boolean;
}

/** Caches parsed key versions in front of a keystore; see the module comment for the rules. */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loads = new Map<string, { promise?: Promise<KeyVersion> }>();
  private readonly timers: IntervalHandle[] = [];
  private offline = false;
  /** clock.now() of the first failed keystore call of the current outage. */
  private offlineSince = 0;
  private checking = false;
  private closed = false;

  /**
   * Starts the eviction tickers and the status check on `clock` (timers are unref'd on the system clock).
   * @param expiry @default - see CacheExpiry; pass DEFAULT_CACHE_EXPIRY for the documented defaults
   */
  constructor(
    private readonly store: Keystore,
    readonly expiry: CacheExpiry,
    private readonly clock: Clock = systemClock,
  ) {
    this.every(expiry.anyMs, () => this.evictIfOnline(() => this.entries.clear()));
    this.every(expiry.unusedMs / 2, () =>
      this.evictIfOnline(() => {
        for (const [name, e] of this.entries) {
          if (e.used) e.used = false;
          else this.entries.delete(name);
        }
      }),
    );
    this.every(Math.min(expiry.offlineMs, OFFLINE_CHECK_MS), () => this.checkOfflineWindow());
    this.every(STATUS_CHECK_INTERVAL_MS, () => void this.checkStatus());
  }

  /**
   * Runs an `any`/`unused` eviction unless the keys are held for an outage. With an offline cache, the
   * keystore is asked first: an outage that no call has noticed yet must not lose the keys either.
   */
  private evictIfOnline(evict: () => void): void {
    if (this.expiry.offlineMs <= 0) return evict();
    if (this.offline) return;
    void this.checkStatus().then(() => {
      if (!this.offline && !this.closed) evict();
    });
  }

  /** Drops every key once the offline window, counted from the outage's first failure, has passed. */
  private checkOfflineWindow(): void {
    if (!this.offline || this.expiry.offlineMs <= 0) return;
    if (this.clock.now() - this.offlineSince >= this.expiry.offlineMs) this.entries.clear();
  }

  private wentOffline(): void {
    if (this.offline) return;
    this.offline = true;
    this.offlineSince = this.clock.now();
  }

  private every(ms: number, fn: () => void): void {
    if (ms > 0) this.timers.push(this.clock.setInterval(fn, ms));
  }

  private async checkStatus(): Promise<void> {
    if (this.checking || this.closed) return;
    this.checking = true;
    try {
      await this.store.status();
      this.offline = false;
    } catch {
      this.wentOffline();
    } finally {
      this.checking = false;
    }
  }

  /** True while the last status check failed. */
  get isOffline(): boolean {
    return this.offline;
  }

  /** Number of cached keys (for metrics and tests). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The key version `name`, from the cache or read once from the keystore (concurrent misses for one
   * name share a single keystore read).
   * @throws the keystore's error unchanged (KesError ErrKeyNotFound when it does not exist, other Errors
   *   on keystore failure); Error `invalid key version: ...` when the stored value does not parse.
   */
  async get(name: string): Promise<KeyVersion> {
    this.checkOfflineWindow();
    const hit = this.entries.get(name);
    if (hit) {
      hit.used = true;
      return hit.kv;
    }
    const pending = this.loads.get(name)?.promise;
    if (pending) return pending;
    const slot: { promise?: Promise<KeyVersion> } = {};
    this.loads.set(name, slot);
    slot.promise = (async () => {
      try {
        let stored: Uint8Array;
        try {
          stored = await this.store.get(name);
          this.offline = false;
        } catch (e) {
          if (!(e instanceof KesError)) this.wentOffline();
          throw e;
        }
        const kv = parseKeyVersion(stored);
        // A delete while loading invalidates this load: do not resurrect the key.
        if (this.loads.get(name) === slot) this.entries.set(name, { kv, used: true });
        return kv;
      } finally {
        if (this.loads.get(name) === slot) this.loads.delete(name);
      }
    })();
    return slot.promise;
  }

  /**
   * Encodes and stores a new key version; the cache is not populated (as KES).
   * @throws KesError ErrKeyExists when `name` exists; the keystore's other errors unchanged; Error when
   *   the key version cannot be encoded (no HMAC key).
   */
  async create(name: string, kv: KeyVersion): Promise<void> {
    await this.store.create(name, encodeKeyVersion(kv));
  }

  /**
   * Deletes `name` from the keystore, then from this cache (other nodes keep theirs until expiry).
   * @throws the keystore's error unchanged (the entry stays cached then).
   */
  async delete(name: string): Promise<void> {
    await this.store.delete(name);
    this.entries.delete(name);
    this.loads.delete(name);
  }

  /**
   * Names starting with `prefix`, from the keystore (never cached).
   * @throws the keystore's error unchanged.
   */
  async list(prefix: string): Promise<string[]> {
    return this.store.list(prefix);
  }

  /**
   * The keystore's status; while offline (last periodic check failed) it fails at once.
   * @throws KeystoreUnreachableError `keystore is offline` while offline; otherwise the keystore's error.
   */
  async status(): Promise<KeystoreState> {
    if (this.offline) throw new KeystoreUnreachableError("keystore is offline");
    return this.store.status();
  }

  /** Stops the tickers, drops the cache and closes the keystore. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) this.clock.clearInterval(t);
    this.timers.length = 0;
    this.entries.clear();
    await this.store.close();
  }
}
