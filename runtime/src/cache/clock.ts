/**
 * A time source with interval timers, injectable so time-driven behaviour (cache expiry, offline
 * detection) is tested without sleeping. The system clock's timers are unref'd: they never keep the
 * process alive on their own.
 */

/** Opaque handle of a running interval. */
export type IntervalHandle = { readonly __interval: true } | NodeJS.Timeout;

/** Reads time and runs interval timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` every `ms` milliseconds until cleared. */
  setInterval(fn: () => void, ms: number): IntervalHandle;
  clearInterval(handle: IntervalHandle): void;
}

/** Wall-clock time and Node timers (unref'd). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval(fn, ms) {
    // Node fires intervals above 2^31-1 ms every 1 ms; clamp so a very long expiry only fires early.
    const t = setInterval(fn, Math.min(ms, 2 ** 31 - 1));
    t.unref();
    return t;
  },
  clearInterval(handle) {
    clearInterval(handle as NodeJS.Timeout);
  },
};

interface ManualInterval {
  readonly handle: IntervalHandle;
  readonly fn: () => void;
  readonly ms: number;
  next: number;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires every interval due within that span, in time
 * order (ties in creation order), as real timers would.
 */
export class ManualClock implements Clock {
  private t: number;
  private readonly intervals: ManualInterval[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setInterval(fn: () => void, ms: number): IntervalHandle {
    if (!(ms > 0)) throw new RangeError(`interval must be positive, got ${ms}`);
    const handle = { __interval: true } as const;
    this.intervals.push({ handle, fn, ms, next: this.t + ms });
    return handle;
  }

  clearInterval(handle: IntervalHandle): void {
    const i = this.intervals.findIndex((x) => x.handle === handle);
    if (i >= 0) this.intervals.splice(i, 1);
  }

  /** Number of running intervals (to check that close() stops them). */
  get pending(): number {
    return this.intervals.length;
  }

  /** Moves time forward by `ms`, firing due intervals in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let due: ManualInterval | undefined;
      for (const x of this.intervals) if (x.next <= end && (!due || x.next < due.next)) due = x;
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = end;
  }
}
