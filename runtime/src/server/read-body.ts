/**
 * Reading a request body up to a limit, from an HTTP/2 stream or an HTTP/1.1 request alike.
 */
import type { Readable } from "node:stream";
import { BodyTooLargeError } from "./context";

/**
 * The whole body of `source` when it is at most `limit` bytes (an empty buffer when `limit` <= 0: the
 * route ignores bodies). Stops reading (pauses) at the first byte over the limit.
 * @throws BodyTooLargeError when the body is longer than `limit`; Error when the client aborts or the
 *   stream fails.
 */
export function readBody(source: Readable, limit: number): Promise<Buffer> {
  if (limit <= 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
      source.off("aborted", onAborted);
      if (err) reject(err);
      else if (chunks) resolve(Buffer.concat(chunks, size));
      else resolve(first ?? Buffer.alloc(0));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        source.pause();
        finish(new BodyTooLargeError(limit));
        return;
      }
      if (first === undefined) first = c;
      else (chunks ??= [first]).push(c);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(e);
    const onAborted = () => finish(new Error("request aborted"));
    source.on("data", onData);
    source.once("end", onEnd);
    source.once("error", onError);
    source.once("aborted", onAborted);
  });
}
