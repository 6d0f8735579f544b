/**
 * A minimal Vault HTTP API client on node:http/node:https with one keep-alive Agent (CA bundle and client
 * certificate from files), so Vault's TLS options work and the runtime bundles into one file. It does
 * not interpret statuses: callers do. Tokens travel only in the X-Vault-Token header and never appear in
 * errors.
 * @see https://developer.hashicorp.com/vault/api-docs
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";

/** TLS files for talking to Vault. */
export interface VaultTlsOptions {
  /**
   * Client private key (PEM file) for mTLS.
   * @default - no client certificate
   */
  readonly key?: string;
  /**
   * Client certificate (PEM file) for mTLS.
   * @default - no client certificate
   */
  readonly cert?: string;
  /**
   * CA certificates (a PEM file, or a directory of PEM files) that verify Vault's certificate.
   * @default - the system roots
   */
  readonly ca?: string;
}

/** One request. */
export interface VaultCall {
  /** X-Vault-Token. @default - none */
  readonly token?: string;
  /** X-Vault-Namespace. @default - none (root namespace) */
  readonly namespace?: string;
  /** JSON body. @default - none */
  readonly body?: unknown;
  /** Query parameters. @default - none */
  readonly query?: Readonly<Record<string, string>>;
}

/** A Vault answer: status and parsed JSON body (undefined when empty). */
export interface VaultReply {
  readonly status: number;
  // Vault's JSON bodies are free-form; callers check the fields they use.
  readonly body: Record<string, unknown> | undefined;
}

/** Vault could not be reached (connection refused/reset, DNS, TLS handshake, timeout). */
export class VaultConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VaultConnectionError";
  }
}

/** Largest response body read (32 MiB, as KES for listings). */
const MAX_BODY = 32 << 20;

function readCaBundle(ca: string): Buffer[] {
  const st = fs.statSync(ca);
  if (!st.isDirectory()) return [fs.readFileSync(ca)];
  return fs
    .readdirSync(ca)
    .filter((f) => /\.(pem|crt|cer)$/i.test(f))
    .map((f) => fs.readFileSync(path.join(ca, f)));
}

/** Vault's `errors` array as one line, or the status text. */
export function vaultErrorText(reply: VaultReply): string {
  const errors = reply.body?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    // Vault wraps several errors as "N error(s) occurred:\n\t* a\n\t* b\n\n": keep the items.
    const items = errors.flatMap((e) => {
      const text = String(e);
      const bullets = [...text.matchAll(/^\s*\* (.+)$/gm)].map((m) => m[1].trim());
      return /^\d+ errors? occurred:/.test(text) && bullets.length > 0 ? bullets : [text.trim()];
    });
    return items.join("; ");
  }
  return http.STATUS_CODES[reply.status] ?? "unexpected response";
}

/** Sends requests to one Vault endpoint. */
export class VaultHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  /**
   * @throws Error when the endpoint is not an http(s) URL or a TLS file cannot be read (naming the file).
   */
  constructor(
    endpoint: string,
    tls: VaultTlsOptions = {},
    private readonly timeoutMs = 10_000,
  ) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(`vault endpoint "${endpoint}" is not a URL: use e.g. https://vault.example.com:8200`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`vault endpoint "${endpoint}" must start with http:// or https://`);
    }
    this.base = url;
    if (url.protocol === "https:") {
      const read = (what: string, file: string | undefined) => {
        if (!file) return undefined;
        try {
          return what === "ca" ? readCaBundle(file) : fs.readFileSync(file);
        } catch (err) {
          throw new Error(`vault tls.${what} "${file}" cannot be read: ${(err as Error).message}`);
        }
      };
      this.transport = https;
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        key: read("key", tls.key),
        cert: read("cert", tls.cert),
        ca: read("ca", tls.ca),
      });
    } else {
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    }
  }

  /** The endpoint, for messages. */
  get endpoint(): string {
    return this.base.origin;
  }

  /**
   * Calls `method /v1/<apiPath>`.
   * @throws VaultConnectionError when Vault cannot be reached or does not answer within the timeout;
   *   Error when the answer is not JSON or exceeds 32 MiB. Never for an HTTP error status.
   */
  request(method: string, apiPath: string, call: VaultCall = {}): Promise<VaultReply> {
    const url = new URL(
      `${this.base.pathname.replace(/\/+$/, "")}/v1/${apiPath.replace(/^\/+/, "")}`,
      this.base,
    );
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (call.token) headers["X-Vault-Token"] = call.token;
    if (call.namespace) headers["X-Vault-Namespace"] = call.namespace;
    const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    if (body) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(body.length);
    }
    const where = `${method} ${url.origin}${url.pathname}`;
    return new Promise<VaultReply>((resolve, reject) => {
      const req = this.transport.request(
        url,
        { method, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) {
              res.destroy();
              reject(new Error(`vault: ${where}: response larger than 32 MiB`));
            } else chunks.push(c);
          });
          res.on("error", (err) =>
            reject(new VaultConnectionError(`vault: ${where}: ${err.message}`, { cause: err })),
          );
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (text.trim() === "") return resolve({ status: res.statusCode ?? 0, body: undefined });
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
            } catch {
              reject(new Error(`vault: ${where}: answered ${res.statusCode} with a body that is not JSON`));
            }
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new VaultConnectionError(`vault: ${where}: no answer within ${this.timeoutMs} ms`)),
      );
      req.on("error", (err) =>
        reject(
          err instanceof VaultConnectionError
            ? err
            : new VaultConnectionError(`vault: ${where}: ${err.message}`, { cause: err }),
        ),
      );
      req.end(body);
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
