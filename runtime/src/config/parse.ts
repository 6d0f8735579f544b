/**
 * Parses and validates a config file (schema.ts) into the typed ServerConfig the server runs with.
 * Pure: files (certificates named by identities, TLS keys) are read later, by load.ts.
 * @see https://github.com/minio/kes/blob/master/kesconf/config.go
 */
import { parse as parseYaml } from "yaml";
import { isValidName } from "../auth/names";
import { FieldReader, isMapping, showValue, type FieldReaderOptions } from "./field-reader";
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

/** The reader options of a KES config file: lenient scalars, `${NAME}` from `env`. */
const kesRules = (env: Env): FieldReaderOptions => ({ env, lenient: true });

/** An identity as the config file gives it: a hex hash, `{ cert: <file> }` or `{ api_key: <key> }`. */
function identity(v: unknown, field: string, env: Env): IdentitySource {
  if (isMapping(v)) {
    const keys = Object.keys(v);
    if (keys.length !== 1 || !["cert", "api_key"].includes(keys[0])) {
      throw new Error(
        `${field} ${showValue(v)} must be a hex identity, { cert: <file> } or { api_key: <key> }`,
      );
    }
    const r = FieldReader.of(v, field, { ...kesRules(env), prefix: `${field}.` });
    if (keys[0] === "cert") return { kind: "cert", path: r.required("cert", "name a PEM certificate file") };
    const key = r.required("api_key", "give a kes:v1: API key, normally as ${NAME}");
    if (!key.startsWith("kes:v1:"))
      throw new Error(`${field}.api_key must start with "kes:v1:": create one with 'identity new'`);
    return { kind: "apiKey", key };
  }
  const s = FieldReader.of({}, field, kesRules(env)).strValue(v, field);
  if (s === undefined || s.trim() === "")
    throw new Error(
      `${field} is required: give a hex identity (kes identity of <cert>), { cert: <file> } or { api_key: <key> }`,
    );
  return { kind: "hash", value: s.trim() };
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

function parseVault(v: FieldReader): VaultConfig {
  const f = "keystore.vault";
  const endpoint = v.required("endpoint", "set the Vault address, e.g. https://vault:8200");
  const version = v.str("version");
  if (version !== undefined && version !== "" && version !== "v1" && version !== "v2") {
    throw new Error(`${f}.version "${version}" must be v1 or v2 (the K/V engine version)`);
  }
  const approle = v.optionalChild("approle");
  const kubernetes = v.optionalChild("kubernetes");
  if (!approle && !kubernetes)
    throw new Error(
      `${f}: no authentication method: set keystore.vault.approle or keystore.vault.kubernetes`,
    );
  if (approle && kubernetes)
    throw new Error(`${f}: both approle and kubernetes are set: keep exactly one authentication method`);
  const transit = v.optionalChild("transit");
  const tls = v.optionalChild("tls");
  const status = v.optionalChild("status");
  const opt = (r: FieldReader, key: string) => {
    const s = r.str(key);
    return s === undefined || s === "" ? undefined : s;
  };
  const tlsKey = tls ? opt(tls, "key") : undefined;
  const tlsCert = tls ? opt(tls, "cert") : undefined;
  if (tlsKey && !tlsCert)
    throw new Error(`${f}.tls.cert is required when ${f}.tls.key is set: give the client certificate`);
  if (tlsCert && !tlsKey)
    throw new Error(`${f}.tls.key is required when ${f}.tls.cert is set: give the client private key`);
  const ping = status?.durationMs("ping");
  return {
    endpoint: endpoint.trim(),
    engine: opt(v, "engine"),
    version: (version || undefined) as "v1" | "v2" | undefined,
    namespace: opt(v, "namespace"),
    prefix: opt(v, "prefix"),
    approle: approle && {
      engine: opt(approle, "engine"),
      namespace: opt(approle, "namespace"),
      id: approle.required("id", "set the AppRole role-id"),
      secret: approle.required("secret", "set the AppRole secret-id, e.g. ${VAULT_SECRET_ID}"),
    },
    kubernetes: kubernetes && {
      engine: opt(kubernetes, "engine"),
      namespace: opt(kubernetes, "namespace"),
      role: kubernetes.required("role", "set the Vault Kubernetes auth role"),
      jwt: kubernetes.required("jwt", "set a JWT or the service-account token file path"),
    },
    transit: transit && {
      engine: opt(transit, "engine"),
      key: transit.required("key", "name the transit key"),
    },
    tls:
      tls && (tlsKey || tlsCert || tls.has("ca"))
        ? { key: tlsKey, cert: tlsCert, ca: opt(tls, "ca") }
        : undefined,
    statusPingMs: ping || undefined,
  };
}

function parseKeystore(doc: FieldReader): KeystoreConfig {
  const ks = doc.optionalChild("keystore");
  if (!ks) throw new Error("keystore is required: set keystore.fs.path or keystore.vault");
  const known = ["fs", "vault"];
  const given = ks.keys().filter((k) => ks.has(k));
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
    return { kind: "fs", path: ks.child("fs").required("path", "name the directory that holds the keys") };
  }
  return { kind: "vault", vault: parseVault(ks.child("vault")) };
}

