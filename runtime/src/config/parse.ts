/**
 * Parses and validates a config file (schema.ts) into the typed ServerConfig the server runs with.
 * Pure: files (certificates named by identities, TLS keys) are read later, by load.ts.
 * @see https://github.com/minio/kes/blob/master/kesconf/config.go
 */
import { parse as parseYaml } from "yaml";
import { isValidName } from "../auth/names";
import { parseDuration } from "./duration";
import { substituteEnv } from "./env";
import type { VaultKeystoreOptions } from "../keystore/vault";

/** Where an identity comes from, after `${ENV}` substitution. */
export type IdentitySource =
  | { readonly kind: "hash"; readonly value: string }
  | { readonly kind: "cert"; readonly path: string }
  | { readonly kind: "apiKey"; readonly key: string };

/** Keystore selection. */
export type KeystoreConfig =
  | { readonly kind: "fs"; readonly path: string }
  | { readonly kind: "vault"; readonly vault: VaultConfig }
  | { readonly kind: "memory" };

/** Vault keystore settings: the options of keystore/vault.ts that the config file sets. */
export type VaultConfig = Omit<VaultKeystoreOptions, "requestTimeoutMs" | "onError">;

/** Per-route overrides. */
export interface RouteConfig {
  readonly skipAuth: boolean;
  /** Replaces the route default when > 0. */
  readonly timeoutMs: number;
}

/** The validated configuration. */
export interface ServerConfig {
  readonly address: string;
  readonly admin: IdentitySource;
  readonly tls: {
    readonly key: string;
    readonly cert: string;
    readonly password?: string;
    readonly auth: "on" | "off";
    readonly ca?: string;
  };
  readonly policies: Readonly<
    Record<
      string,
      {
        readonly allow: readonly string[];
        readonly deny: readonly string[];
        readonly identities: readonly IdentitySource[];
      }
    >
  >;
  readonly cache: { readonly anyMs: number; readonly unusedMs: number; readonly offlineMs: number };
  readonly api: Readonly<Record<string, RouteConfig>>;
  /** slog-style levels: DEBUG -4, INFO 0, WARN 4, ERROR 8, off 9. */
  readonly log: { readonly errorLevel: number; readonly auditLevel: number };
  readonly keys: readonly string[];
  readonly keystore: KeystoreConfig;
}

/** Default listen address, as KES. */
export const DEFAULT_ADDRESS = "0.0.0.0:7373";

/** Cache defaults: any 5m, unused 30s, offline 0 (KES' documented values, without its 30 s `any` bug). */
export const DEFAULT_CACHE = { anyMs: 300_000, unusedMs: 30_000, offlineMs: 0 } as const;

type Env = Readonly<Record<string, string | undefined>>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

class Reader {
  constructor(private readonly env: Env) {}

  obj(v: unknown, field: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) throw new Error(`${field} must be a mapping, got ${show(v)}`);
    return v;
  }

  str(v: unknown, field: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string") throw new Error(`${field} must be a string, got ${show(v)}`);
    const s = substituteEnv(v, field, this.env);
    return s;
  }

  required(v: unknown, field: string, hint: string): string {
    const s = this.str(v, field);
    if (s === undefined || s.trim() === "") throw new Error(`${field} is required: ${hint}`);
    return s;
  }

  duration(v: unknown, field: string): number | undefined {
    const s = this.str(v, field);
    if (s === undefined || s === "") return undefined;
    let ms: number;
    try {
      ms = parseDuration(s.trim());
    } catch {
      throw new Error(`${field} "${s}" is not a duration: use Go syntax such as 30s, 5m or 1h30m`);
    }
    if (ms < 0)
      throw new Error(`${field} "${s}" must not be negative: use 0 or a positive duration such as 30s`);
    return ms;
  }

  bool(v: unknown, field: string): boolean | undefined {
    if (typeof v === "boolean") return v;
    const s = this.str(v, field);
    if (s === undefined) return undefined;
    const t = s.trim().toLowerCase();
    if (["true", "yes", "on"].includes(t)) return true;
    if (["false", "no", "off", ""].includes(t)) return false;
    throw new Error(`${field} "${s}" must be true or false`);
  }

  strList(v: unknown, field: string, substitute: boolean): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new Error(`${field} must be a list, got ${show(v)}`);
    return v.map((x, i) => {
      if (typeof x !== "string") throw new Error(`${field}[${i}] must be a string, got ${show(x)}`);
      return substitute ? substituteEnv(x, `${field}[${i}]`, this.env) : x;
    });
  }

  identity(v: unknown, field: string): IdentitySource {
    if (isObj(v)) {
      const keys = Object.keys(v);
      if (keys.length !== 1 || !["cert", "api_key"].includes(keys[0])) {
        throw new Error(`${field} ${show(v)} must be a hex identity, { cert: <file> } or { api_key: <key> }`);
      }
      if (keys[0] === "cert")
        return { kind: "cert", path: this.required(v.cert, `${field}.cert`, "name a PEM certificate file") };
      const key = this.required(v.api_key, `${field}.api_key`, "give a kes:v1: API key, normally as ${NAME}");
      if (!key.startsWith("kes:v1:"))
        throw new Error(`${field}.api_key must start with "kes:v1:": create one with 'identity new'`);
      return { kind: "apiKey", key };
    }
    const s = this.required(
      v,
      field,
      "give a hex identity (kes identity of <cert>), { cert: <file> } or { api_key: <key> }",
    );
    return { kind: "hash", value: s.trim() };
  }
}

