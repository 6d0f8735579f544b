/**
 * The benchmark's ceiling: a bare Node HTTP/2 + mTLS server (the TLS settings of a KES server: client
 * certificate requested, not verified; TLS 1.2+; the same Ed25519 server certificate) that reads the body and
 * answers generate and decrypt with fixed JSON bodies of exactly the size KES sends. No policy, no
 * crypto, no keystore: what a Node key server cannot beat on this machine.
 *
 * Run as a separate process: `ts-node --transpile-only bench/ceiling-server.ts <port> <cert> <key> [mode]`;
 * it prints "listening" once ready.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http2 from "node:http2";

/** Bodies of the same size as KES' replies: 32-byte DEK, 76-byte ciphertext, base64, JSON + "\n". */
export function ceilingBodies(): { generate: Buffer; decrypt: Buffer } {
  const plaintext = randomBytes(32).toString("base64");
  const ciphertext = randomBytes(76).toString("base64");
  return {
    generate: Buffer.from(JSON.stringify({ plaintext, ciphertext }) + "\n"),
    decrypt: Buffer.from(JSON.stringify({ plaintext }) + "\n"),
  };
}

/**
 * How the ceiling serves HTTP/2: `stream` is Node's core stream API (h2 only, the fastest path);
 * `compat` is createSecureServer({allowHTTP1}) with a request listener, the shape DESIGN.md asks of our
 * key server (every h2 stream then goes through the compat request/response layer).
 */
export type CeilingMode = "stream" | "compat";

/**
 * Starts the ceiling server on 127.0.0.1:port.
 * @throws Error when the mode is unknown.
 */
export function startCeilingServer(
  port: number,
  certPem: string,
  keyPem: string,
  mode: CeilingMode,
): Promise<http2.Http2SecureServer> {
  if (mode !== "stream" && mode !== "compat")
    throw new Error(`ceiling mode "${mode}" must be "stream" or "compat"`);
  const bodies = ceilingBodies();
  const bodyFor = (p: string) =>
    p.startsWith("/v1/key/generate/")
      ? bodies.generate
      : p.startsWith("/v1/key/decrypt/")
        ? bodies.decrypt
        : undefined;
  const server = http2.createSecureServer({
    cert: certPem,
    key: keyPem,
    allowHTTP1: mode === "compat",
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: "TLSv1.2",
  });
  if (mode === "stream") {
    server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      const body = bodyFor(String(headers[":path"] ?? ""));
      stream.on("data", () => undefined);
      stream.on("end", () => {
        if (!body) {
          stream.respond({ ":status": 404, "content-type": "text/plain" });
          stream.end("404 page not found\n");
          return;
        }
        stream.respond({ ":status": 200, "content-type": "application/json", "content-length": body.length });
        stream.end(body);
      });
      stream.on("error", () => undefined);
    });
  } else {
    server.on("request", (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      const body = bodyFor(req.url);
      req.on("data", () => undefined);
      req.on("end", () => {
        if (!body) {
          res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
          return;
        }
        res
          .writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
          .end(body);
      });
    });
  }
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (require.main === module) {
  const [port, certFile, keyFile, mode = "stream"] = process.argv.slice(2);
  if (!port || !certFile || !keyFile) {
    process.stderr.write("usage: ceiling-server.ts <port> <cert.pem> <key.pem> [stream|compat]\n");
    process.exit(2);
  }
  void startCeilingServer(
    Number(port),
    fs.readFileSync(certFile, "utf8"),
    fs.readFileSync(keyFile, "utf8"),
    mode as CeilingMode,
  ).then(() => {
    process.stdout.write("listening\n");
  });
}
