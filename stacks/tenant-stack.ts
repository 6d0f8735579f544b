import type { Construct } from "constructs";
import { KitStack, withAppRoleMount, type KitProvider, type KitStackOptions } from "./kit-stack";
import { AppRoleAuth, type IAppRoleAuth } from "../constructs/vault/approle-auth";
import type { KeystoreProps } from "../constructs/vault/keystore";
import { KvMount, type IKvMount } from "../constructs/vault/kv-mount";
import { KvVersion } from "../constructs/vault/kv-version";
import { VaultNamespace } from "../constructs/vault/vault-namespace";
import { KesTenant, type KesTenantProps } from "../constructs/tenant/kes-tenant";
import { TenantKeystore } from "../constructs/tenant/tenant-keystore";
import { TenantVault } from "../constructs/tenant/tenant-vault";

/** One tenant of a stack: the composite's props with the keystore given as props. */
export type TenantDefinition = Omit<KesTenantProps, "keystore"> & {
  /** The tenant's keystore (spec, login options). */
  readonly keystore: KeystoreProps;
};

export interface TenantStackProps extends KitStackOptions {
  /** The tenant. */
  readonly tenant: TenantDefinition;
  /**
   * Use a K/V mount that exists already at the spec's engine path (e.g. shared with other tenants).
   * @default false - the tenant creates it
   */
  readonly existingKvMount?: boolean;
  /**
   * Use an AppRole mount that exists already at the spec's auth path.
   * @default false - the tenant creates it
   */
  readonly existingAppRoleAuth?: boolean;
}

/** Providers of a tenant stack. */
function kitProviders(opts: KitStackOptions, rotation: boolean): KitProvider[] {
  return [
    "vault",
    ...(opts.withoutKubernetes ? [] : (["kubernetes"] as const)),
    "tls",
    "random",
    ...(rotation ? (["time"] as const) : []),
  ];
}

function usesRotation(k: KeystoreProps): boolean {
  return k.login?.appRoleOptions?.secretIdRotation !== undefined;
}

/**
 * A single tenant, whole chain in one stack: Vault half, identities, key server and MinIO on Kubernetes.
 * Providers vault, kubernetes, tls, random (and time with secret-id rotation) read their credentials from
 * the environment at plan/apply time (VAULT_ADDR/VAULT_TOKEN, KUBE_CONFIG_PATH, ...), never at synth.
 */
export class TenantStack extends KitStack {
  /** The tenant: a KesTenant, or its Vault half alone when `withoutKubernetes`. */
  public readonly tenant: TenantVault;

  /** @throws Error from KitStack and the tenant constructs. */
  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id, props, kitProviders(props, usesRotation(props.tenant.keystore)));
    const keystore = this.onExistingMounts(props.tenant.keystore, props);
    this.tenant = tenantOf(this, props.tenant, TenantKeystore.fromProps(keystore), props.withoutKubernetes);
  }
}

/**
 * The whole tenant, or its Vault half alone (same logical ids) for a stack applied without a cluster.
 * @throws Error from the tenant constructs.
 */
function tenantOf(
  scope: Construct,
  t: TenantDefinition,
  keystore: TenantKeystore,
  withoutKubernetes: boolean | undefined,
): TenantVault {
  const props = { ...t, keystore };
  return withoutKubernetes
    ? new TenantVault(scope, t.tenantName, props)
    : new KesTenant(scope, t.tenantName, props);
}

export interface TenantsStackProps extends KitStackOptions {
  /** The tenants, each with its keystore props. */
  readonly tenants: readonly TenantDefinition[];
  /**
   * Mounts shared by prefix-isolated tenants, created once here: the K/V mount and the AppRole mount.
   * @default - none: every tenant creates its own (namespace isolation)
   */
  readonly sharedMounts?: SharedMountsOptions;
}

/**
 * The mounts tenants share: the K/V and AppRole mounts of prefix-isolated tenants, or only the AppRole mount in
 * the auth namespace of namespace-isolated tenants.
 */
