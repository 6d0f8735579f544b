import { Password } from "@cdktf/provider-random/lib/password";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { TenantIdentities } from "../identity/tenant-identities";
import { KeyServerTls } from "../kubernetes/key-server-tls";
import { checkDnsLabel } from "../kubernetes/kubernetes-names";
import { checkKeyName, checkKeyNamePrefix } from "../kubernetes/minio-key-policy";
import { ServiceAddress } from "../kubernetes/service-address";
import { certificateDnsNameProblem, check, ipAddressProblem } from "../kubernetes/workload-checks";
import { Keystore, type IKeystore } from "../vault/keystore";
import { KeystoreLogin } from "../vault/keystore-login";
import type { KubernetesAuthBackend } from "../vault/kubernetes-auth-backend";
import { KvVersion } from "../vault/kv-version";
import type { TenantKeystore } from "./tenant-keystore";

/**
 * What the Vault half knows of the tenant's key server: its name (service account bound to a Kubernetes login,
 * Service DNS names in its certificate) and where its certificate comes from.
 */
export interface TenantKeyServerIdentityOptions {
  /**
   * Name of the key server's Deployment, Service and service account.
   * @default "keyserver"
   */
  readonly name?: string;
  /**
   * An existing Secret with the key server's certificate (tls.crt, tls.key, ca.crt), e.g. from cert-manager.
   * @default - a tenant CA and certificate created by the tls provider
   */
  readonly tlsSecretName?: string;
  /**
   * Extra DNS names for the key server's certificate (e.g. "localhost" for a local run of the declared
   * containers).
   * @default - the Service DNS names only
   */
  readonly extraDnsNames?: string[];
  /**
   * Extra IP addresses for the key server's certificate (e.g. "127.0.0.1").
   * @default - none
   */
  readonly extraIpAddresses?: string[];
}

/** What the Vault half knows of the tenant's MinIO: its name (for the S3 endpoint output). */
export interface TenantMinioIdentityOptions {
  /**
   * Name of MinIO's StatefulSet and Service.
   * @default "minio"
   */
  readonly name?: string;
}

/** Props of {@link TenantVault}: the tenant's names and its keystore. */
export interface TenantVaultProps {
  /** Tenant name: a DNS label starting with a letter, e.g. "payments". */
  readonly tenantName: string;
  /**
   * The tenant's keystore, e.g. `TenantKeystore.fromProps({ prefix: "payments" })`. With
   * `login: KeystoreLogin.kubernetes({ authBackend: { kubernetesHost } })` the tenant binds the role to exactly
   * its key server's service account, namespace and audience ("vault" unless given).
   */
  readonly keystore: TenantKeystore;
  /**
   * Kubernetes namespace of the key server and MinIO (bound to a Kubernetes login, in the Service DNS names).
   * @default - the tenant name
   */
  readonly kubernetesNamespace?: string;
  /**
   * Cluster DNS domain.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
  /**
   * Prefix of every key name MinIO may use; MinIO's key server policy is scoped to it.
   * @default - "<tenant name>-"
   */
  readonly keyNamePrefix?: string;
  /**
   * MinIO's default key (MINIO_KMS_KES_KEY_NAME); must start with `keyNamePrefix`.
   * @default - "<keyNamePrefix>default"
   */
  readonly defaultKeyName?: string;
  /** @default - a key server named "keyserver" with a certificate made by the tls provider */
  readonly keyServer?: TenantKeyServerIdentityOptions;
  /** @default - MinIO named "minio" */
  readonly minio?: TenantMinioIdentityOptions;
  /**
   * Create the tenant's outputs (`<tenant>_key_server_endpoints`, ...; no secret among them).
   * @default true
   */
  readonly outputs?: boolean;
}

/** Child id of MinIO's root password (a random_password kept in the Vault half, so it exists without a cluster). */
export const MINIO_ROOT_PASSWORD_ID = "MinioRootPassword";

const TENANT_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Output names of a tenant, by what they hold. */
export function tenantOutputNames(tenantName: string) {
  const p = tenantName.replace(/-/g, "_");
  return {
    keyServerEndpoints: `${p}_key_server_endpoints`,
    minioEndpoint: `${p}_minio_endpoint`,
    roleId: `${p}_role_id`,
    secretIdAccessor: `${p}_secret_id_accessor`,
    minioClientCertificate: `${p}_minio_client_certificate`,
    keyServerCaCertificate: `${p}_key_server_ca_certificate`,
    defaultKeyName: `${p}_default_key_name`,
    vaultKeyPath: `${p}_vault_key_path`,
  } as const;
}

