/**
 * Renders the key server's config file from the tenant's keystore spec: Vault paths and login from the spec,
 * secrets as `${ENV}` references, TLS and client certificates as the file paths the pod mounts. Pure.
 * @see ../../runtime/src/config/README.md
 */
import { renderConfigYaml, type KesConfigFile, type PolicyFileConfig } from "../../runtime/src/config/schema";
import type { VaultKeystoreConfig } from "../vault/keystore-spec";
import {
  ENV_KEYSERVER_ADDRESS,
  ENV_VAULT_ROLE_ID,
  ENV_VAULT_SECRET_ID,
  KEYSERVER_VAULT_TOKEN_FILE,
  KEYSERVER_TLS_CERT_FILE,
  KEYSERVER_TLS_KEY_FILE,
} from "./paths";
import type { KeyPolicyPatterns } from "./minio-key-policy";

/** A client of the key server, identified by its certificate file; the server computes the identity. */
export interface KeyServerClientPolicy {
  /** Policy name ([0-9A-Za-z_-]). */
  readonly policyName: string;
  /** Path of the client's PEM certificate inside the pod. */
  readonly certFile: string;
  /** What the client may call. */
  readonly patterns: KeyPolicyPatterns;
}

/** Everything the config is rendered from. */
export interface KeyServerConfigInput {
  /** The keystore block derived from the spec (`KeystoreSpec.keystoreConfig()`); secrets are not in it. */
  readonly keystore: VaultKeystoreConfig;
  /** Vault address the key server talks to, e.g. "https://vault.vault.svc:8200". */
  readonly vaultEndpoint: string;
  /** Policies by client. */
  readonly clients: readonly KeyServerClientPolicy[];
  /**
   * Admin identity (hex). Any non-hex text disables admin access.
   * @default "disabled"
   */
  readonly adminIdentity?: string;
  /**
   * Service-account token file the key server logs in with (Kubernetes login).
   * @default KEYSERVER_VAULT_TOKEN_FILE - the projected token
   */
  readonly serviceAccountTokenFile?: string;
  /**
   * Keep cached keys this long while Vault is unreachable (Go duration).
   * @default - not kept beyond the normal expiry
   */
  readonly cacheOfflineExpiry?: string;
}

const POLICY_NAME = /^[0-9A-Za-z_][0-9A-Za-z_-]{0,79}$/;

/**
 * Checks a client policy name: 1 to 80 characters of [0-9A-Za-z_-] (it also names the client's certificate file).
 * @throws Error naming `field`, showing the value and the fix.
 */
export function checkPolicyName(field: string, name: string): void {
  if (!POLICY_NAME.test(name)) {
    throw new Error(
      `${field} ${JSON.stringify(name)} must be 1 to 80 characters of [0-9A-Za-z_-]: e.g. "minio"`,
    );
  }
}

/**
 * The config as data (field names as in the KES YAML).
 * @throws Error naming the field when a client policy name is malformed or used twice, or when the keystore
 *   block has neither an AppRole nor a Kubernetes login.
 */
export function keyServerConfig(input: KeyServerConfigInput): KesConfigFile {
  const policy: Record<string, PolicyFileConfig> = {};
  for (const client of input.clients) {
    checkPolicyName("clients policyName", client.policyName);
    if (policy[client.policyName]) {
      throw new Error(
        `clients policyName ${JSON.stringify(client.policyName)} is used twice: give each client its own policy name`,
      );
    }
    policy[client.policyName] = {
      allow: client.patterns.allow,
      deny: client.patterns.deny,
      identities: [{ cert: client.certFile }],
    };
  }
  const ks = input.keystore;
  let login: Pick<NonNullable<KesConfigFile["keystore"]["vault"]>, "approle" | "kubernetes">;
  if (ks.approle) {
    login = {
      approle: { ...ks.approle, id: `\${${ENV_VAULT_ROLE_ID}}`, secret: `\${${ENV_VAULT_SECRET_ID}}` },
    };
  } else if (ks.kubernetes) {
    login = {
      kubernetes: { ...ks.kubernetes, jwt: input.serviceAccountTokenFile ?? KEYSERVER_VAULT_TOKEN_FILE },
    };
  } else {
    throw new Error(
      "keystore has neither approle nor kubernetes login: derive it from KeystoreSpec.keystoreConfig()",
    );
  }
  return {
    version: "v1",
    address: `\${${ENV_KEYSERVER_ADDRESS}}`,
    admin: { identity: input.adminIdentity ?? "disabled" },
    // auth off: MinIO's certificate is identified by its public key, not verified against a CA (as KES).
    tls: { key: KEYSERVER_TLS_KEY_FILE, cert: KEYSERVER_TLS_CERT_FILE, auth: "off" },
    policy,
    ...(input.cacheOfflineExpiry === undefined
      ? {}
      : { cache: { expiry: { offline: input.cacheOfflineExpiry } } }),
    // The kubelet's probes carry no client certificate: /v1/ready must not need an identity.
    api: { "/v1/ready": { skip_auth: true } },
    log: { error: "INFO", audit: "INFO" },
    keystore: {
      vault: {
        endpoint: input.vaultEndpoint,
        engine: ks.engine,
        version: ks.version,
        ...(ks.namespace === undefined ? {} : { namespace: ks.namespace }),
        prefix: ks.prefix,
        ...login,
        ...(ks.transit === undefined ? {} : { transit: ks.transit }),
      },
    },
  };
}

/**
 * The config file text (YAML).
 * @throws Error naming the field when a client policy name is malformed or used twice, or when the keystore
 *   block has neither an AppRole nor a Kubernetes login.
 */
export function renderKeyServerConfig(input: KeyServerConfigInput): string {
  return renderConfigYaml(keyServerConfig(input));
}
