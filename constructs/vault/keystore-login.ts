import type { Duration } from "../duration";
import type { IAppRoleAuth } from "./approle-auth";
import type { AppRoleOptions } from "./approle-identity";
import type { IKubernetesAuthBackend, KubernetesAuthBackendOptions } from "./kubernetes-auth-backend";
import { VaultAuthMethod } from "./vault-auth-method";

/** The AppRole login: the role's options and the mount it lives in. */
export interface AppRoleLoginOptions extends AppRoleOptions {
  /**
   * AppRole mount the role is created in, e.g. one shared by tenants or `AppRoleAuth.fromExisting(...)`.
   * @default - a new AppRole mount at the spec's `authEngine` (child id AppRoleAuth)
   */
  readonly mount?: IAppRoleAuth;
}

/** The Kubernetes auth login: which service account may log in, and optionally the mount's cluster config. */
export interface KubernetesLoginOptions {
  /**
   * Service account names allowed to log in (no "*").
   * @default - none: required for a `Keystore` of its own; a `KesTenant` binds its key server's service account
   */
  readonly serviceAccountNames?: string[];
  /**
   * Kubernetes namespaces of those service accounts (no "*").
   * @default - none: required for a `Keystore` of its own; a `KesTenant` binds its key server's namespace
   */
  readonly serviceAccountNamespaces?: string[];
  /**
   * Audience the service-account token must carry.
   * @default - not checked by a `Keystore` of its own; "vault" in a `KesTenant`
   */
  readonly audience?: string;
  /**
   * Period of the login token.
   * @default Duration.seconds(300)
   */
  readonly tokenPeriod?: Duration;
  /**
   * Kubernetes auth mount the role is created in, e.g. a `KubernetesAuthBackend` shared by tenants or
   * `KubernetesAuthBackend.fromExisting(...)`; not together with `authBackend`.
   * @default - the mount at the spec's `authEngine`: created here with `authBackend`, else an existing one
   */
  readonly mount?: IKubernetesAuthBackend;
  /**
   * Create the Kubernetes auth mount at the spec's auth path and point it at the cluster (API address, CA, token
   * reviewer; child id KubernetesAuthBackend); the role is then created after it. In a `KesTenant` that binds
   * the role (no service accounts named here) and without a `tokenReviewerJwt`, the tenant's `TenantWorkloads`
   * create a token reviewer of its own (service account `<key server>-token-reviewer` bound to `system:auth-delegator`, with a
   * service-account-token Secret).
   * @default - the mount exists already (configured elsewhere)
   */
  readonly authBackend?: KubernetesAuthBackendOptions;
}

/**
 * How the key server logs in to Vault: one of {@link KeystoreLogin.appRole} or {@link KeystoreLogin.kubernetes},
 * each with only the options that apply to it.
 * @see https://openbao.org/docs/auth/approle/
 * @see https://openbao.org/docs/auth/kubernetes/
 */
export class KeystoreLogin {
  /**
   * AppRole: a role-id and a secret-id delivered to the key server (the KES default). Defaults: periodic 300 s
   * token, unlimited uses, no rotation.
   */
  public static appRole(options: AppRoleLoginOptions = {}): KeystoreLogin {
    return new KeystoreLogin(VaultAuthMethod.APPROLE, options, undefined);
  }

  /** Kubernetes auth: the pod's own service-account token, no secret to deliver (preferred in a cluster). */
  public static kubernetes(options: KubernetesLoginOptions = {}): KeystoreLogin {
    return new KeystoreLogin(VaultAuthMethod.KUBERNETES, undefined, options);
  }

  private constructor(
    /** The auth method (what the keystore spec and the key server's config record). */
    public readonly method: VaultAuthMethod,
    /** The AppRole options; undefined for a Kubernetes login. */
    public readonly appRoleOptions: AppRoleLoginOptions | undefined,
    /** The Kubernetes options; undefined for an AppRole login. */
    public readonly kubernetesOptions: KubernetesLoginOptions | undefined,
  ) {}
}