/**
 * The half of a tenant that needs no cluster: the keystore (K/V, policy, login bound to the tenant's key server),
 * the identities (tls provider), MinIO's root password and the tenant's outputs (endpoints are known from the
 * names alone). Apply it alone to prepare Vault before a cluster exists, then add a {@link TenantWorkloads} for
 * it (or use {@link KesTenant}, which is both): its resources keep their logical ids.
 *
 * Child ids are public API (renaming one replaces real resources): Keystore, Identities, MinioRootPassword; the
 * outputs have fixed names (`tenantOutputNames`).
 */
export class TenantVault extends Construct {
  /** The tenant name (prefix of the output names). */
  public readonly tenantName: string;
  /** The tenant's keystore (child id Keystore, or one made elsewhere). */
  public readonly keystore: IKeystore;
  /** The key server's certificate and MinIO's client credentials (child id Identities). */
  public readonly identities: TenantIdentities;
  /** Kubernetes namespace of the workloads. */
  public readonly kubernetesNamespace: string;
  /** Cluster DNS domain of the workloads. */
  public readonly clusterDomain: string;
  /** Name of the key server (Deployment, Service, service account). */
  public readonly keyServerName: string;
  /** Name of MinIO (StatefulSet, Service). */
  public readonly minioName: string;
  /** The key server's certificate: the tenant's own (identities) or an existing Secret. */
  public readonly keyServerTls: KeyServerTls;
  /** Endpoints of the key server (known without a cluster: the Service DNS names). */
  public readonly keyServerEndpoints: string[];
  /** MinIO's S3 endpoint in the cluster. */
  public readonly minioEndpoint: string;
  /** Prefix of every key name MinIO may use. */
  public readonly keyNamePrefix: string;
  /** MinIO's default key (MINIO_KMS_KES_KEY_NAME). */
  public readonly defaultKeyName: string;
  /** MinIO's root password (a token of the random_password). */
  public readonly minioRootPassword: string;
  /** Vault API path (in the keystore's namespace) under which the tenant's keys live, e.g. "kv/payments/". */
  public readonly vaultKeyPath: string;
  /**
   * The Kubernetes auth mount of a login the tenant binds to its key server (a `KeystoreLogin.kubernetes`
   * login with `authBackend` and no service accounts named); a {@link TenantWorkloads} gives it the tenant's
   * own token reviewer when it has no `tokenReviewerJwt`. Undefined otherwise.
   */
  public readonly kubernetesAuthBackend?: KubernetesAuthBackend;