/**
 * Parses a log level: `on` (INFO), `off`, `DEBUG`, `INFO`, `WARN`, `ERROR` (case-insensitive), `LEVEL+N`,
 * `LEVEL-N` or an integer, as KES' parseLogLevel.
 * @throws Error naming `field`, the value and the accepted values.
 */
export function parseLogLevel(value: string, field: string): number {
  const v = value.trim();
  const base: Record<string, number> = { DEBUG: -4, INFO: 0, WARN: 4, ERROR: 8 };
  if (v === "" || v.toLowerCase() === "on") return 0;
  if (v.toLowerCase() === "off") return 9;
  if (/^[+-]?\d+$/.test(v)) return Number(v);
  const m = /^([A-Za-z]+)([+-]\d+)?$/.exec(v);
  if (m && base[m[1].toUpperCase()] !== undefined)
    return base[m[1].toUpperCase()] + (m[2] ? Number(m[2]) : 0);
  throw new Error(`${field} "${value}" is not a log level: use on, off, DEBUG, INFO, WARN or ERROR`);
}

function parseVault(r: Reader, v: Obj): VaultConfig {
  const f = "keystore.vault";
  const endpoint = r.required(v.endpoint, `${f}.endpoint`, "set the Vault address, e.g. https://vault:8200");
  const version = r.str(v.version, `${f}.version`);
  if (version !== undefined && version !== "" && version !== "v1" && version !== "v2") {
    throw new Error(`${f}.version "${version}" must be v1 or v2 (the K/V engine version)`);
  }
  const approle = r.obj(v.approle, `${f}.approle`);
  const kubernetes = r.obj(v.kubernetes, `${f}.kubernetes`);
  if (!approle && !kubernetes)
    throw new Error(
      `${f}: no authentication method: set keystore.vault.approle or keystore.vault.kubernetes`,
    );
  if (approle && kubernetes)
    throw new Error(`${f}: both approle and kubernetes are set: keep exactly one authentication method`);
  const transit = r.obj(v.transit, `${f}.transit`);
  const tls = r.obj(v.tls, `${f}.tls`);
  const status = r.obj(v.status, `${f}.status`);
  const opt = (x: unknown, field: string) => {
    const s = r.str(x, field);
    return s === undefined || s === "" ? undefined : s;
  };
  const tlsKey = tls ? opt(tls.key, `${f}.tls.key`) : undefined;
  const tlsCert = tls ? opt(tls.cert, `${f}.tls.cert`) : undefined;
  if (tlsKey && !tlsCert)
    throw new Error(`${f}.tls.cert is required when ${f}.tls.key is set: give the client certificate`);
  if (tlsCert && !tlsKey)
    throw new Error(`${f}.tls.key is required when ${f}.tls.cert is set: give the client private key`);
  const ping = status ? r.duration(status.ping, `${f}.status.ping`) : undefined;
  return {
    endpoint: endpoint.trim(),
    engine: opt(v.engine, `${f}.engine`),
    version: (version || undefined) as "v1" | "v2" | undefined,
    namespace: opt(v.namespace, `${f}.namespace`),
    prefix: opt(v.prefix, `${f}.prefix`),
    approle: approle && {
      engine: opt(approle.engine, `${f}.approle.engine`),
      namespace: opt(approle.namespace, `${f}.approle.namespace`),
      id: r.required(approle.id, `${f}.approle.id`, "set the AppRole role-id"),
      secret: r.required(
        approle.secret,
        `${f}.approle.secret`,
        "set the AppRole secret-id, e.g. ${VAULT_SECRET_ID}",
      ),
    },
    kubernetes: kubernetes && {
      engine: opt(kubernetes.engine, `${f}.kubernetes.engine`),
      namespace: opt(kubernetes.namespace, `${f}.kubernetes.namespace`),
      role: r.required(kubernetes.role, `${f}.kubernetes.role`, "set the Vault Kubernetes auth role"),
      jwt: r.required(
        kubernetes.jwt,
        `${f}.kubernetes.jwt`,
        "set a JWT or the service-account token file path",
      ),
    },
    transit: transit && {
      engine: opt(transit.engine, `${f}.transit.engine`),
      key: r.required(transit.key, `${f}.transit.key`, "name the transit key"),
    },
    tls:
      tls && (tlsKey || tlsCert || tls.ca)
        ? { key: tlsKey, cert: tlsCert, ca: opt(tls.ca, `${f}.tls.ca`) }
        : undefined,
    statusPingMs: ping || undefined,
  };
}

