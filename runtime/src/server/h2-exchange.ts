/**
 * An HTTP/2 exchange on Node's core stream API (no compat request/response objects): the request
 * headers, the stream as body and response.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { TLSSocket } from "node:tls";
import { BodyExchange } from "./body-exchange";
import { STREAM_BACKLOG_LIMIT, type ResponseHeaders, type ResponseStream } from "./exchange";

const noop = (): void => undefined;

/** An Exchange over one HTTP/2 server stream. */
export class H2Exchange extends BodyExchange {
  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
  ) {
    const session = stream.session!;
    super({
      method: headers[":method"] ?? "",
      url: headers[":path"] ?? "",
      contentLengthHeader: headers["content-length"],
      noBody: stream.endAfterHeaders,
      connection: session,
      socket: session.socket as TLSSocket,
      body: stream,
    });
    // A reset by the client surfaces as a stream error; the close listeners handle the cleanup.
    stream.on("error", noop);
  }

  respond(status: number, headers: ResponseHeaders, body?: Buffer): void {
    const s = this.stream;
    if (s.headersSent || s.destroyed || s.closed) return;
    s.respond(
      { ...headers, ":status": status },
      body === undefined || body.length === 0 ? { endStream: true } : undefined,
    );
    if (body !== undefined && body.length > 0) s.end(body);
    // The client may still be sending the unread body: a reset after the response stops it (as Go does).
    if (this.bodyLeftUnread) {
      const reset = () => s.close(constants.NGHTTP2_NO_ERROR);
      if (s.writableFinished) reset();
      else s.once("finish", reset);
    }
  }

  openStream(status: number, headers: ResponseHeaders): ResponseStream {
    const s = this.stream;
    if (!s.headersSent && !s.destroyed && !s.closed) s.respond({ ...headers, ":status": status });
    return {
      write: (chunk) => {
        if (s.destroyed || s.closed || s.writableEnded) return false;
        if (s.writableLength > STREAM_BACKLOG_LIMIT) {
          s.close(constants.NGHTTP2_CANCEL);
          return false;
        }
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
