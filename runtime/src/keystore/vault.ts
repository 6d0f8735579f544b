/**
 * The Vault (and OpenBao) keystore: keys live on the K/V engine (v1 or v2) exactly where and how KES keeps
 * them, `{"<name>": "<encoded key version>"}` at `<engine>[/data]/<prefix>/<name>`, optionally wrapped
 * with a transit key (`vault:v1:` ciphertexts only), so this server and KES can share a keystore.
 * @see https://github.com/minio/kes/blob/master/internal/keystore/vault/vault.go
 */
import { ErrKeyExists, ErrKeyNotFound } from "../errors";
import { KeystoreUnreachableError, type Keystore, type KeystoreState } from "./keystore";
import { selectNames } from "./list";
import { VaultAuth, type VaultAppRole, type VaultKubernetes } from "./vault-auth";
import {
  VaultConnectionError,
  VaultHttp,
  vaultErrorText,
  type VaultCall,
  type VaultReply,
  type VaultTlsOptions,
} from "./vault-http";
import { joinVaultPath, kvPaths, type KvPaths, type KvVersion } from "./vault-paths";

/** Settings of a Vault keystore (KES' `keystore.vault` block). */
export interface VaultKeystoreOptions {
  /** Vault address, e.g. `https://vault.example.com:8200`. */
  readonly endpoint: string;
  /**
   * Mount path of the K/V engine.
   * @default "kv"
   */
  readonly engine?: string;
  /**
   * K/V engine version.
   * @default "v1"
   */
  readonly version?: KvVersion;
  /**
   * Vault namespace of the K/V engine (X-Vault-Namespace on every request except health).
   * @default - the root namespace
   */
  readonly namespace?: string;
  /**
   * Folder inside the engine that holds the keys.
   * @default "" (the engine's root)
   */
  readonly prefix?: string;
  /** AppRole login (exactly one of approle and kubernetes). */
  readonly approle?: VaultAppRole;
  /** Kubernetes service-account login (exactly one of approle and kubernetes). */
  readonly kubernetes?: VaultKubernetes;
  /**
   * Transit key that wraps stored keys.
   * @default - keys are stored unwrapped
   */
  readonly transit?: {
    /** Mount path of the transit engine. @default "transit" */
    readonly engine?: string;
    /** Name of the transit key; it must not rotate (only `vault:v1:` ciphertexts are handled). */
    readonly key: string;
  };
  /**
   * TLS files for talking to Vault.
   * @default - system roots, no client certificate
   */
  readonly tls?: VaultTlsOptions;
  /**
   * Interval of the health ping that tracks whether Vault is sealed.
   * @default 15000
   */
  readonly statusPingMs?: number;
  /**
   * Timeout of one Vault request.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Receives short, secret-free lines about background failures (renewal, re-login).
   * @default - silent
   */
  readonly onError?: (message: string) => void;
}

/** Query that makes sys/health answer 2xx in every state, as the Vault SDK's Sys().Health() sends. */
const HEALTH_QUERY = {
  uninitcode: "299",
  sealedcode: "299",
  standbycode: "299",
  drsecondarycode: "299",
  performancestandbycode: "299",
};
const TRANSIT_PREFIX = "vault:v1:";

type Body = Record<string, unknown>;

function asObject(v: unknown): Body | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Body) : undefined;
}

/** A Vault keystore; create it with VaultKeystore.connect. */
export class VaultKeystore implements Keystore {
  /**
   * Validates the options, logs in once, and starts token renewal and the sealed-state ping.
   * @throws Error naming the field for invalid options (`vault keystore version "v3" must be "v1" or "v2"`);
   *   Error `vault: login at "<path>" failed: ...` when the first login fails (no retry, as KES);
   *   VaultConnectionError when Vault cannot be reached.
   */
  static async connect(options: VaultKeystoreOptions): Promise<VaultKeystore> {
    const version = options.version ?? "v1";
    if (version !== "v1" && version !== "v2") {
      throw new Error(
        `vault keystore version "${String(version)}" must be "v1" or "v2": set keystore.vault.version`,
      );
    }
    if (options.transit && !options.transit.key) {
      throw new Error(
        "vault keystore transit key is empty: set keystore.vault.transit.key to the transit key name",
      );
    }
    const http = new VaultHttp(options.endpoint, options.tls, options.requestTimeoutMs ?? 10_000);
    const state = { sealed: false };
    const auth = new VaultAuth({
      http,
      namespace: options.namespace,
      approle: options.approle,
      kubernetes: options.kubernetes,
      sealed: () => state.sealed,
      onError: options.onError,
    });
    try {
      await auth.start();
    } catch (err) {
      auth.stop();
      http.close();
      throw err;
    }
    return new VaultKeystore(
      state,
      options,
      http,
      auth,
      kvPaths(options.engine || "kv", version, options.prefix ?? ""),
      version,
    );
  }

