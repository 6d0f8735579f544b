import type { Construct } from "constructs";
import type { KeyServer } from "../kubernetes/key-server";
import type { Minio } from "../kubernetes/minio";
import type { PodSecurityLevel } from "../kubernetes/pod-security-level";
import {
  TenantVault,
  type TenantKeyServerIdentityOptions,
  type TenantMinioIdentityOptions,
  type TenantVaultProps,
} from "./tenant-vault";
import {
  TenantWorkloads,
  type TenantKeyServerWorkloadOptions,
  type TenantMinioWorkloadOptions,
} from "./tenant-workloads";

/** Key server options a tenant may set (the rest is wired by the tenant): its name and certificate, its pods. */
export type TenantKeyServerOptions = TenantKeyServerIdentityOptions & TenantKeyServerWorkloadOptions;

/** MinIO options a tenant may set: its name, its pods. */
export type TenantMinioOptions = TenantMinioIdentityOptions & TenantMinioWorkloadOptions;

/** Props of {@link KesTenant}: the Vault half's and the workloads' together. */
export interface KesTenantProps extends TenantVaultProps {
  /** Vault address the key server pods reach, e.g. "https://vault.vault.svc:8200". */
  readonly vaultEndpoint: string;
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
  /** @default - KeyServer defaults (name "keyserver", 2 replicas, bundle in the ConfigMap) */
  readonly keyServer?: TenantKeyServerOptions;
  /** @default - Minio defaults (name "minio", 4 replicas, 10Gi each) */
  readonly minio?: TenantMinioOptions;
}

/**
 * A whole tenant: keystore spec -> Vault half (K/V, policy, login) -> identities (tls provider) -> key server
 * (Kubernetes) -> MinIO using it for SSE. It is a {@link TenantVault} (the half that needs no cluster) with a
 * {@link TenantWorkloads} (namespace, key server, MinIO, token reviewer) as its child "Default", an id cdktf
 * leaves out of logical ids: every resource has the id it has in a Vault half alone, so a stack applied with
 * `TenantVault` first (e.g. the local flow) continues as a `KesTenant` on the same state.
 *
 * Prefix or namespace isolation follows the keystore spec (a prefix in a shared mount, or a Vault namespace of
 * its own). Outputs hold endpoints, the role-id, the public certificates and the secret-id accessor, never a
 * secret. Child ids are public API (renaming one replaces real resources), all at the tenant's level of the
 * logical ids: Keystore, Identities, MinioRootPassword (Vault half), Namespace, KeyServer, Minio, and with a
 * Kubernetes login that configures its auth mount TokenReviewer, TokenReviewerBinding, TokenReviewerToken
 * (workloads).
 */
export class KesTenant extends TenantVault {
  /** The workloads (child id "Default"). */
  public readonly workloads: TenantWorkloads;
  /** The key server. */
  public readonly keyServer: KeyServer;
  /** MinIO. */
  public readonly minio: Minio;

  /**
   * @throws Error from TenantVault (names, key-name prefix, default key) and TenantWorkloads (pod security,
   *   KeyServer and Minio).
   */
  constructor(scope: Construct, id: string, props: KesTenantProps) {
    super(scope, id, props);
    // "Default": cdktf drops it from logical ids, so the workloads' resources keep the tenant-level ids.
    this.workloads = new TenantWorkloads(this, "Default", {
      vault: this,
      vaultEndpoint: props.vaultEndpoint,
      createKubernetesNamespace: props.createKubernetesNamespace,
      podSecurity: props.podSecurity,
      keyServer: props.keyServer,
      minio: props.minio,
    });
    this.keyServer = this.workloads.keyServer;
    this.minio = this.workloads.minio;
  }
}
