/**
 * The HTTPS server: HTTP/2 with HTTP/1.1 fallback over TLS >= 1.2, client certificates requested but (by
 * default) not verified, identity per connection, Go ServeMux routing, KES' method/auth/body/timeout rules,
 * KES-format errors. State (keys, policies, routes) is swapped as a whole on reload.
 * @see https://github.com/minio/kes/blob/master/server.go
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import * as http2 from "node:http2";
import type { Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { isAllowed } from "../auth/policy";
import { ErrNotAllowed, KesError } from "../errors";
import { AuditLog } from "../log/audit";
import { Logger } from "../log/logger";
import { Metrics } from "../metrics/metrics";
import {
  ConnectionActivity,
  DEFAULT_CONNECTION_TIMEOUTS,
  type ConnectionTimeouts,
} from "./connection-timeouts";
import type { ApiContext, ApiReply, Route, ServerServices, ServerState } from "./context";
import type { Exchange, ResponseHeaders } from "./exchange";
import { H1Exchange } from "./h1-exchange";
import { H2Exchange } from "./h2-exchange";
import { identify, peerCertificates } from "./identify";
import { errorBody, goJsonLine } from "./json";
import { parseTarget } from "./path";
import { Router } from "./router";

/** Server TLS material. */
export interface ServerTls {
  /** PEM private key. */
  readonly key: Buffer | string;
  /** PEM certificate (chain). */
  readonly cert: Buffer | string;
  /**
   * Password of an encrypted private key.
   * @default - none
   */
  readonly passphrase?: string;
  /**
   * Verify client certificates against `ca` (tls.auth on).
   * @default false
   */
  readonly verifyClients?: boolean;
  /**
   * CA certificates for verifyClients.
   * @default - none
   */
  readonly ca?: readonly (Buffer | string)[];
}

/** What a server is started with. */
export interface KesApiServerOptions {
  /** `host:port` (port 0: any free port). */
  readonly address: string;
  readonly tls: ServerTls;
  readonly state: ServerState;
  /**
   * Shared log, audit and metrics services.
   * @default - new ones writing to stderr/stdout
   */
  readonly services?: ServerServices;
  /**
   * Connection timeouts (handshake, headers, HTTP/2 preface, idle).
   * @default DEFAULT_CONNECTION_TIMEOUTS (KES' values)
   */
  readonly timeouts?: Partial<ConnectionTimeouts>;
}

type Identified = { readonly identity: string } | { readonly error: KesError };

/**
 * Splits `host:port`, with `[v6]:port` and `:port` (all interfaces).
 * @throws Error naming the value when the port is missing or not a number.
 */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`address "${address}" must be host:port, e.g. 0.0.0.0:7373 or 127.0.0.1:7373`);
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port: Number(m[3]) };
}

function tlsOptions(t: ServerTls): http2.SecureServerOptions {
  return {
    key: t.key,
    cert: t.cert,
    passphrase: t.passphrase,
    ca: t.ca ? [...t.ca] : undefined,
    minVersion: "TLSv1.2",
    requestCert: true,
    rejectUnauthorized: t.verifyClients === true,
  };
}

/**
 * A running KES API server (the runtime's HTTPS listener; not the `KeyServer` construct of constructs/,
 * which deploys it).
 */
