/**
 * One request/response exchange, whatever the protocol: HTTP/2 streams (Node's core stream API) and
 * HTTP/1.1 requests (the fallback) both reach the server through this interface, so routing,
 * authentication, handlers and error replies do not depend on the protocol.
 */
import type { TLSSocket } from "node:tls";

/** Response headers (lowercase names). */
export type ResponseHeaders = Readonly<Record<string, string | number>>;

/** A response body written piece by piece (log streams). */
export interface ResponseStream {
  /**
   * Writes one piece; false when the client is gone (nothing written then). A client that reads so slowly
   * that more than the stream's backlog limit is waiting to be sent is disconnected (false then): the
   * server's memory never grows with a stalled reader. Never throws.
   */
  write(chunk: string): boolean;
  /** Ends the response. Idempotent; never throws. */
  end(): void;
  /** Calls `cb` once when the exchange closes (client left, response ended or reset). */
  onClose(cb: () => void): void;
}

/** A request as the server reads it and the response it writes. */
export interface Exchange {
  readonly method: string;
  /** The raw request target (path and query). */
  readonly url: string;
  /**
   * The body length as Go's http.Request.ContentLength sees it: the Content-Length when sent; 0 when the
   * request has no body (HTTP/2: END_STREAM on the HEADERS frame; HTTP/1.1: neither Content-Length nor
   * Transfer-Encoding); undefined when unknown (chunked, or HTTP/2 DATA frames without Content-Length).
   */
  readonly contentLength: number | undefined;
  /**
   * The object identities are cached on: the HTTP/2 session or the HTTP/1.1 socket (one TLS connection,
   * one client certificate).
   */
  readonly connection: object;
  /** The TLS socket the request came over. */
  readonly socket: TLSSocket;
  /**
   * The request body when it is at most `limit` bytes. When it is longer, the connection is marked to
   * close after the response (HTTP/1.1: `Connection: close`, as Go's MaxBytesReader does; HTTP/2: the
   * stream is reset after the response), so no unread body is left on a kept-alive connection.
   * @throws BodyTooLargeError when it is longer; Error when the client aborts.
   */
  readBody(limit: number): Promise<Buffer>;
  /** Sends a complete response; does nothing once a response has started or the exchange is gone. */
  respond(status: number, headers: ResponseHeaders, body?: Buffer): void;
  /** Sends the status and headers at once and returns the body stream. */
  openStream(status: number, headers: ResponseHeaders): ResponseStream;
  /** Resets the stream (HTTP/2) or closes the connection (HTTP/1.1) unless the response has ended. */
  abort(): void;
  /** Calls `cb` once when the exchange closes. */
  onClose(cb: () => void): void;
}

/**
 * The value of a Content-Length header as a number.
 * @returns undefined when absent, negative or not a number. Never throws.
 */
export function parseContentLength(v: string | string[] | undefined): number | undefined {
  if (v === undefined || Array.isArray(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Bytes a log stream may have waiting to be sent to its client; a client further behind is disconnected
 * (it may reconnect). 1 MiB holds a few thousand events: a reader that is merely slow is never cut off.
 */
export const STREAM_BACKLOG_LIMIT = 1024 * 1024;
