/**
 * Helpers for the key server's live tests: an in-process server on a free loopback port (memory or fs
 * keystore) and an HTTP/2 client presenting an Ed25519 certificate derived from an API key, as MinIO does.
 */
import * as http2 from "node:http2";
import * as tls from "node:tls";
import { createSelfSignedCertificate, generateCertificateKey } from "../../../runtime/src/auth/certificate";
import type { PolicyDefinition } from "../../../runtime/src/auth/policy-set";
import type { LoadedConfig } from "../../../runtime/src/config/load";
import { DEFAULT_CACHE, type RouteConfig } from "../../../runtime/src/config/parse";
import type { Keystore } from "../../../runtime/src/keystore/keystore";
import { MemoryKeystore } from "../../../runtime/src/keystore/memory";
import { AuditLog } from "../../../runtime/src/log/audit";
import { Logger } from "../../../runtime/src/log/logger";
import { Metrics } from "../../../runtime/src/metrics/metrics";
import type { ConnectionTimeouts } from "../../../runtime/src/server/connection-timeouts";
import { KesApiServer } from "../../../runtime/src/server/server";
import { buildState } from "../../../runtime/src/server/state";
import { apiKeyCertificate, newApiKey, type KesApiKey } from "../../../scripts/testbed/kes";

/** A client credential: an API key's certificate, explicit PEMs, or none. */
export type Credential = KesApiKey | { certPem: string; keyPem: string } | undefined;

/** An in-process server. */
export interface TestServer {
  readonly server: KesApiServer;
  readonly port: number;
  readonly admin: KesApiKey;
  readonly caPem: string;
  /** Lines the server wrote to its error log and audit output. */
  readonly logLines: string[];
  readonly auditLines: string[];
  loaded(policies?: Readonly<Record<string, PolicyDefinition>>): LoadedConfig;
  stop(): Promise<void>;
}

/** Starts a server on 127.0.0.1:<free> with a self-signed ECDSA certificate and a memory keystore. */
export async function startTestServer(
  opts: {
    policies?: Readonly<Record<string, PolicyDefinition>>;
    keystore?: Keystore;
    api?: Record<string, RouteConfig>;
    /** tls.auth on: verify client certificates against this CA (PEM). */
    verifyCa?: string;
    /** Connection timeouts. @default KES' values */
    timeouts?: Partial<ConnectionTimeouts>;
  } = {},
): Promise<TestServer> {
  const admin = newApiKey();
  const key = generateCertificateKey("ecdsa-p256");
  const cert = createSelfSignedCertificate({
    privateKey: key,
    commonName: "localhost",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
  });
  const tlsMaterial = {
    key: key.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: cert.pem,
    ...(opts.verifyCa ? { verifyClients: true, ca: [opts.verifyCa] } : {}),
  };
  const loaded = (policies = opts.policies ?? {}): LoadedConfig => ({
    config: {
      address: "127.0.0.1:0",
      admin: { kind: "hash", value: admin.identity },
      tls: { key: "", cert: "", auth: "off" },
      policies: {},
      cache: { ...DEFAULT_CACHE },
      api: opts.api ?? {},
      log: { errorLevel: -4, auditLevel: 0 },
      keys: [],
      keystore: { kind: "memory" },
    },
    admin: admin.identity,
    policies,
    tls: tlsMaterial,
  });
  const logLines: string[] = [];
  const auditLines: string[] = [];
  const services = {
    log: new Logger(-4, { write: (l: string) => logLines.push(l) }),
    audit: new AuditLog(true, { write: (l: string) => auditLines.push(l) }),
    metrics: new Metrics(),
  };
  const state = buildState(loaded(), opts.keystore ?? new MemoryKeystore());
  const server = await KesApiServer.start({
    address: "127.0.0.1:0",
    tls: tlsMaterial,
    state,
    services,
    timeouts: opts.timeouts,
  });
  return {
    server,
    port: server.address().port,
    admin,
    caPem: cert.pem,
    logLines,
    auditLines,
    loaded,
    async stop() {
      await server.close(1000);
      await server.currentState().keys.close();
    },
  };
}

/** A response. */
export interface Reply {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Parsed JSON body. */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function credentialPems(c: Credential): { cert?: string; key?: string } {
  if (!c) return {};
  if ("apiKey" in c) {
    const { certPem, keyPem } = apiKeyCertificate(c);
    return { cert: certPem, key: keyPem };
  }
  return { cert: c.certPem, key: c.keyPem };
}

/** An HTTP/2 client session to a test server. */
export class Client {
  readonly session: http2.ClientHttp2Session;
  /** The underlying TLS socket (for resumption checks). */
  readonly socket: tls.TLSSocket;

  constructor(port: number, caPem: string, credential: Credential, tlsExtra: tls.ConnectionOptions = {}) {
    const pems = credentialPems(credential);
    this.socket = tls.connect({
      host: "127.0.0.1",
      port,
      ca: caPem,
      servername: "localhost",
      ALPNProtocols: ["h2"],
      ...pems,
      ...tlsExtra,
    });
    this.session = http2.connect(`https://127.0.0.1:${port}`, { createConnection: () => this.socket });
    this.session.on("error", () => undefined);
  }

  /** Sends one request; `body` objects are JSON-encoded. */
  request(
    method: string,
    path: string,
    body?: string | Buffer | object,
    headers: http2.OutgoingHttpHeaders = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const payload =
        body === undefined
          ? undefined
          : typeof body === "string" || Buffer.isBuffer(body)
            ? body
            : JSON.stringify(body);
      const h: http2.OutgoingHttpHeaders = { ":method": method, ":path": path, ...headers };
      if (payload !== undefined) h["content-length"] = Buffer.byteLength(payload);
      const req = this.session.request(h);
      const chunks: Buffer[] = [];
      let head: http2.IncomingHttpHeaders = {};
      req.on("response", (x) => (head = x));
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (head[":status"] === undefined) return reject(new Error("the stream ended without a response"));
        const buf = Buffer.concat(chunks);
        resolve({
          status: Number(head[":status"]),
          headers: head,
          body: buf,
          json: () => JSON.parse(buf.toString("utf8")),
        });
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.session.closed || this.session.destroyed) return resolve();
      this.session.close(() => resolve());
      setTimeout(() => {
        this.session.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}

/** The KES error body for `message`, byte for byte. */
export function kesError(message: string): string {
  return `{"message":${JSON.stringify(message)}\n}`;
}
