/**
 * An HTTP/1.1 exchange (the fallback for clients that do not negotiate h2): Node's http request and
 * response objects behind the Exchange interface.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { BodyExchange } from "./body-exchange";
import { STREAM_BACKLOG_LIMIT, type ResponseHeaders, type ResponseStream } from "./exchange";

/** An Exchange over one HTTP/1.1 request. */
export class H1Exchange extends BodyExchange {
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    const socket = req.socket as TLSSocket;
    super({
      method: req.method ?? "",
      url: req.url ?? "",
      contentLengthHeader: req.headers["content-length"],
      // neither Content-Length nor Transfer-Encoding: no body
      noBody: req.headers["transfer-encoding"] === undefined,
      connection: socket,
      socket,
      body: req,
    });
  }

  respond(status: number, headers: ResponseHeaders, body?: Buffer): void {
    const res = this.res;
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    // Node ends the socket after a response that says `Connection: close` (the unread body is dropped).
    res.writeHead(status, this.bodyLeftUnread ? { ...headers, connection: "close" } : headers);
    res.end(body);
  }

  openStream(status: number, headers: ResponseHeaders): ResponseStream {
    const res = this.res;
    if (!res.headersSent) {
      res.writeHead(status, headers);
      // http.ServerResponse buffers the headers until the first write; send them now.
      res.flushHeaders();
    }
    return {
      write: (chunk) => {
        if (res.destroyed || res.writableEnded) return false;
        // writableLength counts the response's own buffer and its socket's
        if (res.writableLength > STREAM_BACKLOG_LIMIT) {
          this.req.socket.destroy();
          return false;
        }
        res.write(chunk);
        return true;
      },
      end: () => {
        if (!res.writableEnded) res.end();
      },
      onClose: (cb) => this.onClose(cb),
    };
  }

  abort(): void {
    if (this.res.writableEnded) return;
    this.req.socket.destroy();
  }

  onClose(cb: () => void): void {
    if (this.res.closed) cb();
    else this.res.once("close", cb);
  }
}
