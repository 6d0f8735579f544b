import { KubernetesAuthBackendRole } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-role";
import { Construct } from "constructs";
import { Duration } from "../duration";
import { LoginPolicyNames } from "../private/login-policy-names";
import { isUnresolved, show } from "../private/vault-path";
import { checkName } from "./keystore-spec-validation";
import type { IKubernetesAuthBackend } from "./kubernetes-auth-backend";
import type { IVaultLoginRole } from "./vault-login-role";
import type { IVaultNamespace } from "./vault-namespace";

/** Which pods may log in: the key server's service account. */
export interface KubernetesAuthOptions {
  /** Service account names allowed to log in (no "*"). */
  readonly serviceAccountNames: string[];
  /** Kubernetes namespaces of those service accounts (no "*"). */
  readonly serviceAccountNamespaces: string[];
  /**
   * Audience the service-account token must carry.
   * @default - not checked
   */
  readonly audience?: string;
  /**
   * Period of the login token.
   * @default Duration.seconds(300)
   */
  readonly tokenPeriod?: Duration;
}

export interface KubernetesAuthRoleProps extends KubernetesAuthOptions {
  /**
   * The Kubernetes auth mount the role is created in: a `KubernetesAuthBackend` of this app (the role is then
   * created after it) or `KubernetesAuthBackend.fromExisting(...)`; its namespace is the role's.
   * @default - the existing mount "kubernetes" of the root namespace (configured elsewhere)
   */
  readonly auth?: IKubernetesAuthBackend;
  /** Role name (lowercase). */
  readonly roleName: string;
  /**
   * Policies of the issued tokens; the `default` policy is never added. More can be added later with
   * `addPolicy` (e.g. by `keystore.grantKeyServerAccess(role)`); at least one must be there at synth.
   * @default - none yet
   */
  readonly policyNames?: string[];
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A Kubernetes auth role bound to the key server's service account and namespace (and audience): the
 * alternative to AppRole with no secret to deliver.
 * @see https://openbao.org/docs/auth/kubernetes/
 */
export class KubernetesAuthRole extends Construct implements IVaultLoginRole {
  /** Role name (a token). */
  public readonly roleName: string;
  /** Path of the auth mount: the mount's `authPath` attribute (a token when the mount is created here). */
  public readonly authPath: string;
  /** The L1 role (escape hatch). */
  public readonly role: KubernetesAuthBackendRole;
  /** Namespace of the auth mount (`auth.authNamespace`); undefined for the root namespace. */
  public readonly loginNamespace?: IVaultNamespace;
  private readonly policyNames: LoginPolicyNames;

  /**
   * @throws Error when the names or namespaces are empty, contain "*", or are not Kubernetes names, or the
   *   role name or period are malformed. A role left without any policy fails the synth
   *   (validation).
   */
  constructor(scope: Construct, id: string, props: KubernetesAuthRoleProps) {
    super(scope, id);
    if (!isUnresolved(props.roleName)) checkName("roleName", props.roleName);
    for (const [field, list] of [
      ["serviceAccountNames", props.serviceAccountNames],
      ["serviceAccountNamespaces", props.serviceAccountNamespaces],
    ] as const) {
      if (list.length === 0) {
        throw new Error(
          `${field} [] is empty: name the key server's ${field === "serviceAccountNames" ? 'service account, e.g. "kes"' : 'namespace, e.g. "minio"'}`,
        );
      }
      const bad = list.find((v) => !isUnresolved(v) && !K8S_NAME.test(v));
      if (bad !== undefined) {
        throw new Error(
          `${field} entry ${show(bad)} is not a kubernetes name (no "*" wildcards): use a name like "kes"`,
        );
      }
    }
    const period = (props.tokenPeriod ?? Duration.seconds(300)).toSeconds();
    this.policyNames = new LoginPolicyNames(this, props.policyNames);
    const authPath = props.auth?.authPath ?? "kubernetes";
    const namespace = props.auth?.authNamespace?.namespacePath;
    this.role = new KubernetesAuthBackendRole(this, "Resource", {
      backend: authPath,
      roleName: props.roleName,
      boundServiceAccountNames: props.serviceAccountNames,
      boundServiceAccountNamespaces: props.serviceAccountNamespaces,
      ...(props.audience === undefined ? {} : { audience: props.audience }),
      tokenPolicies: this.policyNames.tokenPolicies,
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenPeriod: period,
      tokenNumUses: 0,
      ...(namespace === undefined ? {} : { namespace }),
    });
    this.roleName = this.role.roleName;
    this.authPath = authPath;
    this.loginNamespace = props.auth?.authNamespace;
  }

  public addPolicy(policyName: string): void {
    this.policyNames.add(policyName);
  }
}
