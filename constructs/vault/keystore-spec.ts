import { KvVersion } from "./kv-version";
import {
  resolveKeystoreSpec,
  type KeystoreSpecProps,
  type ResolvedKeystoreSpec,
} from "./keystore-spec-validation";
import { VaultAuthMethod } from "./vault-auth-method";

/**
 * The key server's `keystore.vault` block as plain data, field names as in the KES YAML. Secrets (role-id,
 * secret-id, JWT) are not part of it: the Kubernetes half fills them in as `${ENV}` references.
 * @see ../../runtime/src/config/README.md
 */
export interface VaultKeystoreConfig {
  readonly endpoint?: string;
  readonly engine: string;
  readonly version: "v1" | "v2";
  readonly prefix: string;
  readonly namespace?: string;
  /** Present for AppRole login; `namespace` "/" means the root namespace. */
  readonly approle?: { readonly engine: string; readonly namespace?: string };
  /** Present for Kubernetes login. */
  readonly kubernetes?: { readonly engine: string; readonly namespace?: string; readonly role: string };
  readonly transit?: { readonly engine: string; readonly key: string };
}

/**
 * The validated keystore spec: the single source of truth from which the Vault policy, the key server's
 * keystore config and the access checks of the tests are derived. Pure: no cdktf scope needed.
 */
export class KeystoreSpec {
  public readonly kvEngine: string;
  public readonly kvVersion: KvVersion;
  public readonly prefix: string;
  /** Namespace of the K/V and transit engines; undefined for the root namespace. */
  public readonly namespace?: string;
  /**
   * Namespace of the auth mount and the policy when it differs from `namespace`: "" for the root namespace.
   * Undefined when the auth mount lives in `namespace`.
   */
  public readonly authNamespace?: string;
  public readonly authMethod: VaultAuthMethod;
  public readonly authEngine: string;
  public readonly transit?: { readonly engine: string; readonly key: string };
  /** `max_versions` for a K/V v2 mount (0 = Vault's default). */
  public readonly kvMaxVersions: number;
  public readonly policyName: string;
  public readonly roleName: string;

  /**
   * @throws Error when a field is invalid (the message names it and the fix).
   */
  constructor(props: KeystoreSpecProps) {
    const r: ResolvedKeystoreSpec = resolveKeystoreSpec(props);
    this.kvEngine = r.kvEngine;
    this.kvVersion = r.kvVersion;
    this.prefix = r.prefix;
    this.namespace = r.namespace;
    this.authNamespace = r.authNamespace;
    this.authMethod = r.authMethod;
    this.authEngine = r.authEngine;
    this.transit = r.transit;
    this.kvMaxVersions = r.kvMaxVersions;
    this.policyName = r.policyName;
    this.roleName = r.roleName;
  }

  /** Namespace where the auth mount, role and policy live: "" for root. */
  public get effectiveAuthNamespace(): string {
    return this.authNamespace ?? this.namespace ?? "";
  }

  /**
   * Path of the keystore namespace seen from the auth namespace, with a trailing "/" ("" when they are the
   * same): policies in the auth namespace name the keystore paths through it.
   */
  public get namespaceFromAuth(): string {
    const ns = this.namespace ?? "";
    const auth = this.effectiveAuthNamespace;
    const rel = auth === "" ? ns : ns.slice(auth.length + 1);
    return rel === "" ? "" : `${rel}/`;
  }

  /**
   * Vault API path (relative to the keystore namespace, without /v1/) of a key's value: where the key server
   * reads and creates it.
   */
  public keyDataPath(name: string): string {
    return this.kvVersion === KvVersion.V1
      ? `${this.kvEngine}/${this.prefix}/${name}`
      : `${this.kvEngine}/data/${this.prefix}/${name}`;
  }

  /** Vault API path where the key server deletes a key (v2: its metadata, i.e. all versions). */
  public keyDeletePath(name: string): string {
    return this.kvVersion === KvVersion.V1
      ? `${this.kvEngine}/${this.prefix}/${name}`
      : `${this.kvEngine}/metadata/${this.prefix}/${name}`;
  }

  /** Vault API path the key server lists (with `?list=true`). */
  public listPath(): string {
    return this.kvVersion === KvVersion.V1
      ? `${this.kvEngine}/${this.prefix}`
      : `${this.kvEngine}/metadata/${this.prefix}`;
  }

  /**
   * The key server's `keystore.vault` config derived from this spec.
   * @param endpoint Vault address to put in `endpoint`, when known.
   */
  public keystoreConfig(endpoint?: string): VaultKeystoreConfig {
    const authNs =
      this.authNamespace === undefined ? undefined : this.authNamespace === "" ? "/" : this.authNamespace;
    const auth =
      authNs === undefined ? { engine: this.authEngine } : { engine: this.authEngine, namespace: authNs };
    return {
      ...(endpoint === undefined ? {} : { endpoint }),
      engine: this.kvEngine,
      version: this.kvVersion.keystoreVersion,
      prefix: this.prefix,
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      ...(this.authMethod === VaultAuthMethod.APPROLE
        ? { approle: auth }
        : { kubernetes: { ...auth, role: this.roleName } }),
      ...(this.transit === undefined
        ? {}
        : { transit: { engine: this.transit.engine, key: this.transit.key } }),
    };
  }
}
