import { Construct, type IConstruct } from "constructs";
import { show } from "../private/vault-path";
import { AppRoleAuth, type IAppRoleAuth } from "./approle-auth";
import { AppRoleIdentity, type AppRoleOptions } from "./approle-identity";
import { KeystorePolicy } from "./keystore-policy";
import { registerKeystore } from "./keystore-registry";
import { KeystoreSpec } from "./keystore-spec";
import type { KeystoreSpecProps } from "./keystore-spec-validation";
import { KubernetesAuthBackend, type KubernetesAuthBackendOptions } from "./kubernetes-auth-backend";
import { KubernetesAuthRole, type KubernetesAuthOptions } from "./kubernetes-auth-role";
import { KvMount, type IKvMount } from "./kv-mount";
import { TransitKey } from "./transit-key";
import { VaultAuthMethod } from "./vault-auth-method";
import { VaultNamespace, type IVaultNamespace } from "./vault-namespace";

/** A provisioned keystore: what the key server (and its config) needs from the Vault side. */
export interface IKeystore extends IConstruct {
  /** The spec everything was derived from; `spec.keystoreConfig()` gives the key server's config. */
  readonly spec: KeystoreSpec;
  /** Name of the key server's policy (a token). */
  readonly keystorePolicyName: string;
  /** AppRole role-id (AppRole login only). */
  readonly roleId?: string;
  /** AppRole secret-id, a sensitive token (AppRole login without response wrapping). */
  readonly secretId?: string;
  /** Wrapping token of the secret-id, a sensitive token (AppRole login with response wrapping). */
  readonly secretIdWrappingToken?: string;
  /** Accessor of the secret-id (not secret). */
  readonly secretIdAccessor?: string;
  /** Kubernetes auth role name (Kubernetes login only). */
  readonly kubernetesRoleName?: string;
  /** Audience the role requires of service-account tokens (Kubernetes login with an audience only). */
  readonly kubernetesAudience?: string;
}

export interface KeystoreProps extends KeystoreSpecProps {
  /**
   * Create the spec's namespace here; false when it already exists.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * K/V mount to use, e.g. one shared with other tenants or `KvMount.fromExisting(...)`.
   * @default - a new mount at `kvEngine`
   */
  readonly kvMount?: IKvMount;
  /**
   * AppRole mount to use, e.g. one shared by tenants or `AppRoleAuth.fromExisting(...)`.
   * @default - a new AppRole mount at `authEngine` (AppRole login only)
   */
  readonly appRoleAuth?: IAppRoleAuth;
  /**
   * Mount the transit engine here; false when it exists.
   * @default true
   */
  readonly createTransitMount?: boolean;
  /**
   * Let a destroy delete the transit key (and with it every key it wrapped).
   * @default false
   */
  readonly transitKeyDeletionAllowed?: boolean;
  /**
   * AppRole role and secret-id options.
   * @default - the KES defaults: periodic 300 s token, unlimited uses, no rotation
   */
  readonly appRole?: AppRoleOptions;
  /**
   * The service account allowed to log in; required for `VaultAuthMethod.KUBERNETES`.
   * @default - none
   */
  readonly kubernetesAuth?: KubernetesAuthOptions;
  /**
   * Create the Kubernetes auth mount at the spec's auth path and point it at the cluster (API address, CA,
   * token reviewer); the role is then created after it. For `VaultAuthMethod.KUBERNETES` only.
   * @default - the mount exists already (configured elsewhere)
   */
  readonly kubernetesAuthBackend?: KubernetesAuthBackendOptions;
}

/**
 * One tenant's keystore in Vault: namespace (optional), K/V mount, the policy rendered from the spec, the
 * login (AppRole role + role-id + secret-id, or a Kubernetes auth role) and the transit key (optional).
 * Child ids are stable: Namespace, KvMount, TransitKey, Policy, AppRoleAuth, AppRole, KubernetesAuthBackend,
 * KubernetesAuthRole.
 * At synth, the app's keystores are checked together: a prefix equal to or inside another's on the same mount,
 * or a policy or role name another keystore uses in the same namespace, fails the synth naming both.
 */
export class Keystore extends Construct implements IKeystore {
  public readonly spec: KeystoreSpec;
  public readonly keystorePolicyName: string;
  public readonly roleId?: string;
  public readonly secretId?: string;
  public readonly secretIdWrappingToken?: string;
  public readonly secretIdAccessor?: string;
  public readonly kubernetesRoleName?: string;
  public readonly kubernetesAudience?: string;
  /** The Kubernetes auth mount and its config, when created here. */
  public readonly kubernetesAuthBackend?: KubernetesAuthBackend;
  /** The policy construct (its `document` is the rendered HCL). */
  public readonly policy: KeystorePolicy;
  /** The AppRole identity, for AppRole login. */
  public readonly appRoleIdentity?: AppRoleIdentity;