  private readonly pinger: NodeJS.Timeout;
  private closed = false;

  private constructor(
    /** Whether Vault was sealed at the last ping (shared with the token renewal, which waits then). */
    private readonly state: { sealed: boolean },
    private readonly options: VaultKeystoreOptions,
    private readonly http: VaultHttp,
    private readonly auth: VaultAuth,
    private readonly paths: KvPaths,
    private readonly version: KvVersion,
  ) {
    const ping = async () => {
      try {
        const reply = await this.health();
        if (reply.status < 500) this.state.sealed = reply.body?.sealed === true;
      } catch {
        // unreachable: status() reports it; the sealed flag keeps its last known value
      }
    };
    void ping();
    this.pinger = setInterval(
      () => void ping(),
      options.statusPingMs && options.statusPingMs > 0 ? options.statusPingMs : 15_000,
    );
    this.pinger.unref();
  }

  private health(): Promise<VaultReply> {
    // Never with the namespace header: Vault answers 404 for root-only paths inside a namespace.
    return this.http.request("GET", "sys/health", { query: HEALTH_QUERY });
  }

  private checkSealed(): void {
    if (this.closed) throw new Error("vault keystore is closed");
    if (this.state.sealed) throw new Error(`vault: key store is sealed (${this.http.endpoint})`);
  }

  /** An authenticated call in the keystore's namespace; a 403 triggers one re-login and one retry. */
  private async call(
    method: string,
    apiPath: string,
    call: Omit<VaultCall, "token" | "namespace"> = {},
  ): Promise<VaultReply> {
    const token = this.auth.token;
    const ns = this.options.namespace || undefined;
    const reply = await this.http.request(method, apiPath, { ...call, token, namespace: ns });
    if (reply.status === 403 && (await this.auth.refreshAfterDenied(token))) {
      return this.http.request(method, apiPath, { ...call, token: this.auth.token, namespace: ns });
    }
    return reply;
  }

  private failure(what: string, location: string, reply: VaultReply): Error {
    return new Error(`vault: failed to ${what} '${location}': ${reply.status} ${vaultErrorText(reply)}`);
  }

  /** The K/V entry's fields: v1 `data`, v2 `data.data`; undefined when the entry holds none. */
  private entryData(reply: VaultReply): Body | undefined {
    const data = asObject(reply.body?.data);
    return this.version === "v2" ? asObject(data?.data) : data;
  }

  /**
   * Creates `{"<name>": value}` (transit-wrapped when configured) after checking it does not exist; v2
   * writes with `cas: 0` so concurrent creates cannot overwrite each other.
   * @throws KesError ErrKeyExists when the entry exists; Error for sealed Vault, an entry without the
   *   key field, a transit failure or any other Vault failure (-> 502).
   */
  async create(name: string, value: Uint8Array): Promise<void> {
    this.checkSealed();
    const location = this.paths.entry(name);
    const existing = await this.call("GET", location);
    if (existing.status === 200) {
      if (this.entryData(existing)?.[name] !== undefined) throw ErrKeyExists;
      if (this.version === "v1" || this.entryData(existing) !== undefined) {
        throw new Error(
          `vault: entry '${location}' exists but has no field '${name}': it is not a key written by KES`,
        );
      }
      // v2 whose latest version is deleted: fall through, cas 0 decides
    } else if (existing.status !== 404) {
      throw this.failure("create", location, existing);
    }

    let stored = Buffer.from(value).toString("utf8");
    if (this.options.transit) stored = await this.wrap(location, value);

    const body =
      this.version === "v2" ? { options: { cas: 0 }, data: { [name]: stored } } : { [name]: stored };
    const reply = await this.call("PUT", location, { body });
    if (reply.status === 200 || reply.status === 204) return;
    if (this.version === "v2" && reply.status === 400 && /check-and-set/i.test(vaultErrorText(reply)))
      throw ErrKeyExists;
    throw this.failure("create", location, reply);
  }

  private transitPath(op: "encrypt" | "decrypt"): string {
    return joinVaultPath(this.options.transit?.engine || "transit", op, this.options.transit!.key);
  }

  private async wrap(location: string, value: Uint8Array): Promise<string> {
    const reply = await this.call("POST", this.transitPath("encrypt"), {
      body: { plaintext: Buffer.from(value).toString("base64") },
    });
    if (reply.status !== 200) throw this.failure("create", location, reply);
    const ciphertext = asObject(reply.body?.data)?.ciphertext;
    if (typeof ciphertext !== "string" || !ciphertext.startsWith(TRANSIT_PREFIX)) {
      throw new Error(
        `vault: failed to create '${location}': transit key '${this.options.transit!.key}' did not answer a ${TRANSIT_PREFIX} ciphertext: KES handles only version 1 of a transit key, do not rotate it`,
      );
    }
    return ciphertext;
  }

