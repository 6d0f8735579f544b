import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { dependable, Fn, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { KeyServer, type KeyServerProps } from "../kubernetes/key-server";
import { selectorLabels } from "../kubernetes/kubernetes-names";
import { MINIO_COMPONENT, Minio, MinioKesClient, type MinioProps } from "../kubernetes/minio";
import { minioKeyPolicy } from "../kubernetes/minio-key-policy";
import { PodSecurityLevel } from "../kubernetes/pod-security-level";
import type { TenantVault } from "./tenant-vault";

/** Key server options of the tenant's workloads (its name and certificate are the Vault half's). */
export type TenantKeyServerWorkloadOptions = Pick<
  KeyServerProps,
  "replicas" | "runtime" | "resources" | "allowMemoryLock" | "adminIdentity" | "cacheOfflineExpiry"
> & {
  /**
   * A NetworkPolicy letting only this tenant's MinIO pods (and these CIDRs) reach the key server.
   * @default - no NetworkPolicy
   */
  readonly networkPolicy?: { readonly probeCidrs?: string[] };
};

/** MinIO options of the tenant's workloads (its name is the Vault half's). */
export type TenantMinioWorkloadOptions = Pick<
  MinioProps,
  "replicas" | "storage" | "storageClassName" | "image" | "autoEncryption" | "rootUser" | "resources"
>;

/** Policy name of MinIO on the tenant's key server (its certificate is `minio.crt` in the key server's Secret). */
export const MINIO_CLIENT_POLICY = "minio";

/** Props of {@link TenantWorkloads}: the Vault half they run for, and the pods' settings. */
export interface TenantWorkloadsProps {
  /**
   * The tenant's Vault half: names, namespace, keystore, identities, MinIO's root password and default key come
   * from it, so the two halves cannot disagree.
   */
  readonly vault: TenantVault;
  /** Vault address the key server pods reach, e.g. "https://vault.vault.svc:8200". */
  readonly vaultEndpoint: string;
  /**
   * Create the Kubernetes namespace (the Vault half's `kubernetesNamespace`).
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
  /** @default - KeyServer defaults (2 replicas, bundle in the ConfigMap) */
  readonly keyServer?: TenantKeyServerWorkloadOptions;
  /** @default - Minio defaults (4 replicas, 10Gi each) */
  readonly minio?: TenantMinioWorkloadOptions;
}

/**
 * The half of a tenant that runs in the cluster: its namespace, the key server (MinIO its one client: policy
 * "minio", keys under the prefix) and MinIO using it for SSE, every namespaced object waiting for the namespace.
 * When the Vault half configures a Kubernetes auth mount without a token reviewer JWT, the workloads create the
 * reviewer (a service account bound to `system:auth-delegator` and its token Secret) and give its token to the
 * mount's config.
 *
 * Child ids are public API (renaming one replaces real resources): Namespace, KeyServer, Minio, and with a
 * token reviewer TokenReviewer, TokenReviewerBinding, TokenReviewerToken. In a {@link KesTenant} this construct's
 * id is "Default", which cdktf leaves out of logical ids: they are the tenant's own.
 */
export class TenantWorkloads extends Construct {
  public readonly keyServer: KeyServer;
  public readonly minio: Minio;
  /** The created namespace (escape hatch); undefined when `createKubernetesNamespace` is false. */
  public readonly namespace?: NamespaceV1;

  /**
   * @throws Error when memory locking is asked for under pod security "restricted", or from the KeyServer and
   *   Minio constructs.
   */
  constructor(scope: Construct, id: string, props: TenantWorkloadsProps) {
    super(scope, id);
    const vault = props.vault;
    const ksOpts = props.keyServer ?? {};
    const createNamespace = props.createKubernetesNamespace ?? true;
    const podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    if (createNamespace && podSecurity === PodSecurityLevel.RESTRICTED && ksOpts.allowMemoryLock) {
      throw new Error(
        'keyServer.allowMemoryLock adds the IPC_LOCK capability, which pod security "restricted" refuses: set podSecurity: PodSecurityLevel.BASELINE, or drop allowMemoryLock',
      );
    }
    const namespace = vault.kubernetesNamespace;

    const reviewer: TerraformResource[] = [];
    const authConfig = vault.kubernetesAuthBackend?.config;
    if (authConfig !== undefined && authConfig.tokenReviewerJwtInput === undefined) {
      const created = this.tokenReviewer(`${vault.keyServerName}-token-reviewer`, namespace);
      reviewer.push(...created.resources);
      authConfig.tokenReviewerJwt = created.jwt;
    }

    if (createNamespace) {
      this.namespace = new NamespaceV1(this, "Namespace", {
        metadata: {
          name: namespace,
          labels: { "app.kubernetes.io/part-of": "kes-vault-kit", ...podSecurity.namespaceLabels() },
        },
      });
    }
    const keyServer = new KeyServer(this, "KeyServer", {
      keystore: vault.keystore,
      vaultEndpoint: props.vaultEndpoint,
      tls: vault.keyServerTls,
      name: vault.keyServerName,
      namespace,
      clusterDomain: vault.clusterDomain,
      replicas: ksOpts.replicas,
      runtime: ksOpts.runtime,
      resources: ksOpts.resources,
      allowMemoryLock: ksOpts.allowMemoryLock,
      adminIdentity: ksOpts.adminIdentity,
      cacheOfflineExpiry: ksOpts.cacheOfflineExpiry,
      ...(ksOpts.networkPolicy
        ? {
            networkPolicy: {
              clientPodLabels: selectorLabels(MINIO_COMPONENT, vault.minioName),
              probeCidrs: ksOpts.networkPolicy.probeCidrs,
            },
          }
        : {}),
    });
    // MinIO is the key server's one client: policy "minio", certificate minio.crt, keys under the prefix.
    keyServer.addClient({
      policyName: MINIO_CLIENT_POLICY,
      certPem: vault.identities.minioClientCertPem,
      patterns: minioKeyPolicy(vault.keyNamePrefix),
    });
    const minio = new Minio(this, "Minio", {
      ...props.minio,
      name: vault.minioName,
      namespace,
      clusterDomain: vault.clusterDomain,
      keyServer,
      keyServerTls: vault.keyServerTls,
      kesClient: MinioKesClient.fromCertificate(
        vault.identities.minioClientCertPem,
        vault.identities.minioClientKeyPem,
      ),
      defaultKeyName: vault.defaultKeyName,
      rootPassword: vault.minioRootPassword,
    });
    this.keyServer = keyServer;
    this.minio = minio;

    if (this.namespace) {
      const ns = dependable(this.namespace);
      // Every namespaced object waits for the namespace (names stay literal, so they are testable and stable).
      for (const c of [...reviewer, ...keyServer.node.findAll(), ...minio.node.findAll()]) {
        if (
          c instanceof TerraformResource &&
          c.terraformResourceType.startsWith("kubernetes_") &&
          c.terraformResourceType !== "kubernetes_cluster_role_binding_v1"
        ) {
          c.dependsOn = [...(c.dependsOn ?? []), ns];
        }
      }
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
