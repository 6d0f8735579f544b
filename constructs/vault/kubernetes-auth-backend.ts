import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { KubernetesAuthBackendConfig } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-config";
import { Token } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { importAuthMount } from "./auth-mount-import";
import { checkMount, RESERVED_AUTH_MOUNTS } from "./keystore-spec-validation";
import type { IVaultNamespace } from "./vault-namespace";

/**
 * A Kubernetes auth mount that key server roles are created in. `authPath` is the attribute for resource
 * arguments (a token when the mount is created here, so Terraform creates the mount first); `authPathLiteral` is
 * the same path as written, known at synth.
 */
export interface IKubernetesAuthBackend extends IConstruct {
  /** Mount path under `auth/`, e.g. "kubernetes": the mount's `path` attribute, a token when created here. */
  readonly authPath: string;
  /** The mount path as written ("kubernetes"), never a token: for configs and checks. */
  readonly authPathLiteral: string;
  /** Namespace of the mount; undefined for the root namespace. */
  readonly authNamespace?: IVaultNamespace;
}

/** How Vault reaches the cluster whose service-account tokens it accepts. */
export interface KubernetesAuthBackendOptions {
  /** Address of the cluster's API server as Vault reaches it, e.g. "https://10.0.0.1:6443". */
  readonly kubernetesHost: string;
  /**
   * PEM of the CA the API server's certificate chains to.
   * @default - Vault's system CAs
   */
  readonly kubernetesCaCert?: string;
  /**
   * JWT of a service account allowed to create TokenReviews (bound to `system:auth-delegator`), usually a
   * token of a Secret of type `kubernetes.io/service-account-token` (a sensitive token).
   * @default - none: Vault reviews each login with the login's own JWT, so the logging-in service account
   *   needs `system:auth-delegator`
   */
  readonly tokenReviewerJwt?: string;
}

export interface KubernetesAuthBackendProps extends KubernetesAuthBackendOptions {
  /**
   * Mount path under `auth/`.
   * @default "kubernetes"
   */
  readonly path?: string;
  /**
   * Namespace to mount in.
   * @default - the root namespace
   */
  readonly namespace?: IVaultNamespace;
}

/**
 * Enables Vault's Kubernetes auth method and points it at a cluster (API address, CA, token reviewer), so pods
 * log in with their service-account tokens: no secret to deliver. Tenants may share one mount: create it once
 * and pass it to each keystore's login, or pass {@link KubernetesAuthBackend.fromExisting} for a mount made and
 * configured elsewhere. Child ids: Resource (the mount), Config.
 * @see https://openbao.org/docs/auth/kubernetes/
 */
export class KubernetesAuthBackend extends Construct implements IKubernetesAuthBackend {
  /**
   * An existing Kubernetes auth mount (its cluster config is the platform's), as a construct `id` under `scope`
   * that creates nothing.
   * @param path mount path under `auth/`, e.g. "kubernetes"
   * @throws Error when `path` is not a valid auth mount path ("token" is reserved).
   */
  public static fromExisting(
    scope: Construct,
    id: string,
    path: string,
    namespace?: IVaultNamespace,
  ): IKubernetesAuthBackend {
    return importAuthMount(scope, id, path, namespace, '"kubernetes"');
  }

  /** Mount path under `auth/`: the mount's `path` (a token: depending on it orders after the mount's creation). */
  public readonly authPath: string;
  /** The mount path as written ("kubernetes"), never a token: for configs and checks. */
  public readonly authPathLiteral: string;
  /** Namespace of the mount; undefined for the root namespace. */
  public readonly authNamespace?: IVaultNamespace;
  /** The L1 auth backend (escape hatch). */
  public readonly backend: AuthBackend;
  /** The L1 config (escape hatch). */
  public readonly config: KubernetesAuthBackendConfig;

  /**
   * @throws Error when `path` is not a valid auth mount path, or `kubernetesHost` is not an http(s) URL.
   */
  constructor(scope: Construct, id: string, props: KubernetesAuthBackendProps) {
    super(scope, id);
    const path = props.path ?? "kubernetes";
    checkMount("path", path, '"kubernetes"', RESERVED_AUTH_MOUNTS, "auth");
    if (!Token.isUnresolved(props.kubernetesHost) && !/^https?:\/\/[^\s/]+\/?$/.test(props.kubernetesHost)) {
      throw new Error(
        `kubernetesHost ${JSON.stringify(props.kubernetesHost)} must be the API server's http(s) URL without a path: e.g. "https://10.0.0.1:6443"`,
      );
    }
    const namespace = props.namespace?.namespacePath;
    const ns = namespace === undefined ? {} : { namespace };
    this.backend = new AuthBackend(this, "Resource", {
      type: "kubernetes",
      path,
      description: "Kubernetes logins of KES-compatible key servers",
      ...ns,
    });
    this.config = new KubernetesAuthBackendConfig(this, "Config", {
      backend: this.backend.path,
      kubernetesHost: props.kubernetesHost,
      ...(props.kubernetesCaCert === undefined ? {} : { kubernetesCaCert: props.kubernetesCaCert }),
      ...(props.tokenReviewerJwt === undefined ? {} : { tokenReviewerJwt: props.tokenReviewerJwt }),
      // Vault runs outside the pod network here: never fall back to files of a pod it does not run in.
      disableLocalCaJwt: true,
      ...ns,
    });
    this.authPath = this.backend.path;
    this.authPathLiteral = path;
    this.authNamespace = props.namespace;
  }
}
