import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { KubernetesAuthBackendConfig } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-config";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { checkMount, RESERVED_AUTH_MOUNTS } from "./keystore-spec-validation";
import type { IVaultNamespace } from "./vault-namespace";

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
 * log in with their service-account tokens: no secret to deliver. Child ids: Resource (the mount), Config.
 * @see https://openbao.org/docs/auth/kubernetes/
 */
export class KubernetesAuthBackend extends Construct {
  /** Mount path under `auth/`: the mount's `path` (a token: depending on it orders after the mount's creation). */
  public readonly authPath: string;
  /** The mount path as written ("kubernetes"), never a token: for configs and checks. */
  public readonly authPathLiteral: string;
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
  }
}
