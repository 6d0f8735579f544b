/**
 * A set of live NDJSON subscribers (the /v1/log/error and /v1/log/audit streams), after KES'
 * internal/api/multicast.go. A subscriber that fails or disconnects is removed.
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

  /** Number of subscribers. */
  get size(): number {
    return this.sinks.size;
  }

  /** Adds a subscriber; returns the function that removes it. */
  add(sink: LineSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
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
    this.sinks.clear();
  }

  /** Writes `line` to every subscriber, dropping those whose write fails. Never throws. */
  publish(line: string): void {
    for (const s of this.sinks) {
      let ok = false;
      try {
        ok = s.write(line);
      } catch {
        ok = false;
      }
      if (!ok) this.sinks.delete(s);
    }
  }
}
