/**
 * The doctor's HTTP(S) client: Node's http/https, a `--connect-to` map (reach a Service endpoint at another
 * address while TLS still checks the Service's name, as curl's --connect-to does), optional client
 * certificate, and the server's certificate chain for the TLS check.
 */
import * as http from "node:http";
import * as https from "node:https";
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from "node:tls";

/** `host:port` -> `host:port` to connect to instead. */
export type ConnectTo = ReadonlyMap<string, string>;

/**
 * Parses `--connect-to HOST:PORT=HOST2:PORT2` values.
 * @throws Error naming the value when it is not of that form.
 */
export function parseConnectTo(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const HOST_PORT = /^[A-Za-z0-9.[\]:-]+:\d{1,5}$/;
  for (const v of values) {
    const [from, to, ...rest] = v.split("=");
    if (rest.length > 0 || !HOST_PORT.test(from ?? "") || !HOST_PORT.test(to ?? "")) {
      throw new Error(
        `--connect-to ${JSON.stringify(v)} must be HOST:PORT=HOST2:PORT2, e.g. keyserver.demo.svc.cluster.local:7373=127.0.0.1:44473`,
      );
    }
    out.set(from, to);
  }
  return out;
}

/** Where to connect for a URL: its own host and port, or the --connect-to target. */
export function connectTarget(url: URL, connectTo: ConnectTo): { host: string; port: number } {
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const to = connectTo.get(`${url.hostname}:${port}`);
  if (to === undefined) return { host: url.hostname, port };
  const i = to.lastIndexOf(":");
  return { host: to.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(to.slice(i + 1)) };
}

/** A response, body as text. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The server's certificate chain (https only), leaf first. */
  readonly peerChain?: readonly PeerCertificate[];
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** PEM CA bundle to verify the server with (https). @default - Node's default CAs */
  readonly ca?: string;
  /** Client certificate and key (PEM). Secret: the key is never printed. */
  readonly cert?: string;
  readonly key?: string;
  readonly connectTo?: ConnectTo;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

function chainOf(socket: TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let c = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  while (c && Object.keys(c).length > 0 && !chain.includes(c)) {
    chain.push(c);
    const next = c.issuerCertificate;
    if (!next || next === c) break;
    c = next as typeof c;
  }
  return chain;
}

/**
 * Sends one request. TLS is verified against `ca` for the URL's host name (also when connecting elsewhere).
 * @throws Error "<url>: <cause>" on connection, TLS or timeout errors; HTTP errors come back as the response.
 */
export function httpRequest(urlText: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(urlText);
  const target = connectTarget(url, opts.connectTo ?? new Map());
  const secure = url.protocol === "https:";
  const mod = secure ? https : http;
  const via =
    target.host === url.hostname && target.port === Number(url.port || (secure ? 443 : 80))
      ? ""
      : ` (via ${target.host}:${target.port})`;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: target.host,
        port: target.port,
        method: opts.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, ...(opts.headers ?? {}) },
        timeout: opts.timeoutMs ?? 10_000,
        ...(secure
          ? {
              servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
              ca: opts.ca,
              cert: opts.cert,
              key: opts.key,
              // The URL's host, not the address connected to.
              checkServerIdentity: (_host: string, cert: PeerCertificate) =>
                checkServerIdentity(url.hostname, cert),
              agent: false,
            }
          : { agent: false }),
      },
      (res) => {
        const peerChain = secure ? chainOf(res.socket as TLSSocket) : undefined;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ...(peerChain ? { peerChain } : {}),
          }),
        );
        res.on("error", (e) => reject(new Error(`${url.origin}${via}: ${e.message}`)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(`${url.origin}${via}: ${e.code ? `${e.code} ` : ""}${e.message}`.trim())),
    );
    req.end(opts.body);
  });
}
