/**
 * What a route handler sees and returns. Handlers are plain async functions of an ApiContext: they
 * return a reply (or throw a KesError) and never touch the HTTP objects; log streams write through openStream.
 */
import type { PolicySet } from "../auth/policy-set";
import type { KeyCache } from "../cache/key-cache";
import type { AuditLog } from "../log/audit";
import type { Logger } from "../log/logger";
import type { Metrics } from "../metrics/metrics";
import type { ResponseStream } from "./exchange";

/** How a route authenticates. */
export type RouteAuth =
  /** No identity needed (/version). */
  | "none"
  /** The identity is computed when a certificate is present, but not checked (self-describe, skip_auth). */
  | "identify"
  /** Identity required; admin or a policy allowing the path. */
  | "verify";

/** One API route, as KES' api.Route. */
export interface Route {
  /** Path; a trailing `/` makes it a subtree route whose rest is the resource. */
  readonly path: string;
  /** Expected method; POST is accepted where this is PUT. */
  readonly method: "GET" | "PUT" | "DELETE";
  /** Largest accepted body in bytes; 0: the body is ignored. */
  readonly maxBody: number;
  /** Time after which the stream is reset; 0: none. */
  readonly timeoutMs: number;
  readonly auth: RouteAuth;
  readonly handler: Handler;
  /**
   * Audit message for a finished request, when the route is a key operation.
   * @default - not audited
   */
  readonly audit?: (resource: string, status: number) => string;
}

/** The server state a request runs against; swapped as a whole on reload. */
export interface ServerState {
  readonly admin: string;
  readonly policies: PolicySet;
  readonly keys: KeyCache;
  readonly startTime: Date;
  readonly routes: readonly Route[];
  /** Predefined key names, created at start and on reload. */
  readonly predefinedKeys: readonly string[];
}

/** Long-lived services shared by every state. */
export interface ServerServices {
  readonly log: Logger;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
}

/** Request body larger than the route allows. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** One request, as handlers see it. */
export interface ApiContext {
  readonly state: ServerState;
  readonly services: ServerServices;
  /** Caller identity (lowercase hex), or "" when unknown. */
  readonly identity: string;
  /** Decoded path after the route prefix (key name, pattern, identity). */
  readonly resource: string;
  /** Decoded, clean request path. */
  readonly path: string;
  readonly method: string;
  /** Declared Content-Length, when sent. */
  readonly contentLength: number | undefined;
  /**
   * The request body, at most the route's maxBody.
   * @throws BodyTooLargeError when it is longer; Error when the client aborts.
   */
  readBody(): Promise<Buffer>;
  /**
   * Answers 200 with `contentType`, sends the headers at once and returns the body stream (log
   * streams only; the handler then returns "streamed"). Never throws.
   */
  openStream(contentType: string): ResponseStream;
}

/** A handler's answer. */
export type ApiReply =
  /** Status with an empty body (Content-Length: 0). */
  | { readonly status: number; readonly json?: undefined; readonly text?: undefined }
  /** JSON body (Go json.Encoder form). */
  | { readonly status: number; readonly json: unknown }
  /** Text body with its content type. */
  | { readonly status: number; readonly text: string; readonly contentType: string }
  /** The handler wrote the response itself (log streams). */
  | "streamed";

/**
 * A route handler.
 * @throws KesError for every failure it reports to the client (status and message as KES).
 */
export type Handler = (ctx: ApiContext) => Promise<ApiReply>;