export class KesApiServer {
  /**
   * Starts listening.
   * @throws Error when the TLS material is unusable or the address cannot be bound.
   */
  static async start(opts: KesApiServerOptions): Promise<KesApiServer> {
    const services = opts.services ?? {
      log: new Logger(),
      audit: new AuditLog(true),
      metrics: new Metrics(),
    };
    const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, ...opts.timeouts };
    const srv = new KesApiServer(opts.tls, opts.state, services, timeouts);
    const { host, port } = splitAddress(opts.address);
    await new Promise<void>((resolve, reject) => {
      srv.server.once("error", reject);
      srv.server.listen(port, host, () => {
        srv.server.off("error", reject);
        resolve();
      });
    });
    return srv;
  }

  readonly services: ServerServices;
  private readonly server: http2.Http2SecureServer;
  private state: ServerState;
  private router: Router<Route>;
  private readonly identities = new WeakMap<object, Identified>();
  private readonly sessions = new Set<Http2Session>();
  private readonly sockets = new Set<TLSSocket>();
  /** Requests in flight per connection (HTTP/1.1 socket or HTTP/2 session), for the idle timeouts. */
  private readonly activity = new WeakMap<object, ConnectionActivity>();
  private closing?: Promise<void>;

  private constructor(
    tls: ServerTls,
    state: ServerState,
    services: ServerServices,
    timeouts: ConnectionTimeouts,
  ) {
    this.services = services;
    this.state = state;
    this.router = new Router(state.routes);
    this.server = http2.createSecureServer({
      ...tlsOptions(tls),
      allowHTTP1: true,
      handshakeTimeout: timeouts.handshakeMs > 0 ? timeouts.handshakeMs : undefined,
    });
    // HTTP/1.1: Node's own check of requests whose headers are incomplete (a trickling client on a
    // kept-alive connection); the first request and idle connections are covered by ConnectionActivity.
    const h1 = this.server as unknown as {
      headersTimeout: number;
      requestTimeout: number;
      connectionsCheckingInterval: number;
    };
    h1.headersTimeout = timeouts.headerMs;
    h1.requestTimeout = 0;
    h1.connectionsCheckingInterval = Math.max(250, Math.min(timeouts.headerMs || 1000, 1000));
    // HTTP/2 streams are served on the core stream API. Node's compat layer (Http2ServerRequest and
    // Http2ServerResponse for every stream, a large tail latency under load) switches itself on when the
    // first 'request' listener is added; that switch is removed first, so 'request' only ever carries the
    // HTTP/1.1 fallback's requests.
    this.server.removeAllListeners("newListener");
    this.server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      // Node emits 'stream' on a later tick: the stream (and its session) may be gone by then.
      if (stream.destroyed || stream.closed || !stream.session) return;
      this.serve(stream, () => {
        this.track(stream.session, stream);
        return new H2Exchange(stream, headers);
      });
    });
    this.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (req.httpVersionMajor >= 2) return; // never reached: HTTP/2 is served through 'stream'
      this.serve(res, () => {
        this.track(req.socket, res);
        return new H1Exchange(req, res);
      });
    });
    this.server.on("session", (s: Http2Session) => {
      this.sessions.add(s);
      const activity = new ConnectionActivity(
        () => {
          s.close();
          setTimeout(() => s.destroy(), 1000).unref();
        },
        timeouts.prefaceMs,
        timeouts.idleMs,
      );
      this.activity.set(s, activity);
      s.once("remoteSettings", () => activity.ready());
      s.once("close", () => {
        activity.dispose();
        this.sessions.delete(s);
      });
    });
    this.server.on("secureConnection", (sock: TLSSocket) => {
      this.sockets.add(sock);
      if (sock.alpnProtocol !== "h2") {
        const activity = new ConnectionActivity(() => sock.destroy(), timeouts.headerMs, timeouts.idleMs);
        this.activity.set(sock, activity);
        sock.once("close", () => activity.dispose());
      }
      sock.once("close", () => this.sockets.delete(sock));
    });
    this.server.on("tlsClientError", (err: Error) =>
      services.log.debug("tls handshake failed", { error: err.message }),
    );
  }

  /** The bound address. */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** The current state. */
  currentState(): ServerState {
    return this.state;
  }

  /**
   * Swaps in a new state (and, when given, new TLS material for new connections); returns the old state so
   * the caller can close its cache after in-flight requests are done. A change of `verifyClients` needs a
   * restart: Node applies requestCert/rejectUnauthorized per server, not per secure context.
   * @throws Error when the TLS material is unusable (the old state stays in place then).
   */
  update(state: ServerState, tls?: ServerTls): ServerState {
    if (tls) this.server.setSecureContext(tlsOptions(tls));
    const router = new Router(state.routes);
    const old = this.state;
    this.state = state;
    this.router = router;
    return old;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, ends log streams,
   * then closes every connection. Idempotent. Never throws.
   */
  close(graceMs = 5000): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.services.log.stream.endAll();
      this.services.audit.stream.endAll();
      for (const s of this.sessions) s.close();
      // HTTP/1.1 connections (HTTP/2 ones are closed through their sessions above)
      for (const sock of this.sockets) if (sock.alpnProtocol !== "h2") sock.end();
      const timer = setTimeout(() => {
        for (const s of this.sessions) s.destroy();
        for (const sock of this.sockets) sock.destroy();
      }, graceMs);
      timer.unref();
    });
    return this.closing;
  }

  /**
   * Starts serving one request. A failure to set the exchange up (a stream torn down under it) ends that
   * request only, never the process: it is logged and the stream or response destroyed.
   */
  private serve(target: { destroy(): unknown }, setup: () => Exchange): void {
    let ex: Exchange;
    try {
      ex = setup();
    } catch (e) {
      this.services.log.debug("request dropped", { error: e instanceof Error ? e.message : String(e) });
      target.destroy();
      return;
    }
    this.handle(ex).catch((e: unknown) => {
      this.services.log.error("request failed", { error: e instanceof Error ? e.message : String(e) });
      ex.abort();
    });
  }

  /** Counts one request on its connection until `exchange` (the stream or response) closes. */
  private track(connection: object | undefined, exchange: NodeJS.EventEmitter): void {
    const activity = connection ? this.activity.get(connection) : undefined;
    if (!activity) return;
    activity.begin();
    exchange.once("close", () => activity.end());
  }

  private identityOf(ex: Exchange): Identified {
    let id = this.identities.get(ex.connection);
    if (!id) {
      try {
        id = { identity: identify(peerCertificates(ex.socket)) };
      } catch (e) {
        id = { error: e instanceof KesError ? e : new KesError(400, "tls: client certificate is required") };
      }
      this.identities.set(ex.connection, id);
    }
    return id;
  }

  private authenticate(route: Route, ex: Exchange, path: string, state: ServerState): string {
    if (route.auth === "none") return "";
    const id = this.identityOf(ex);
    if (route.auth === "identify") return "identity" in id ? id.identity : "";
    if ("error" in id) throw id.error;
    if (id.identity === state.admin) return id.identity;
    const policyName = state.policies.identities.get(id.identity);
    const policy = policyName === undefined ? undefined : state.policies.policies.get(policyName);
    if (!policy || !isAllowed(policy, path)) {
      this.services.log.debug("access denied", { path, identity: id.identity, policy: policyName ?? "" });
      throw ErrNotAllowed;
    }
    return id.identity;
  }

  private async handle(ex: Exchange): Promise<void> {
    const started = performance.now();
    const { metrics } = this.services;
    const state = this.state;
    // Go's ServeMux answers the asterisk-form target (`OPTIONS *` aside) with an empty 400.
    if (ex.url === "*") return ex.respond(400, { "content-length": 0 });
    const target = parseTarget(ex.url);
    if (!target) return sendText(ex, 400, "400 Bad Request", "text/plain; charset=utf-8");
    const m = this.router.match(target.rawPath, target.query);
    if (m.kind === "notFound") return sendText(ex, 404, "404 page not found\n", "text/plain; charset=utf-8");
    if (m.kind === "redirect") return ex.respond(307, { location: m.location, "content-length": 0 });
    const route = m.route;
    metrics.active++;
    let timer: NodeJS.Timeout | undefined;
    if (route.timeoutMs > 0) {
      timer = setTimeout(() => ex.abort(), route.timeoutMs);
      timer.unref();
    }
    let status = 500;
    let identity = "";
    let streamed = false;
    let extraHeaders: ResponseHeaders | undefined;
    try {
      if (ex.method !== route.method && !(ex.method === "POST" && route.method === "PUT")) {
        extraHeaders = { accept: route.method };
        throw new KesError(405, `received method '${ex.method}' expected '${route.method}'`);
      }
      identity = this.authenticate(route, ex, target.path, state);
      const ctx: ApiContext = {
        state,
        services: this.services,
        identity,
        resource: m.resource,
        path: target.path,
        method: ex.method,
        contentLength: ex.contentLength,
        readBody: () => ex.readBody(route.maxBody),
        openStream: (contentType) => ex.openStream(200, { "content-type": contentType }),
      };
      const reply = await route.handler(ctx);
      if (reply === "streamed") {
        streamed = true;
        status = 200;
      } else {
        status = reply.status;
        send(ex, reply);
      }
    } catch (e) {
      let err: KesError;
      if (e instanceof KesError) {
        err = e;
      } else {
        this.services.log.error("request failed", {
          path: target.path,
          error: e instanceof Error ? e.message : String(e),
        });
        err = new KesError(500, "internal server error");
      }
      status = err.status;
      sendError(ex, err, extraHeaders);
    }
    if (streamed) {
      ex.onClose(() => {
        metrics.active--;
        metrics.countStatus(status);
      });
    } else {
      if (timer) clearTimeout(timer);
      metrics.active--;
      metrics.countStatus(status);
      metrics.observeLatency((performance.now() - started) / 1000);
    }
    if (route.audit && this.services.audit.active) {
      this.services.audit.log({
        time: new Date(),
        method: ex.method,
        path: target.path,
        identity,
        ip: ex.socket.remoteAddress ?? "",
        status,
        responseTimeMs: performance.now() - started,
        message: route.audit(m.resource, status),
      });
    }
  }
}

function send(ex: Exchange, reply: Exclude<ApiReply, "streamed">): void {
  if ("json" in reply && reply.json !== undefined) {
    const body = goJsonLine(reply.json);
    ex.respond(reply.status, { "content-type": "application/json", "content-length": body.length }, body);
  } else if ("text" in reply && reply.text !== undefined) {
    sendText(ex, reply.status, reply.text, reply.contentType);
  } else {
    ex.respond(reply.status, { "content-length": 0 });
  }
}

function sendText(ex: Exchange, status: number, text: string, contentType: string): void {
  const body = Buffer.from(text, "utf8");
  ex.respond(
    status,
    { "content-type": contentType, "content-length": body.length, "x-content-type-options": "nosniff" },
    body,
  );
}

/** Writes a KES-format error, unless a response has already started. Never throws. */
function sendError(ex: Exchange, err: KesError, extra?: ResponseHeaders): void {
  const body = errorBody(err.message);
  ex.respond(
    err.status,
    { ...extra, "content-type": "application/json", "content-length": body.length },
    body,
  );
}