export interface SharedMountsOptions {
  /**
   * Path of the shared K/V mount.
   * @default - no shared K/V mount (each tenant has its own)
   */
  readonly kvEngine?: string;
  /** @default KvVersion.V1 */
  readonly kvVersion?: KvVersion;
  readonly authEngine: string;
  /**
   * Namespace of the shared AppRole mount ("/" = root).
   * @default - the root namespace
   */
  readonly authNamespace?: string;
  /**
   * The mounts exist already (e.g. created by the tenant-shared stack): refer to them only.
   * @default false - this stack creates them
   */
  readonly existing?: boolean;
}

/**
 * Many tenants on one Vault in one stack. In prefix isolation they share one K/V mount and one AppRole mount
 * (created once, or referred to when `existing`), each tenant with its own prefix, policy and role.
 */
export class TenantsStack extends KitStack {
  /** The tenants: KesTenants, or their Vault halves alone when `withoutKubernetes`. */
  public readonly tenants: TenantVault[] = [];

  /** @throws Error from KitStack and the tenant constructs, or when `tenants` is empty. */
  constructor(scope: Construct, id: string, props: TenantsStackProps) {
    if (props.tenants.length === 0) throw new Error("tenants [] is empty: pass at least one tenant");
    super(
      scope,
      id,
      props,
      kitProviders(
        props,
        props.tenants.some((t) => usesRotation(t.keystore)),
      ),
    );
    let kvMount: IKvMount | undefined;
    let appRoleAuth: IAppRoleAuth | undefined;
    const shared = props.sharedMounts;
    if (shared) {
      ({ kvMount, appRoleAuth } = sharedMounts(this, shared));
    }
    for (const t of props.tenants) {
      const withKv: KeystoreProps = { ...t.keystore, ...(kvMount ? { kvMount } : {}) };
      // Tenants with Kubernetes login have an auth mount of their own, not the shared AppRole one.
      const keystore =
        appRoleAuth && !t.keystore.login?.kubernetesOptions ? withAppRoleMount(withKv, appRoleAuth) : withKv;
      this.tenants.push(tenantOf(this, t, TenantKeystore.fromProps(keystore), props.withoutKubernetes));
    }
  }
}

/**
 * The stack of a tenant being offboarded: its providers and backend and nothing else, so that a deploy destroys
 * everything its state holds (policy, role, secret-id, identities, namespace, workloads). Keys in Vault are not
 * Terraform resources: `npm run rollout -- deploy` deletes them first when the tenants file asks it to.
 */
export class OffboardedTenantStack extends KitStack {
  /** @throws Error from KitStack. */
  constructor(scope: Construct, id: string, props: KitStackOptions) {
    super(scope, id, props, kitProviders(props, true));
  }
}

/** The shared mounts of prefix-isolated tenants deployed one stack per tenant (stack id "tenant-shared"). */
export class SharedMountsStack extends KitStack {
  /** @throws Error from KitStack and the mount constructs. */
  constructor(
    scope: Construct,
    id: string,
    props: KitStackOptions & { readonly mounts: SharedMountsOptions },
  ) {
    super(scope, id, props, ["vault"]);
    sharedMounts(this, { ...props.mounts, existing: false });
  }
}

/** Creates (or, when `existing`, refers to) the shared mounts; child ids SharedKvMount and SharedAppRoleAuth. */
function sharedMounts(
  scope: Construct,
  shared: SharedMountsOptions,
): { kvMount?: IKvMount; appRoleAuth: IAppRoleAuth } {
  const authNamespace = VaultNamespace.forLogin(
    scope,
    "SharedAuthNamespace",
    undefined,
    shared.authNamespace,
  );
  let kvMount: IKvMount | undefined;
  if (shared.kvEngine !== undefined) {
    const version = shared.kvVersion ?? KvVersion.V1;
    kvMount = shared.existing
      ? KvMount.fromExisting(scope, "SharedKvMount", shared.kvEngine, version)
      : new KvMount(scope, "SharedKvMount", { path: shared.kvEngine, version });
  }
  const appRoleAuth = shared.existing
    ? AppRoleAuth.fromExisting(scope, "SharedAppRoleAuth", shared.authEngine, authNamespace)
    : new AppRoleAuth(scope, "SharedAppRoleAuth", { path: shared.authEngine, namespace: authNamespace });
  return { ...(kvMount ? { kvMount } : {}), appRoleAuth };
}
