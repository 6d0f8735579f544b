/**
 * What the HTTP/1.1 and HTTP/2 exchanges share: the request line fields, and reading the body up to a
 * limit while remembering that an over-long body was left unread (the response must then end the
 * connection or the stream, so no unread body stays on a kept-alive connection).
 */
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { BodyTooLargeError } from "./context";
import { parseContentLength, type Exchange, type ResponseHeaders, type ResponseStream } from "./exchange";
import { readBody } from "./read-body";

/** The request as an exchange reads it from the protocol's own objects. */
export interface ExchangeRequest {
  readonly method: string;
  readonly url: string;
  /** The Content-Length header as sent. */
  readonly contentLengthHeader: string | string[] | undefined;
  /** True when the request has no body whatever its headers say (HTTP/2: END_STREAM on HEADERS). */
  readonly noBody: boolean;
  readonly connection: object;
  readonly socket: TLSSocket;
  /** The body as a stream. */
  readonly body: Readable;
}

/** The request half of an Exchange; the subclass writes the response for its protocol. */
export abstract class BodyExchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly contentLength: number | undefined;
  readonly connection: object;
  readonly socket: TLSSocket;
  /** The rest of the body was left unread: the response must end the connection (1.1) or stream (2). */
  protected bodyLeftUnread = false;
  private readonly body: Readable;

  protected constructor(req: ExchangeRequest) {
    this.method = req.method;
    this.url = req.url;
    this.contentLength = parseContentLength(req.contentLengthHeader) ?? (req.noBody ? 0 : undefined);
    this.connection = req.connection;
    this.socket = req.socket;
    this.body = req.body;
  }

  async readBody(limit: number): Promise<Buffer> {
    try {
      return await readBody(this.body, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) this.bodyLeftUnread = true;
      throw e;
    }
  }

  abstract respond(status: number, headers: ResponseHeaders, body?: Buffer): void;
  abstract openStream(status: number, headers: ResponseHeaders): ResponseStream;
  abstract abort(): void;
  abstract onClose(cb: () => void): void;
}