  private async unwrap(location: string, ciphertext: string): Promise<Buffer> {
    const reply = await this.call("POST", this.transitPath("decrypt"), { body: { ciphertext } });
    if (reply.status !== 200) throw this.failure("read", location, reply);
    const plaintext = asObject(reply.body?.data)?.plaintext;
    if (typeof plaintext !== "string")
      throw new Error(`vault: failed to read '${location}': transit decrypt answered no plaintext`);
    return Buffer.from(plaintext, "base64");
  }

  /**
   * Reads the entry's field `name` (v2: version 1), unwrapping transit ciphertexts.
   * @throws KesError ErrKeyNotFound when there is no such entry; Error for sealed Vault, a malformed
   *   entry, a transit-wrapped entry without transit configured, or any other Vault failure (-> 502).
   */
  async get(name: string): Promise<Uint8Array> {
    this.checkSealed();
    const location = this.paths.read(name);
    const reply = await this.call("GET", location, { query: this.paths.readQuery });
    if (reply.status === 404) throw ErrKeyNotFound;
    if (reply.status !== 200) throw this.failure("read", location, reply);
    const data = this.entryData(reply);
    if (data === undefined && this.version === "v2") throw ErrKeyNotFound; // version 1 deleted or destroyed
    const value = data?.[name];
    if (value === undefined || value === null) {
      throw new Error(`vault: failed to read '${location}': entry exists but has no field '${name}'`);
    }
    if (typeof value !== "string")
      throw new Error(`vault: failed to read '${location}': field '${name}' is not a string`);
    if (value.startsWith(TRANSIT_PREFIX)) {
      if (!this.options.transit) {
        throw new Error(
          `vault: failed to read '${location}': the key is wrapped by a transit key: set keystore.vault.transit`,
        );
      }
      return this.unwrap(location, value);
    }
    return Buffer.from(value, "utf8");
  }

  /**
   * Deletes the entry (v2: its metadata and all versions). Vault deletes are idempotent, so a missing
   * key is not reported (as KES).
   * @throws Error for sealed Vault or any Vault failure (-> 502).
   */
  async delete(name: string): Promise<void> {
    this.checkSealed();
    const location = this.paths.delete(name);
    const reply = await this.call("DELETE", location);
    if (reply.status === 200 || reply.status === 204 || reply.status === 404) return;
    throw this.failure("delete", location, reply);
  }

  /**
   * Names under the prefix folder that start with `prefix`, sorted; sub-folders (`name/`) are skipped.
   * An empty or missing folder lists empty.
   * @throws Error for sealed Vault or any Vault failure (-> 502).
   */
  async list(prefix: string): Promise<string[]> {
    this.checkSealed();
    const location = this.paths.list;
    const reply = await this.call("GET", location, { query: { list: "true" } });
    if (reply.status === 404) return [];
    if (reply.status !== 200) throw this.failure("list", location, reply);
    const keys = asObject(reply.body?.data)?.keys;
    if (!Array.isArray(keys))
      throw new Error(`vault: failed to list '${location}': invalid key listing format`);
    return selectNames(
      keys.map(String).filter((k) => !k.endsWith("/")),
      prefix,
    );
  }

  /**
   * Checks Vault's health (without namespace) and measures the round trip.
   * @throws KeystoreUnreachableError when Vault cannot be reached, times out, is sealed or not
   *   initialised; Error for another failing answer.
   */
  async status(): Promise<KeystoreState> {
    const start = performance.now();
    let reply: VaultReply;
    try {
      reply = await this.health();
    } catch (err) {
      if (err instanceof VaultConnectionError)
        throw new KeystoreUnreachableError(err.message, { cause: err });
      throw err;
    }
    const latencyMs = performance.now() - start;
    if (reply.status >= 400)
      throw new Error(`vault: health check failed: ${reply.status} ${vaultErrorText(reply)}`);
    if (reply.body?.initialized === false)
      throw new KeystoreUnreachableError(`vault: ${this.http.endpoint} is not initialized`);
    if (reply.body?.sealed === true) {
      this.state.sealed = true;
      throw new KeystoreUnreachableError(`vault: key store is sealed (${this.http.endpoint})`);
    }
    this.state.sealed = false;
    return { latencyMs };
  }

  /** Stops renewal and the ping, and closes connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pinger);
    this.auth.stop();
    this.http.close();
  }
}