function parseKeystore(r: Reader, v: unknown): KeystoreConfig {
  const ks = r.obj(v, "keystore");
  if (!ks) throw new Error("keystore is required: set keystore.fs.path or keystore.vault");
  const known = ["fs", "vault"];
  const given = Object.keys(ks).filter((k) => ks[k] !== null && ks[k] !== undefined);
  const unsupported = given.filter((k) => !known.includes(k));
  if (unsupported.length > 0) {
    throw new Error(
      `keystore.${unsupported[0]} is not supported by this server: use keystore.fs or keystore.vault`,
    );
  }
  if (given.length === 0)
    throw new Error("keystore: no keystore specified: set keystore.fs.path or keystore.vault");
  if (given.length > 1)
    throw new Error(`keystore: more than one keystore specified (${given.join(", ")}): keep exactly one`);
  if (given[0] === "fs") {
    const fs = r.obj(ks.fs, "keystore.fs") ?? {};
    return {
      kind: "fs",
      path: r.required(fs.path, "keystore.fs.path", "name the directory that holds the keys"),
    };
  }
  return { kind: "vault", vault: parseVault(r, r.obj(ks.vault, "keystore.vault") ?? {}) };
}

/**
 * Parses and validates a config file's text. `${NAME}` references are resolved from `env`.
 * @throws Error whose message names the field, shows the bad value and says how to fix it, e.g.
 *   `keystore.vault.endpoint is required: ...`, `tls.auth "maybe" must be on or off`,
 *   `cache.expiry.any "5x" is not a duration: ...`, or a YAML syntax error prefixed `config: `.
 */