/**
 * Parses and validates a config file's text. `${NAME}` references are resolved from `env`.
 * @throws Error whose message names the field, shows the bad value and says how to fix it, e.g.
 *   `keystore.vault.endpoint is required: ...`, `tls.auth "maybe" must be on or off`,
 *   `cache.expiry.any "5x" is not a duration: ...`, or a YAML syntax error prefixed `config: `.
 */
export function parseConfig(text: string, env: Env = process.env): ServerConfig {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new Error(`config: invalid YAML: ${(e as Error).message}`);
  }
  if (!isMapping(parsed))
    throw new Error("config: the file must be a YAML mapping with admin, tls and keystore");
  const doc = FieldReader.of(parsed, "config", kesRules(env));

  const version = doc.raw("version");
  if (version !== undefined && version !== null && version !== "v1") {
    throw new Error(`version ${showValue(version)} is not supported: use v1`);
  }
  const address = doc.str("address")?.trim() || DEFAULT_ADDRESS;

  const admin = doc.optionalChild("admin");
  const adminRaw = admin?.raw("identity");
  if (!admin || adminRaw === undefined || adminRaw === null || adminRaw === "") {
    throw new Error(
      "admin.identity is required: give the admin's identity (kes identity of <cert>), or 'disabled'",
    );
  }
  const adminId = identity(adminRaw, "admin.identity", env);

  const tls = doc.optionalChild("tls");
  if (!tls)
    throw new Error(
      "tls is required: set tls.key and tls.cert (the server's private key and certificate files)",
    );
  const key = tls.required("key", "name the server's PEM private key file");
  const cert = tls.required("cert", "name the server's PEM certificate file");
  const authText = (tls.str("auth") ?? "").trim().toLowerCase();
  if (!["", "on", "off"].includes(authText)) {
    throw new Error(
      `tls.auth "${tls.raw("auth")}" must be on or off: off accepts any client certificate (API keys), on verifies it against tls.ca`,
    );
  }
  const password = tls.str("password") || undefined;
  const ca = tls.str("ca") || undefined;
  if (authText === "on" && !ca)
    throw new Error(
      "tls.ca is required when tls.auth is on: name the CA file that signs client certificates",
    );

  const policies: Record<string, ServerConfig["policies"][string]> = {};
  const pol = doc.child("policy");
  const adminHash = adminId.kind === "hash" ? adminId.value : undefined;
  for (const name of pol.keys()) {
    const f = `policy.${name}`;
    if (!isValidName(name)) {
      throw new Error(
        `${f}: policy name '${name}' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]`,
      );
    }
    const body = pol.child(name);
    const identities = body
      .list("identities")
      .map((x: unknown, i: number) => identity(x, `${f}.identities[${i}]`, env));
    for (const id of identities) {
      if (id.kind === "hash" && adminHash !== undefined && id.value === adminHash) {
        throw new Error(
          `${f}.identities: identity '${id.value}' is already admin: remove it from the policy or change admin.identity`,
        );
      }
    }
    policies[name] = {
      allow: body.strings("allow") ?? [],
      deny: body.strings("deny") ?? [],
      identities,
    };
  }

  const expiry = doc.child("cache").child("expiry");
  const anyMs = expiry.durationMs("any");
  const unusedMs = expiry.durationMs("unused");
  const offlineMs = expiry.durationMs("offline");

  const api: Record<string, RouteConfig> = {};
  const routes = doc.child("api");
  for (const path of routes.keys()) {
    const route = routes.child(path);
    api[path] = {
      skipAuth: route.bool("skip_auth") ?? false,
      timeoutMs: route.durationMs("timeout") ?? 0,
    };
  }

  const log = doc.child("log");
  const errorLevel = parseLogLevel(log.str("error") ?? "", "log.error");
  const auditLevel = parseLogLevel(log.str("audit") ?? "", "log.audit");

  const keys: string[] = [];
  doc.list("keys", " of { name: <key> }").forEach((k: unknown, i: number) => {
    const name = doc.item("keys", i, k).required("name", "name the key to create at start");
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
    keystore: parseKeystore(doc),
  };
}
