/**
 * Building blocks of the reliability suite: the server process's RSS, raw HTTP/1.1 TLS connections, HTTP/2
 * sessions with a closed-loop load, and a seeded random source. Loopback only.
 */
import * as fs from "node:fs";
import * as http2 from "node:http2";
import * as tls from "node:tls";
import { apiKeyCertificate, type KesApiKey } from "../../scripts/testbed/kes";

/** A key server to probe: its port, CA and a credential allowed everything. */
export interface Target {
  readonly port: number;
  readonly caPem: string;
  readonly admin: KesApiKey;
  /** The server's process id (RSS, liveness). */
  readonly pid: number;
}

/** Resident set size of `pid` in MiB (from /proc). @throws Error when the process is gone. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** True while `pid` runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32): the same seed, the same malformed requests. */
export function random(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

/** An HTTP/1.1 TLS connection with the admin's certificate (or none). */
export interface RawConnection {
  readonly socket: tls.TLSSocket;
  received(): string;
  /** Resolves once the server closed the connection, or after `ms` (then false). */
  closedWithin(ms: number): Promise<boolean>;
  readonly closed: () => boolean;
}

/**
 * Opens an HTTP/1.1 (or, with `alpn: "h2"`, an HTTP/2 whose preface is never sent) TLS connection.
 * @throws Error when TLS fails.
 */
export async function connectRaw(
  t: Pick<Target, "port" | "caPem" | "admin">,
  opts: { alpn?: string; credential?: boolean; read?: boolean } = {},
): Promise<RawConnection> {
  const pems = opts.credential === false ? undefined : apiKeyCertificate(t.admin);
  const socket = tls.connect({
    host: "127.0.0.1",
    port: t.port,
    ca: t.caPem,
    servername: "localhost",
    ...(pems ? { cert: pems.certPem, key: pems.keyPem } : {}),
    ALPNProtocols: [opts.alpn ?? "http/1.1"],
  });
  let data = "";
  let closed = false;
  const waiters: (() => void)[] = [];
  if (opts.read !== false)
    socket.on("data", (c: Buffer) => (data = (data + c.toString("latin1")).slice(-65536)));
  socket.on("error", () => undefined);
  socket.once("close", () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    received: () => data,
    closed: () => closed,
    closedWithin: (ms) =>
      new Promise((resolve) => {
        if (closed) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
  };
}

/** An HTTP/2 session with the admin's certificate (or another credential). */
export function h2Session(t: Target, credential: KesApiKey | undefined = t.admin): http2.ClientHttp2Session {
  const pems = credential ? apiKeyCertificate(credential) : undefined;
  const session = http2.connect(`https://127.0.0.1:${t.port}`, {
    ca: t.caPem,
    servername: "localhost",
    ...(pems ? { cert: pems.certPem, key: pems.keyPem } : {}),
  });
  session.on("error", () => undefined);
  return session;
}

/** The outcome of one HTTP/2 request: a status, or the stream/session error code. */
export function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer | string,
  timeoutMs = 20_000,
): Promise<{ status?: number; error?: string; body: string }> {
  return new Promise((resolve) => {
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request(headers, body === undefined ? { endStream: true } : {});
    } catch (e) {
      return resolve({ error: (e as { code?: string }).code ?? "request", body: "" });
    }
    let status: number | undefined;
    let text = "";
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      resolve({ status, error: "timeout", body: text });
    }, timeoutMs);
    req.on("response", (h) => (status = Number(h[":status"])));
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      clearTimeout(timer);
      resolve({ status, body: text });
    });
    req.on("error", (e: Error & { code?: string }) => {
      clearTimeout(timer);
      resolve({ status, error: e.code ?? e.message, body: text });
    });
    if (body !== undefined) req.end(body);
  });
}

/** Waits for an HTTP/2 session to connect. @throws Error when it fails. */
export function connected(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve, reject) => {
    if (session.connecting === false && !session.destroyed) return resolve();
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
}
