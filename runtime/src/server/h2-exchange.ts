/**
 * An HTTP/2 exchange on Node's core stream API (no compat request/response objects): the request
 * headers, the stream as body and response.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { TLSSocket } from "node:tls";
import { parseContentLength, type Exchange, type ResponseHeaders, type ResponseStream } from "./exchange";
import { readBody } from "./read-body";

const noop = (): void => undefined;

/** An Exchange over one HTTP/2 server stream. */
export class H2Exchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly contentLength: number | undefined;
  readonly connection: object;
  readonly socket: TLSSocket;

  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
  ) {
    this.method = headers[":method"] ?? "";
    this.url = headers[":path"] ?? "";
    this.contentLength = parseContentLength(headers["content-length"]);
    const session = stream.session!;
    this.connection = session;
    this.socket = session.socket as TLSSocket;
    // A reset by the client surfaces as a stream error; the close listeners handle the cleanup.
    stream.on("error", noop);
  }

  readBody(limit: number): Promise<Buffer> {
    return readBody(this.stream, limit);
  }

  respond(status: number, headers: ResponseHeaders, body?: Buffer): void {
    const s = this.stream;
    if (s.headersSent || s.destroyed || s.closed) return;
    s.respond(
      { ...headers, ":status": status },
      body === undefined || body.length === 0 ? { endStream: true } : undefined,
    );
    if (body !== undefined && body.length > 0) s.end(body);
  }

  openStream(status: number, headers: ResponseHeaders): ResponseStream {
    const s = this.stream;
    if (!s.headersSent && !s.destroyed && !s.closed) s.respond({ ...headers, ":status": status });
    return {
      write: (chunk) => {
        if (s.destroyed || s.closed || s.writableEnded) return false;
        s.write(chunk);
        return true;
      },
      end: () => {
        if (!s.destroyed && !s.writableEnded) s.end();
      },
      onClose: (cb) => this.onClose(cb),
    };
  }

  abort(): void {
    const s = this.stream;
    if (s.writableEnded || s.destroyed || s.closed) return;
    s.close(constants.NGHTTP2_CANCEL);
  }

  onClose(cb: () => void): void {
    if (this.stream.closed || this.stream.destroyed) cb();
    else this.stream.once("close", cb);
  }
}