  /**
   * @throws Error when the tenant name, namespace, key server or MinIO name, key-name prefix, default key or an
   *   extra certificate name is malformed, or from the keystore and identities constructs.
   */
  constructor(scope: Construct, id: string, props: TenantVaultProps) {
    super(scope, id);
    if (!TENANT_NAME.test(props.tenantName)) {
      throw new Error(
        `tenantName ${JSON.stringify(props.tenantName)} must be 1 to 32 characters of [a-z0-9-], starting with a letter and not ending with "-": e.g. "payments"`,
      );
    }
    const tenant = props.tenantName;
    const namespace = props.kubernetesNamespace ?? tenant;
    checkDnsLabel("kubernetesNamespace", namespace);
    const keyNamePrefix = props.keyNamePrefix ?? `${tenant}-`;
    checkKeyNamePrefix("keyNamePrefix", keyNamePrefix);
    const defaultKeyName = props.defaultKeyName ?? `${keyNamePrefix}default`;
    checkKeyName("defaultKeyName", defaultKeyName);
    if (!defaultKeyName.startsWith(keyNamePrefix)) {
      throw new Error(
        `defaultKeyName ${JSON.stringify(defaultKeyName)} does not start with keyNamePrefix ${JSON.stringify(keyNamePrefix)}, so MinIO's policy would forbid it: use e.g. "${keyNamePrefix}default"`,
      );
    }
    const ksOpts = props.keyServer ?? {};
    const keyServerName = ksOpts.name ?? "keyserver";
    // The same limits as KeyServer and Minio, checked here so that the Vault half alone refuses what they would.
    checkDnsLabel("keyServer.name", keyServerName, 52);
    const minioName = props.minio?.name ?? "minio";
    checkDnsLabel("minio.name", minioName, 50);
    // Checked here too so that the message names the tenant's own field, not the identities' prop.
    (ksOpts.extraIpAddresses ?? []).forEach((ip, i) =>
      check(`keyServer.extraIpAddresses[${i}]`, ip, ipAddressProblem, '"127.0.0.1"'),
    );
    (ksOpts.extraDnsNames ?? []).forEach((dns, i) =>
      check(`keyServer.extraDnsNames[${i}]`, dns, certificateDnsNameProblem, '"localhost"'),
    );
    this.tenantName = tenant;
    this.keyNamePrefix = keyNamePrefix;
    this.defaultKeyName = defaultKeyName;
    this.kubernetesNamespace = namespace;
    this.clusterDomain = props.clusterDomain ?? "cluster.local";
    this.keyServerName = keyServerName;
    this.minioName = minioName;

    const k8s = props.keystore.login?.kubernetesOptions;
    // A Kubernetes login that names no service account is bound to exactly this tenant's key server.
    const bindsKeyServer =
      k8s !== undefined &&
      k8s.serviceAccountNames === undefined &&
      k8s.serviceAccountNamespaces === undefined;
    const login = bindsKeyServer
      ? KeystoreLogin.kubernetes({
          ...k8s,
          serviceAccountNames: [keyServerName],
          serviceAccountNamespaces: [namespace],
          audience: k8s.audience ?? "vault",
        })
      : props.keystore.login;
    this.keystore = props.keystore.bind(this, login);
    if (bindsKeyServer && this.keystore instanceof Keystore) {
      this.kubernetesAuthBackend = this.keystore.kubernetesAuthBackend;
    }
    const spec = this.keystore.spec;
    this.vaultKeyPath = `${spec.kvVersion === KvVersion.V1 ? spec.kvEngine : `${spec.kvEngine}/data`}/${spec.prefix}/`;

    const keyServerAddress = ServiceAddress.keyServer(keyServerName, namespace, props.clusterDomain);
    // Known before any Service exists (and without a cluster); the same addresses KeyServer and Minio compute.
    this.keyServerEndpoints = [keyServerAddress.endpoint];
    this.minioEndpoint = ServiceAddress.minio(minioName, namespace, props.clusterDomain).endpoint;

    this.identities = new TenantIdentities(this, "Identities", {
      tenantName: tenant,
      keyServerDnsNames: [...keyServerAddress.dnsNames, ...(ksOpts.extraDnsNames ?? [])],
      keyServerIpAddresses: ksOpts.extraIpAddresses,
      createKeyServerCertificate: ksOpts.tlsSecretName === undefined,
    });
    this.keyServerTls =
      ksOpts.tlsSecretName !== undefined
        ? KeyServerTls.fromSecret(ksOpts.tlsSecretName)
        : KeyServerTls.fromPem(this.identities.keyServerTls!);
    this.minioRootPassword = new Password(this, MINIO_ROOT_PASSWORD_ID, {
      length: 40,
      special: false,
    }).result;

    if (props.outputs ?? true) this.addOutputs(spec.namespace);
  }

  /** The tenant's outputs, fixed names (`tenantOutputNames`), none sensitive and none secret. */
  private addOutputs(vaultNamespace: string | undefined): void {
    const tenant = this.tenantName;
    const names = tenantOutputNames(tenant);
    const out = (outId: string, value: unknown, description: string) =>
      new TerraformOutput(this, outId, { value, description, staticId: true });
    out(names.keyServerEndpoints, this.keyServerEndpoints, `key server endpoints of tenant ${tenant}`);
    out(names.minioEndpoint, this.minioEndpoint, `S3 endpoint of tenant ${tenant}`);
    if (this.keystore.roleId !== undefined)
      out(names.roleId, this.keystore.roleId, `AppRole role-id of tenant ${tenant} (not secret)`);
    if (this.keystore.secretIdAccessor !== undefined) {
      out(
        names.secretIdAccessor,
        this.keystore.secretIdAccessor,
        `accessor of tenant ${tenant}'s secret-id (to look it up or revoke it)`,
      );
    }
    out(
      names.minioClientCertificate,
      this.identities.minioClientCertPem,
      `MinIO's client certificate of tenant ${tenant} (its key server identity)`,
    );
    if (this.identities.caCertPem !== undefined)
      out(names.keyServerCaCertificate, this.identities.caCertPem, `CA of tenant ${tenant}'s key server`);
    out(names.defaultKeyName, this.defaultKeyName, `MinIO's default key of tenant ${tenant}`);
    out(
      names.vaultKeyPath,
      `${vaultNamespace === undefined ? "" : `${vaultNamespace}/`}${this.vaultKeyPath}`,
      `where tenant ${tenant}'s keys live in Vault`,
    );
  }
}
