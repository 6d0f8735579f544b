/**
 * A set of live NDJSON subscribers (the /v1/log/error and /v1/log/audit streams), after KES'
 * internal/api/multicast.go. A subscriber that fails or disconnects is removed. In multi-worker mode the
 * other workers' subscribers count too (`remote`) and every published line is also handed to `relay`.
 */

/** Something an event line can be pushed to. */
export interface LineSink {
  /** Writes one line (ending in "\n"); returns false when the sink is gone. */
  write(line: string): boolean;
  /** Ends the subscription (server shutdown). */
  end?(): void;
}

/** Pushes each line to every current subscriber. */
export class Multicast {
  private readonly sinks = new Set<LineSink>();
  /** Subscribers in other worker processes (multi-worker mode). */
  remote = 0;
  /**
   * Receives every line published here while `remote` > 0 (multi-worker: sends it to the other workers).
   * @default - none
   */
  relay?: (line: string) => void;
  /**
   * Called with the number of local subscribers whenever it changes.
   * @default - none
   */
  onLocalChange?: (local: number) => void;

  /** Number of subscribers, local and in other workers: events are produced when it is above 0. */
  get size(): number {
    return this.sinks.size + this.remote;
  }

  /** Number of subscribers in this process. */
  get localSize(): number {
    return this.sinks.size;
  }

  /** Adds a subscriber; returns the function that removes it. */
  add(sink: LineSink): () => void {
    this.sinks.add(sink);
    this.changed();
    return () => {
      if (this.sinks.delete(sink)) this.changed();
    };
  }

  private changed(): void {
    try {
      this.onLocalChange?.(this.sinks.size);
    } catch {
      // the relay is gone (primary exited); local subscribers still work
    }
  }

  /** Ends and removes every subscriber (server shutdown). Never throws. */
  endAll(): void {
    for (const s of this.sinks) {
      try {
        s.end?.();
      } catch {
        // already gone
      }
    }
    const had = this.sinks.size > 0;
    this.sinks.clear();
    if (had) this.changed();
  }

  /** Writes `line` to every subscriber here and, through `relay`, in the other workers. Never throws. */
  publish(line: string): void {
    this.deliver(line);
    if (this.remote > 0 && this.relay) {
      try {
        this.relay(line);
      } catch {
        // the relay is gone (primary exited); local subscribers got the line
      }
    }
  }

  /** Writes `line` to the subscribers of this process only, dropping those whose write fails. Never throws. */
  deliver(line: string): void {
    const before = this.sinks.size;
    for (const s of this.sinks) {
      let ok = false;
      try {
        ok = s.write(line);
      } catch {
        ok = false;
      }
      if (!ok) this.sinks.delete(s);
    }
    if (this.sinks.size !== before) this.changed();
  }
}