  /**
   * @throws Error when the spec is invalid (see resolveKeystoreSpec), when a passed mount does not match the
   *   spec (path, version, namespace), or when the login options do not match `authMethod`.
   */
  constructor(scope: Construct, id: string, props: KeystoreProps) {
    super(scope, id);
    const spec = new KeystoreSpec(props);
    this.spec = spec;
    registerKeystore(this, spec);

    let namespace: IVaultNamespace | undefined;
    if (spec.namespace !== undefined) {
      namespace =
        (props.createNamespace ?? true)
          ? new VaultNamespace(this, "Namespace", { path: spec.namespace })
          : VaultNamespace.fromPath(spec.namespace);
    }
    const authNamespace = VaultNamespace.forLogin(namespace, spec.authNamespace);

    const kvMount =
      props.kvMount ??
      new KvMount(this, "KvMount", {
        path: spec.kvEngine,
        version: spec.kvVersion,
        namespace,
        maxVersions: spec.kvMaxVersions,
      });
    if (kvMount.kvMountName !== spec.kvEngine || kvMount.kvVersion !== spec.kvVersion) {
      throw new Error(
        `kvMount ${show(`${kvMount.kvMountName} (v${kvMount.kvVersion.version})`)} does not match the spec ${show(`${spec.kvEngine} (v${spec.kvVersion.version})`)}: pass a mount with the same path and version, or drop kvMount`,
      );
    }
    if (kvMount.kvNamespace?.namespaceName !== spec.namespace) {
      throw new Error(
        `kvMount is in namespace ${show(kvMount.kvNamespace?.namespaceName ?? "/")} but the spec's namespace is ${show(spec.namespace ?? "/")}: pass a mount from the same namespace`,
      );
    }

    if (spec.transit) {
      new TransitKey(this, "TransitKey", {
        engine: spec.transit.engine,
        keyName: spec.transit.key,
        createMount: props.createTransitMount ?? true,
        deletionAllowed: props.transitKeyDeletionAllowed ?? false,
        namespace,
      });
    }

    this.policy = new KeystorePolicy(this, "Policy", { spec, namespace: authNamespace });
    this.keystorePolicyName = this.policy.policyName;

    if (spec.authMethod === VaultAuthMethod.APPROLE) {
      if (props.kubernetesAuth || props.kubernetesAuthBackend) {
        throw new Error(
          "kubernetesAuth is set but authMethod is AppRole: set authMethod: VaultAuthMethod.KUBERNETES, or drop kubernetesAuth",
        );
      }
      const auth =
        props.appRoleAuth ??
        new AppRoleAuth(this, "AppRoleAuth", { path: spec.authEngine, namespace: authNamespace });
      if (
        auth.authName !== spec.authEngine ||
        auth.authNamespace?.namespaceName !== authNamespace?.namespaceName
      ) {
        throw new Error(
          `appRoleAuth ${show(`${auth.authNamespace?.namespaceName ?? ""}/auth/${auth.authName}`)} does not match the spec's auth mount ${show(`${authNamespace?.namespaceName ?? ""}/auth/${spec.authEngine}`)}: pass a mount with the same path and namespace`,
        );
      }
      const identity = new AppRoleIdentity(this, "AppRole", {
        ...props.appRole,
        auth,
        roleName: spec.roleName,
        policyNames: [this.keystorePolicyName],
      });
      this.appRoleIdentity = identity;
      this.roleId = identity.roleId;
      this.secretId = identity.secretId;
      this.secretIdWrappingToken = identity.secretIdWrappingToken;
      this.secretIdAccessor = identity.secretIdAccessor;
    } else {
      if (!props.kubernetesAuth) {
        throw new Error(
          'kubernetesAuth is missing but authMethod is Kubernetes: name the service account, e.g. { serviceAccountNames: ["kes"], serviceAccountNamespaces: ["minio"] }',
        );
      }
      if (props.appRole || props.appRoleAuth) {
        throw new Error(
          "appRole options are set but authMethod is Kubernetes: drop them, or use VaultAuthMethod.APPROLE",
        );
      }
      if (props.kubernetesAuthBackend) {
        this.kubernetesAuthBackend = new KubernetesAuthBackend(this, "KubernetesAuthBackend", {
          ...props.kubernetesAuthBackend,
          path: spec.authEngine,
          namespace: authNamespace,
        });
      }
      const role = new KubernetesAuthRole(this, "KubernetesAuthRole", {
        ...props.kubernetesAuth,
        authPath: this.kubernetesAuthBackend?.authPath ?? spec.authEngine,
        namespace: authNamespace,
        roleName: spec.roleName,
        policyNames: [this.keystorePolicyName],
      });
      this.kubernetesRoleName = role.roleName;
      this.kubernetesAudience = props.kubernetesAuth.audience;
    }
  }
}