export function parseConfig(text: string, env: Env = process.env): ServerConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`config: invalid YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new Error("config: the file must be a YAML mapping with admin, tls and keystore");
  const r = new Reader(env);

  if (doc.version !== undefined && doc.version !== null && doc.version !== "v1") {
    throw new Error(`version ${show(doc.version)} is not supported: use v1`);
  }
  const address = r.str(doc.address, "address")?.trim() || DEFAULT_ADDRESS;

  const admin = r.obj(doc.admin, "admin");
  if (!admin || admin.identity === undefined || admin.identity === null || admin.identity === "") {
    throw new Error(
      "admin.identity is required: give the admin's identity (kes identity of <cert>), or 'disabled'",
    );
  }
  const adminId = r.identity(admin.identity, "admin.identity");

  const tls = r.obj(doc.tls, "tls");
  if (!tls)
    throw new Error(
      "tls is required: set tls.key and tls.cert (the server's private key and certificate files)",
    );
  const key = r.required(tls.key, "tls.key", "name the server's PEM private key file");
  const cert = r.required(tls.cert, "tls.cert", "name the server's PEM certificate file");
  const authText = (r.str(tls.auth, "tls.auth") ?? "").trim().toLowerCase();
  if (!["", "on", "off"].includes(authText)) {
    throw new Error(
      `tls.auth "${tls.auth}" must be on or off: off accepts any client certificate (API keys), on verifies it against tls.ca`,
    );
  }
  const password = r.str(tls.password, "tls.password") || undefined;
  const ca = r.str(tls.ca, "tls.ca") || undefined;
  if (authText === "on" && !ca)
    throw new Error(
      "tls.ca is required when tls.auth is on: name the CA file that signs client certificates",
    );

  const policies: Record<string, ServerConfig["policies"][string]> = {};
  const pol = r.obj(doc.policy, "policy") ?? {};
  const adminHash = adminId.kind === "hash" ? adminId.value : undefined;
  for (const [name, p] of Object.entries(pol)) {
    const f = `policy.${name}`;
    if (!isValidName(name)) {
      throw new Error(
        `${f}: policy name '${name}' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]`,
      );
    }
    const body = r.obj(p, f) ?? {};
    const ids = body.identities;
    if (ids !== undefined && ids !== null && !Array.isArray(ids))
      throw new Error(`${f}.identities must be a list, got ${show(ids)}`);
    const identities = (ids ?? []).map((x: unknown, i: number) => r.identity(x, `${f}.identities[${i}]`));
    for (const id of identities) {
      if (id.kind === "hash" && adminHash !== undefined && id.value === adminHash) {
        throw new Error(
          `${f}.identities: identity '${id.value}' is already admin: remove it from the policy or change admin.identity`,
        );
      }
    }
    policies[name] = {
      allow: r.strList(body.allow, `${f}.allow`, false),
      deny: r.strList(body.deny, `${f}.deny`, false),
      identities,
    };
  }

  const cache = r.obj(doc.cache, "cache");
  const expiry = cache ? r.obj(cache.expiry, "cache.expiry") : undefined;
  const anyMs = expiry ? r.duration(expiry.any, "cache.expiry.any") : undefined;
  const unusedMs = expiry ? r.duration(expiry.unused, "cache.expiry.unused") : undefined;
  const offlineMs = expiry ? r.duration(expiry.offline, "cache.expiry.offline") : undefined;

  const api: Record<string, RouteConfig> = {};
  for (const [path, v] of Object.entries(r.obj(doc.api, "api") ?? {})) {
    const route = r.obj(v, `api.${path}`) ?? {};
    api[path] = {
      skipAuth: r.bool(route.skip_auth, `api.${path}.skip_auth`) ?? false,
      timeoutMs: r.duration(route.timeout, `api.${path}.timeout`) ?? 0,
    };
  }

  const log = r.obj(doc.log, "log");
  const errorLevel = parseLogLevel(r.str(log?.error, "log.error") ?? "", "log.error");
  const auditLevel = parseLogLevel(r.str(log?.audit, "log.audit") ?? "", "log.audit");

  const keysRaw = doc.keys;
  if (keysRaw !== undefined && keysRaw !== null && !Array.isArray(keysRaw))
    throw new Error(`keys must be a list of { name: <key> }, got ${show(keysRaw)}`);
  const keys: string[] = [];
  (keysRaw ?? []).forEach((k: unknown, i: number) => {
    const o = r.obj(k, `keys[${i}]`);
    const name = r.required(o?.name, `keys[${i}].name`, "name the key to create at start");
    if (!isValidName(name))
      throw new Error(
        `keys[${i}].name '${name}' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]`,
      );
    if (keys.includes(name))
      throw new Error(`keys[${i}].name: key '${name}' is defined multiple times: list each key once`);
    keys.push(name);
  });

  return {
    address,
    admin: adminId,
    tls: { key, cert, password, auth: authText === "on" ? "on" : "off", ca },
    policies,
    cache: {
      anyMs: anyMs || DEFAULT_CACHE.anyMs,
      unusedMs: unusedMs || DEFAULT_CACHE.unusedMs,
      offlineMs: offlineMs ?? DEFAULT_CACHE.offlineMs,
    },
    api,
    log: { errorLevel, auditLevel },
    keys,
    keystore: parseKeystore(r, doc.keystore),
  };
}
