/**
 * Connection timeouts after Go's http.Server as KES configures it (ReadHeaderTimeout 5 s, IdleTimeout
 * 90 s, the TLS handshake bounded by the header timeout) and x/net/http2's 10 s preface timeout, so a
 * client that connects and goes silent (or trickles bytes) holds a connection for seconds, not forever.
 * @see https://github.com/minio/kes/blob/v0.24.0/server.go (listen: http.Server timeouts)
 */

/** Connection timeouts; 0 turns one off. */
export interface ConnectionTimeouts {
  /**
   * The TLS handshake must complete within this time.
   * @default 5000
   */
  readonly handshakeMs: number;
  /**
   * HTTP/1.1: the request headers must arrive within this time, from the connection's start (first
   * request) or from the first byte of a later one.
   * @default 5000
   */
  readonly headerMs: number;
  /**
   * HTTP/2: the client's connection preface must arrive within this time.
   * @default 10000
   */
  readonly prefaceMs: number;
  /**
   * A connection (HTTP/1.1 socket or HTTP/2 session) without any request in flight is closed after this
   * time. A log stream is a request in flight: subscribers are never closed for being quiet.
   * @default 90000
   */
  readonly idleMs: number;
}

/** KES' values. */
export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = Object.freeze({
  handshakeMs: 5_000,
  headerMs: 5_000,
  prefaceMs: 10_000,
  idleMs: 90_000,
});

/**
 * Counts the requests in flight on one connection and calls `expire` when the connection has been
 * without one for too long: `firstMs` from creation (until the first request or `ready()`), `idleMs`
 * after the last request ended.
 */
export class ConnectionActivity {
  private active = 0;
  private timer?: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly expire: () => void,
    firstMs: number,
    private readonly idleMs: number,
  ) {
    this.arm(firstMs);
  }

  /** The connection is set up (HTTP/2 preface received): from now on, only the idle rule applies. */
  ready(): void {
    if (this.active === 0) this.arm(this.idleMs);
  }

  /** A request started. */
  begin(): void {
    this.active++;
    this.clear();
  }

  /** A request ended. */
  end(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.arm(this.idleMs);
  }

  /** The connection closed: no more timers. Idempotent. */
  dispose(): void {
    this.done = true;
    this.clear();
  }

  private arm(ms: number): void {
    this.clear();
    if (this.done || !(ms > 0)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.active === 0 && !this.done) this.expire();
    }, ms);
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
