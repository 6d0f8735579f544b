import { Construct, type IConstruct } from "constructs";
import { show } from "../private/vault-path";
import { AppRoleAuth } from "./approle-auth";
import type { AuthMountAttributes } from "./auth-mount-import";
import { AppRoleIdentity } from "./approle-identity";
import { KeystorePolicy } from "./keystore-policy";
import { registerKeystore } from "./keystore-registry";
import { KeystoreSpec } from "./keystore-spec";
import type { KeystoreSpecProps } from "./keystore-spec-validation";
import type { KvVersion } from "./kv-version";
import { KeystoreLogin } from "./keystore-login";
import { KubernetesAuthBackend } from "./kubernetes-auth-backend";
import { KubernetesAuthRole } from "./kubernetes-auth-role";
import { KvMount, type IKvMount } from "./kv-mount";
import { TransitKey } from "./transit-key";
import type { IVaultLoginRole } from "./vault-login-role";
import { VaultNamespace, type IVaultNamespace } from "./vault-namespace";

/**
 * A provisioned keystore: what the key server (and its config) needs from the Vault side. Its attributes
 * (`keystorePolicyName`, `kubernetesRoleName`, ...) may be tokens; the same values as written, known at synth,
 * are in `spec` (`spec.policyName`, `spec.roleName`, `spec.kvEngine`, `spec.namespace`).
 */
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
  /**
   * Attaches the keystore's policy to a login role (an AppRole or Kubernetes auth role defined in this app, the
   * keystore's own or another), so the tokens it issues may use the keystore as a key server does.
   * @throws Error when the role's auth mount is in another Vault namespace than the policy.
   */
  grantKeyServerAccess(role: IVaultLoginRole): void;
}

export interface KeystoreProps extends Omit<KeystoreSpecProps, "authMethod"> {
  /**
   * Mount path of the K/V engine; when `kvMount` is passed it must be that mount's path.
   * @default - `kvMount.kvMountPathLiteral` when `kvMount` is passed, else "kv"
   */
  readonly kvEngine?: string;
  /**
   * Version of the K/V engine; when `kvMount` is passed it must be that mount's version.
   * @default - `kvMount.kvVersion` when `kvMount` is passed, else KvVersion.V1
   */
  readonly kvVersion?: KvVersion;
  /**
   * Mount path of the auth method (under `auth/`); when the login's `mount` (AppRole or Kubernetes auth) is
   * passed it must be that mount's path.
   * @default - the login's `mount.authPathLiteral` when passed, else "approle" or "kubernetes" after the login
   */
  readonly authEngine?: string;
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
   * How the key server logs in: `KeystoreLogin.appRole({...})` or `KeystoreLogin.kubernetes({...})`.
   * @default KeystoreLogin.appRole() - the KES defaults: periodic 300 s token, unlimited uses, no rotation
   */
  readonly login?: KeystoreLogin;
}

/**
 * One tenant's keystore in Vault: namespace (optional), K/V mount, the policy rendered from the spec, the
 * login (AppRole role + role-id + secret-id, or a Kubernetes auth role) and the transit key (optional).
 * Child ids are stable: Namespace (created, or imported with `createNamespace: false`), AuthNamespace (an
 * imported `authNamespace`, creates nothing), KvMount, TransitKey, Policy, AppRoleAuth, AppRole,
 * KubernetesAuthBackend (created with the Kubernetes login's `authBackend`, else imported when no `mount` is
 * passed: creates nothing), KubernetesAuthRole.
 * At synth, the app's keystores are checked together: a prefix equal to or inside another's on the same mount,
 * or a policy or role name another keystore uses in the same namespace, fails the synth naming both.
 */
