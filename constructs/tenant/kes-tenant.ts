import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { dependable, Fn, TerraformOutput, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { TenantIdentities } from "../identity/tenant-identities";
import { KeyServer, type KeyServerProps } from "../kubernetes/key-server";
import { certificateDnsNameProblem, check, ipAddressProblem } from "../kubernetes/workload-checks";
import { KeyServerTls } from "../kubernetes/key-server-tls";
import { PodSecurityLevel } from "../kubernetes/pod-security-level";
import { checkDnsLabel, selectorLabels } from "../kubernetes/kubernetes-names";
import { ServiceAddress } from "../kubernetes/service-address";
import { MINIO_COMPONENT, Minio, MinioKesClient, type MinioProps } from "../kubernetes/minio";
import { checkKeyName, checkKeyNamePrefix, minioKeyPolicy } from "../kubernetes/minio-key-policy";
import type { IKeystore } from "../vault/keystore";
import { KeystoreLogin } from "../vault/keystore-login";
import { KvVersion } from "../vault/kv-version";
import type { TenantKeystore } from "./tenant-keystore";

/** Key server options a tenant may set (the rest is wired by the tenant). */
export type TenantKeyServerOptions = Pick<
  KeyServerProps,
  "name" | "replicas" | "runtime" | "resources" | "allowMemoryLock" | "adminIdentity" | "cacheOfflineExpiry"
> & {
  /**
   * A NetworkPolicy letting only this tenant's MinIO pods (and these CIDRs) reach the key server.
   * @default - no NetworkPolicy
   */
  readonly networkPolicy?: { readonly probeCidrs?: string[] };
  /**
   * An existing Secret with the key server's certificate (tls.crt, tls.key, ca.crt), e.g. from cert-manager.
   * @default - a tenant CA and certificate created by the tls provider
   */
  readonly tlsSecretName?: string;
  /**
   * Extra DNS names and IP addresses for the key server's certificate (e.g. "localhost", "127.0.0.1" for a
   * local run of the declared containers).
   * @default - the Service DNS names only
   */
  readonly extraDnsNames?: string[];
  /** @default - none */
  readonly extraIpAddresses?: string[];
};

/** MinIO options a tenant may set. */
export type TenantMinioOptions = Pick<
  MinioProps,
  "name" | "replicas" | "storage" | "storageClassName" | "image" | "autoEncryption" | "rootUser" | "resources"
>;

/** Policy name of MinIO on the tenant's key server (its certificate is `minio.crt` in the key server's Secret). */
export const MINIO_CLIENT_POLICY = "minio";

/** Child id of MinIO's root password (a random_password kept at tenant level, so it exists without a cluster). */
export const MINIO_ROOT_PASSWORD_ID = "MinioRootPassword";

export interface KesTenantProps {
  /** Tenant name: a DNS label starting with a letter, e.g. "payments". */
  readonly tenantName: string;
  /**
   * The Vault half, e.g. `TenantKeystore.fromProps({ prefix: "payments" })`. With
   * `login: KeystoreLogin.kubernetes({ authBackend: { kubernetesHost } })` the tenant binds the role to exactly
   * its key server's service account, namespace and audience ("vault" unless given), and creates a token
   * reviewer of its own for the auth mount.
   */
  readonly keystore: TenantKeystore;
  /** Vault address the key server pods reach, e.g. "https://vault.vault.svc:8200". */
  readonly vaultEndpoint: string;
  /**
   * Kubernetes namespace of the key server and MinIO.
   * @default - the tenant name
   */
  readonly kubernetesNamespace?: string;
  /**
   * Create the Kubernetes namespace.
   * @default true
   */
  readonly createKubernetesNamespace?: boolean;
  /**
   * Pod Security Standard the created namespace enforces (labels `pod-security.kubernetes.io/enforce`, `warn`,
   * `audit`). The key server and MinIO meet `restricted`; `keyServer.allowMemoryLock` (IPC_LOCK) needs at least
   * `baseline`. Not applied when `createKubernetesNamespace` is false (label your namespace yourself).
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
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
  /** @default - KeyServer defaults (2 replicas, bundle in the ConfigMap) */
  readonly keyServer?: TenantKeyServerOptions;
  /** @default - Minio defaults (4 replicas, 10Gi each) */
  readonly minio?: TenantMinioOptions;
  /**
   * Define the Kubernetes half (namespace, key server, MinIO). False keeps only what needs no cluster: the Vault
   * half, the identities and MinIO's root password, with the same logical ids, so a stack can be applied
   * without a cluster (e.g. the local flow, which then runs the containers the full synthesis declares).
   * @default true
   */
  readonly kubernetes?: boolean;
  /**
   * Create the tenant's outputs (`<tenant>_key_server_endpoints`, ...; no secret among them).
   * @default true
   */
  readonly outputs?: boolean;
}

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
 * A whole tenant: keystore spec -> Vault half (K/V, policy, login) -> identities (tls provider) -> key server
 * (Kubernetes) -> MinIO using it for SSE. Prefix or namespace isolation follows the keystore spec (a prefix in a
 * shared mount, or a Vault namespace of its own). Outputs hold endpoints, the role-id, the public certificates
 * and the secret-id accessor, never a secret. Child ids are stable: Keystore, Namespace, Identities,
 * MinioRootPassword, KeyServer, Minio, and with a Kubernetes login that configures its auth mount TokenReviewer,
 * TokenReviewerBinding, TokenReviewerToken.
 */
export class KesTenant extends Construct {
  public readonly tenantName: string;
  public readonly keystore: IKeystore;
  public readonly identities: TenantIdentities;
  /** The key server; undefined when `kubernetes` is false. */
  public readonly keyServer?: KeyServer;
  /** MinIO; undefined when `kubernetes` is false. */
  public readonly minio?: Minio;
  /** Endpoints of the key server (known without a cluster: the Service DNS names). */
  public readonly keyServerEndpoints: string[];
  /** MinIO's S3 endpoint in the cluster. */
  public readonly minioEndpoint: string;
  public readonly keyNamePrefix: string;
  public readonly defaultKeyName: string;
  /** Kubernetes namespace of the workloads. */
  public readonly kubernetesNamespace: string;
  /** Vault API path (in the keystore's namespace) under which the tenant's keys live, e.g. "kv/payments/". */
  public readonly vaultKeyPath: string;

  /**
   * @throws Error when the tenant name, namespace, key-name prefix or default key is malformed, or from the
   *   keystore, identities, KeyServer and Minio constructs.
   */
  constructor(scope: Construct, id: string, props: KesTenantProps) {
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
    const podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    const labelsNamespace = (props.kubernetes ?? true) && (props.createKubernetesNamespace ?? true);
    if (labelsNamespace && podSecurity === PodSecurityLevel.RESTRICTED && props.keyServer?.allowMemoryLock) {
      throw new Error(
        'keyServer.allowMemoryLock adds the IPC_LOCK capability, which pod security "restricted" refuses: set podSecurity: PodSecurityLevel.BASELINE, or drop allowMemoryLock',
      );
    }
    this.tenantName = tenant;
    this.keyNamePrefix = keyNamePrefix;
    this.defaultKeyName = defaultKeyName;
    this.kubernetesNamespace = namespace;

    const ksOpts = props.keyServer ?? {};
    const keyServerName = ksOpts.name ?? "keyserver";
    const withKubernetes = props.kubernetes ?? true;
    const reviewer: TerraformResource[] = [];
    const k8s = props.keystore.login?.kubernetesOptions;
    let login: KeystoreLogin | undefined;
    // A Kubernetes login that names no service account is bound to exactly this tenant's key server.
    if (k8s && k8s.serviceAccountNames === undefined && k8s.serviceAccountNamespaces === undefined) {
      let tokenReviewerJwt = k8s.authBackend?.tokenReviewerJwt;
      if (withKubernetes && k8s.authBackend && tokenReviewerJwt === undefined) {
        const created = this.tokenReviewer(`${keyServerName}-token-reviewer`, namespace);
        reviewer.push(...created.resources);
        tokenReviewerJwt = created.jwt;
      }
      login = KeystoreLogin.kubernetes({
        ...k8s,
        serviceAccountNames: [keyServerName],
        serviceAccountNamespaces: [namespace],
        audience: k8s.audience ?? "vault",
        ...(k8s.authBackend === undefined
          ? {}
          : {
              authBackend: {
                ...k8s.authBackend,
                ...(tokenReviewerJwt === undefined ? {} : { tokenReviewerJwt }),
              },
            }),
      });
    }
    this.keystore = props.keystore.bind(this, login ?? props.keystore.login);
    const spec = this.keystore.spec;
    this.vaultKeyPath = `${spec.kvVersion === KvVersion.V1 ? spec.kvEngine : `${spec.kvEngine}/data`}/${spec.prefix}/`;

    const minioOpts = props.minio ?? {};
    const minioName = minioOpts.name ?? "minio";
    const keyServerAddress = ServiceAddress.keyServer(keyServerName, namespace, props.clusterDomain);
    const dnsNames = [...keyServerAddress.dnsNames, ...(ksOpts.extraDnsNames ?? [])];
    // Checked here too so that the message names the tenant's own field, not the identities' prop.
    (ksOpts.extraIpAddresses ?? []).forEach((ip, i) =>
      check(`keyServer.extraIpAddresses[${i}]`, ip, ipAddressProblem, '"127.0.0.1"'),
    );
    (ksOpts.extraDnsNames ?? []).forEach((dns, i) =>
      check(`keyServer.extraDnsNames[${i}]`, dns, certificateDnsNameProblem, '"localhost"'),
    );
    // Known before any Service exists (and without a cluster); the same addresses KeyServer and Minio compute.
    this.keyServerEndpoints = [keyServerAddress.endpoint];
    this.minioEndpoint = ServiceAddress.minio(minioName, namespace, props.clusterDomain).endpoint;

    this.identities = new TenantIdentities(this, "Identities", {
      tenantName: tenant,
      keyServerDnsNames: dnsNames,
      keyServerIpAddresses: ksOpts.extraIpAddresses,
      createKeyServerCertificate: ksOpts.tlsSecretName === undefined,
    });
    const rootPassword = new Password(this, MINIO_ROOT_PASSWORD_ID, { length: 40, special: false });

    if (withKubernetes) {
      const ns =
        (props.createKubernetesNamespace ?? true)
          ? new NamespaceV1(this, "Namespace", {
              metadata: {
                name: namespace,
                labels: { "app.kubernetes.io/part-of": "kes-vault-kit", ...podSecurity.namespaceLabels() },
              },
            })
          : undefined;
      const tls =
        ksOpts.tlsSecretName !== undefined
          ? KeyServerTls.fromSecret(ksOpts.tlsSecretName)
          : KeyServerTls.fromPem(this.identities.keyServerTls!);
      const keyServer = new KeyServer(this, "KeyServer", {
        keystore: this.keystore,
        vaultEndpoint: props.vaultEndpoint,
        tls,
        name: keyServerName,
        namespace,
        clusterDomain: props.clusterDomain,
        replicas: ksOpts.replicas,
        runtime: ksOpts.runtime,
        resources: ksOpts.resources,
        allowMemoryLock: ksOpts.allowMemoryLock,
        adminIdentity: ksOpts.adminIdentity,
        cacheOfflineExpiry: ksOpts.cacheOfflineExpiry,
        ...(ksOpts.networkPolicy
          ? {
              networkPolicy: {
                clientPodLabels: selectorLabels(MINIO_COMPONENT, minioName),
                probeCidrs: ksOpts.networkPolicy.probeCidrs,
              },
            }
          : {}),
      });
      // MinIO is the key server's one client: policy "minio", certificate minio.crt, keys under the prefix.
      keyServer.addClient({
        policyName: MINIO_CLIENT_POLICY,
        certPem: this.identities.minioClientCertPem,
        patterns: minioKeyPolicy(keyNamePrefix),
      });
      const minio = new Minio(this, "Minio", {
        ...minioOpts,
        name: minioName,
        namespace,
        clusterDomain: props.clusterDomain,
        keyServer,
        keyServerTls: tls,
        kesClient: MinioKesClient.fromCertificate(
          this.identities.minioClientCertPem,
          this.identities.minioClientKeyPem,
        ),
        defaultKeyName,
        rootPassword: rootPassword.result,
      });
      this.keyServer = keyServer;
      this.minio = minio;

      if (ns) {
        // Every namespaced object waits for the namespace (names stay literal, so they are testable and stable).
        for (const c of [...reviewer, ...keyServer.node.findAll(), ...minio.node.findAll()]) {
          if (
            c instanceof TerraformResource &&
            c.terraformResourceType.startsWith("kubernetes_") &&
            c.terraformResourceType !== "kubernetes_cluster_role_binding_v1"
          ) {
            c.dependsOn = [...(c.dependsOn ?? []), dependable(ns)];
          }
        }
      }
    }

    if (props.outputs ?? true) {
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
      out(names.defaultKeyName, defaultKeyName, `MinIO's default key of tenant ${tenant}`);
      out(
        names.vaultKeyPath,
        `${spec.namespace === undefined ? "" : `${spec.namespace}/`}${this.vaultKeyPath}`,
        `where tenant ${tenant}'s keys live in Vault`,
      );
    }
  }

  /**
   * The service account Vault reviews Kubernetes logins with (bound to `system:auth-delegator`) and its token
   * Secret; child ids TokenReviewer, TokenReviewerBinding, TokenReviewerToken.
   */
  private tokenReviewer(
    reviewerName: string,
    namespace: string,
  ): { resources: TerraformResource[]; jwt: string } {
    const sa = new ServiceAccountV1(this, "TokenReviewer", {
      metadata: { name: reviewerName, namespace },
      automountServiceAccountToken: false,
    });
    const binding = new ClusterRoleBindingV1(this, "TokenReviewerBinding", {
      metadata: { name: `kes-vault-kit:${namespace}:${reviewerName}` },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "system:auth-delegator",
      },
      subject: [{ kind: "ServiceAccount", name: reviewerName, namespace }],
    });
    const token = new SecretV1(this, "TokenReviewerToken", {
      metadata: {
        name: reviewerName,
        namespace,
        annotations: { "kubernetes.io/service-account.name": reviewerName },
      },
      type: "kubernetes.io/service-account-token",
      waitForServiceAccountToken: true,
      dependsOn: [sa],
    });
    return { resources: [sa, binding, token], jwt: Fn.lookup(token.data, "token", "") };
  }
}
