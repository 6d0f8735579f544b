/**
 * The key server's config file: KES' YAML schema (same field names), plus one extension: an identity may be
 * given as a certificate file or an API key from which the server computes the hash, because Terraform
 * cannot hash a public key. This file is a shared contract: constructs/ render the config the Kubernetes
 * Deployment mounts with these types and renderConfigYaml().
 *
 * Every string value may be a whole `${NAME}` reference to an environment variable, except `version`, the
 * `api` path keys and the policy `allow`/`deny` patterns (as in KES). Secrets (API keys, AppRole secret-ids,
 * JWTs, TLS key passwords) belong in `${NAME}` references, never in the file.
 * @see https://github.com/minio/kes/blob/master/server-config.yaml
 */
import { stringify } from "yaml";

/**
 * An identity: the lowercase hex SHA-256 of a certificate's public key (`kes identity of`), or, as an
 * extension, `{ cert: <path to a PEM certificate> }` or `{ api_key: <kes:v1:... or ${ENV}> }` from which
 * the server computes that hash at start and on reload.
 */
export type IdentityEntry = string | CertificateIdentity | ApiKeyIdentity;

/** Identity of the certificate in a PEM file (the first CERTIFICATE block). */
export interface CertificateIdentity {
  /** Path of a PEM file holding the certificate. */
  readonly cert: string;
}

/** Identity of an API key; use `${ENV}`: an API key is a secret. */
export interface ApiKeyIdentity {
  /** `kes:v1:...` API key, normally `${NAME}`. */
  readonly api_key: string;
}

/** Server TLS. */
export interface TlsFileConfig {
  /** Path of the server's PEM private key. */
  readonly key: string;
  /** Path of the server's PEM certificate; it must carry a DNS or IP SAN. */
  readonly cert: string;
  /**
   * Password of an encrypted private key.
   * @default - the key is not encrypted
   */
  readonly password?: string;
  /**
   * `off`: client certificates are required by the API but not verified (API keys, expired MinIO
   * certificates); `on`: verified against `ca`.
   * @default "off"
   */
  readonly auth?: "on" | "off" | "";
  /**
   * CA certificate file (or directory of PEM files) for `auth: on`.
   * @default - the system roots
   */
  readonly ca?: string;
}

/** One policy. */
export interface PolicyFileConfig {
  /** Allowed path patterns (`/v1/key/generate/minio-*`). @default - none */
  readonly allow?: readonly string[];
  /** Denied path patterns; a deny match wins. @default - none */
  readonly deny?: readonly string[];
  /** Identities assigned to this policy; each identity may be in one policy only. @default - none */
  readonly identities?: readonly IdentityEntry[];
}

/** Key cache expiry, Go durations (`5m`, `30s`). */
export interface CacheFileConfig {
  readonly expiry?: {
    /** Every cached key is dropped after this. @default "5m" */
    readonly any?: string;
    /** A key not used for this long is dropped. @default "30s" */
    readonly unused?: string;
    /** While the keystore is unreachable, cached keys are kept this long (0: not kept specially). @default "0" */
    readonly offline?: string;
  };
}

/** Per-route settings, keyed by the route path (`/v1/status`, `/v1/key/generate/`). */
export interface ApiRouteFileConfig {
  /** Serve the route to anyone (the identity is still computed when a certificate is sent). @default false */
  readonly skip_auth?: boolean | string;
  /** Route timeout, a Go duration; 0 keeps the default. @default - 15s (10s for /version and /v1/api) */
  readonly timeout?: string;
}

/** Log levels: `on`, `off`, `DEBUG`, `INFO`, `WARN`, `ERROR`. */
export interface LogFileConfig {
  /** Error log level (stderr, JSON lines). @default "INFO" */
  readonly error?: string;
  /** Audit log level: at INFO or below, audit events are written to stdout. @default "INFO" */
  readonly audit?: string;
}

/** The file system keystore: one file per key in `path`. */
export interface FsKeystoreFileConfig {
  readonly path: string;
}

/** HashiCorp Vault / OpenBao K/V keystore. */
export interface VaultKeystoreFileConfig {
  /** `https://vault:8200`. */
  readonly endpoint: string;
  /** K/V mount path. @default "kv" */
  readonly engine?: string;
  /** K/V version. @default "v1" */
  readonly version?: "v1" | "v2";
  /** Vault namespace. @default - none */
  readonly namespace?: string;
  /** Path prefix of the keys inside the mount. @default - none */
  readonly prefix?: string;
  /** AppRole login; exactly one of approle and kubernetes. */
  readonly approle?: {
    /** @default "approle" */
    readonly engine?: string;
    /** Namespace of the login only (`/` = root). @default - `namespace` */
    readonly namespace?: string;
    /** Role ID. */
    readonly id: string;
    /** Secret ID; use `${ENV}`. */
    readonly secret: string;
  };
  /** Kubernetes login; exactly one of approle and kubernetes. */
  readonly kubernetes?: {
    /** @default "kubernetes" */
    readonly engine?: string;
    /** Namespace of the login only. @default - `namespace` */
    readonly namespace?: string;
    readonly role: string;
    /** A JWT, or a file path (contains `/`) read at every login. */
    readonly jwt: string;
  };
  /** Wrap keys with a transit key. @default - no wrapping */
  readonly transit?: {
    /** @default "transit" */
    readonly engine?: string;
    readonly key: string;
  };
  /** Client TLS to Vault. @default - system roots, no client certificate */
  readonly tls?: { readonly key?: string; readonly cert?: string; readonly ca?: string };
  /** Health-check interval. @default - 15s */
  readonly status?: { readonly ping?: string };
}

/** Exactly one keystore. */
export interface KeystoreFileConfig {
  readonly fs?: FsKeystoreFileConfig;
  readonly vault?: VaultKeystoreFileConfig;
}

/** The whole config file. */
export interface KesConfigFile {
  /** @default "v1" */
  readonly version?: "v1";
  /** Listen address. @default "0.0.0.0:7373" */
  readonly address?: string;
  /** The admin identity, allowed everything; a non-hex text (e.g. `disabled`) turns admin access off. */
  readonly admin: { readonly identity: IdentityEntry };
  readonly tls: TlsFileConfig;
  /** Policies by name. @default - none */
  readonly policy?: Readonly<Record<string, PolicyFileConfig>>;
  readonly cache?: CacheFileConfig;
  readonly api?: Readonly<Record<string, ApiRouteFileConfig>>;
  readonly log?: LogFileConfig;
  /** Keys created at start and on reload when missing. @default - none */
  readonly keys?: readonly { readonly name: string }[];
  readonly keystore: KeystoreFileConfig;
}

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = prune(x);
    return out;
  }
  return v;
}

/**
 * Renders a config file as YAML, fields in the order of KesConfigFile, undefined fields left out. Pure: it
 * neither validates nor resolves `${ENV}` references (the server does both when it loads the file).
 * Never throws for values of the declared types.
 */
export function renderConfigYaml(config: KesConfigFile): string {
  const ordered = {
    version: config.version ?? "v1",
    address: config.address,
    admin: config.admin,
    tls: config.tls,
    policy: config.policy,
    cache: config.cache,
    api: config.api,
    log: config.log,
    keys: config.keys,
    keystore: config.keystore,
  };
  return stringify(prune(ordered), { lineWidth: 0 });
}