export class Keystore extends Construct implements IKeystore {
  /**
   * The spec a Keystore with these props derives (the login's method, and the paths and version of the mounts
   * passed, included), without creating it. Use it rather than `new KeystoreSpec(props)`, which would not see
   * the login or the mounts.
   * @throws Error when a spec field is invalid (the message names it and the fix).
   */
  public static specOf(props: KeystoreProps): KeystoreSpec {
    const login = props.login ?? KeystoreLogin.appRole();
    const kvMount = props.kvMount;
    const authMount = login.appRoleOptions?.mount ?? login.kubernetesOptions?.mount;
    return new KeystoreSpec({
      ...props,
      kvEngine: props.kvEngine ?? kvMount?.kvMountPathLiteral,
      kvVersion: props.kvVersion ?? kvMount?.kvVersion,
      authEngine: props.authEngine ?? authMount?.authPathLiteral,
      authMethod: login.method,
    });
  }

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
   *   spec (path, version, namespace), or when a Kubernetes login names no service account or passes both a
   *   `mount` and an `authBackend`.
   */
  constructor(scope: Construct, id: string, props: KeystoreProps) {
    super(scope, id);
    const login = props.login ?? KeystoreLogin.appRole();
    const spec = Keystore.specOf(props);
    this.spec = spec;
    registerKeystore(this, spec);

    let namespace: IVaultNamespace | undefined;
    if (spec.namespace !== undefined) {
      namespace =
        (props.createNamespace ?? true)
          ? new VaultNamespace(this, "Namespace", { path: spec.namespace })
          : VaultNamespace.fromPath(this, "Namespace", spec.namespace);
    }
    const authNamespace = VaultNamespace.forLogin(this, "AuthNamespace", namespace, spec.authNamespace);

    const kvMount =
      props.kvMount ??
      new KvMount(this, "KvMount", {
        path: spec.kvEngine,
        version: spec.kvVersion,
        namespace,
        maxVersions: spec.kvMaxVersions,
      });
    if (kvMount.kvMountPathLiteral !== spec.kvEngine || kvMount.kvVersion !== spec.kvVersion) {
      throw new Error(
        `kvMount ${show(`${kvMount.kvMountPathLiteral} (v${kvMount.kvVersion.version})`)} does not match the spec ${show(`${spec.kvEngine} (v${spec.kvVersion.version})`)}: pass a mount with the same path and version, or drop kvMount`,
      );
    }
    if (kvMount.kvNamespace?.namespacePathLiteral !== spec.namespace) {
      throw new Error(
        `kvMount is in namespace ${show(kvMount.kvNamespace?.namespacePathLiteral ?? "/")} but the spec's namespace is ${show(spec.namespace ?? "/")}: pass a mount from the same namespace`,
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

    const appRole = login.appRoleOptions;
    if (appRole) {
      const { mount, ...options } = appRole;
      const auth =
        mount ?? new AppRoleAuth(this, "AppRoleAuth", { path: spec.authEngine, namespace: authNamespace });
      checkLoginMount("AppRole", auth, spec.authEngine, authNamespace);
      const identity = new AppRoleIdentity(this, "AppRole", { ...options, auth, roleName: spec.roleName });
      this.grantKeyServerAccess(identity);
      this.appRoleIdentity = identity;
      this.roleId = identity.roleId;
      this.secretId = identity.secretId;
      this.secretIdWrappingToken = identity.secretIdWrappingToken;
      this.secretIdAccessor = identity.secretIdAccessor;
    } else {
      const { authBackend, mount, serviceAccountNames, serviceAccountNamespaces, ...options } =
        login.kubernetesOptions ?? {};
      if (serviceAccountNames === undefined || serviceAccountNamespaces === undefined) {
        throw new Error(
          'login KeystoreLogin.kubernetes(...) names no service account: pass serviceAccountNames and serviceAccountNamespaces, e.g. { serviceAccountNames: ["kes"], serviceAccountNamespaces: ["minio"] }, or give the keystore to a KesTenant, which binds its key server',
        );
      }
      if (authBackend && mount) {
        throw new Error(
          `login KeystoreLogin.kubernetes(...) passes mount ${show(mount.node.path)} and authBackend, but authBackend creates the mount: pass authBackend to create and configure it here, or mount for one configured elsewhere, not both`,
        );
      }
      if (authBackend) {
        this.kubernetesAuthBackend = new KubernetesAuthBackend(this, "KubernetesAuthBackend", {
          ...authBackend,
          path: spec.authEngine,
          namespace: authNamespace,
        });
      }
      const auth =
        mount ??
        this.kubernetesAuthBackend ??
        KubernetesAuthBackend.fromExisting(this, "KubernetesAuthBackend", spec.authEngine, authNamespace);
      checkLoginMount("Kubernetes auth", auth, spec.authEngine, authNamespace);
      const role = new KubernetesAuthRole(this, "KubernetesAuthRole", {
        ...options,
        serviceAccountNames,
        serviceAccountNamespaces,
        auth,
        roleName: spec.roleName,
      });
      this.grantKeyServerAccess(role);
      this.kubernetesRoleName = role.roleName;
      this.kubernetesAudience = options.audience;
    }
  }

  public grantKeyServerAccess(role: IVaultLoginRole): void {
    const policyNamespace = this.spec.effectiveAuthNamespace;
    const loginNamespace = role.loginNamespace?.namespacePathLiteral ?? "";
    if (loginNamespace !== policyNamespace) {
      throw new Error(
        `role ${role.node.path} logs in through namespace ${show(loginNamespace || "/")} but the keystore's policy ${show(this.spec.policyName)} lives in ${show(policyNamespace || "/")}: grant a role whose auth mount is in ${show(policyNamespace || "/")}`,
      );
    }
    role.addPolicy(this.keystorePolicyName);
  }
}

/**
 * Checks that the login's auth mount is the spec's (path and namespace).
 * @throws Error naming both mounts when they differ.
 */
function checkLoginMount(
  kind: string,
  auth: AuthMountAttributes,
  authEngine: string,
  authNamespace: IVaultNamespace | undefined,
): void {
  const given = auth.authNamespace?.namespacePathLiteral;
  const expected = authNamespace?.namespacePathLiteral;
  if (auth.authPathLiteral !== authEngine || given !== expected) {
    throw new Error(
      `login's ${kind} mount ${show(`${given ?? ""}/auth/${auth.authPathLiteral}`)} does not match the spec's auth mount ${show(`${expected ?? ""}/auth/${authEngine}`)}: pass a mount with the same path and namespace`,
    );
  }
}
