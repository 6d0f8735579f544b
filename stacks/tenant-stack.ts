import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import * as path from "node:path";
import { AppRoleAuth, type IAppRoleAuth } from "../constructs/vault/approle-auth";
import type { KeystoreProps } from "../constructs/vault/keystore";
import { KeystoreLogin } from "../constructs/vault/keystore-login";
import { KvMount, type IKvMount } from "../constructs/vault/kv-mount";
import { KvVersion } from "../constructs/vault/kv-version";
import { VaultNamespace } from "../constructs/vault/vault-namespace";
import { KesTenant, type KesTenantProps } from "../constructs/tenant/kes-tenant";
import { TenantKeystore } from "../constructs/tenant/tenant-keystore";

/** Settings every stack of the kit shares: providers, versions, state. */
export interface KitStackOptions {
  /**
   * The vault provider's `vault_version_override`; needed against OpenBao (e.g. "1.14.0").
   * @default - the provider asks the server
   */
  readonly vaultVersionOverride?: string;
  /**
   * Exact provider versions by provider name (`{ vault: "5.9.0", kubernetes: "3.2.1" }`), written over the
   * bindings' constraints for the providers the stack uses (the test bed's KVK_PROVIDER_VERSIONS).
   * @default - the bindings' own versions
   */
  readonly providerVersions?: Readonly<Record<string, string>>;
  /**
   * Absolute directory of the local state files (`<dir>/<stack id>.tfstate`). State holds the secret-id, the
   * private keys and MinIO's root password in clear: keep it out of the repository, or use a remote backend.
   * @default - terraform.<stack id>.tfstate in the working directory
   */
  readonly stateDir?: string;
  /**
   * kubeconfig file for the kubernetes provider (its `config_path`).
   * @default - the provider's own environment (KUBE_CONFIG_PATH, in-cluster config, ...)
   */
  readonly kubeConfigPath?: string;
  /**
   * Leave the Kubernetes half out (no kubernetes provider, no namespace, key server or MinIO): the Vault half,
   * identities and MinIO's root password keep their logical ids, so this stack applies without a cluster and
   * its state resolves the Secret values the full synthesis declares (the local flow).
   * @default false
   */
  readonly withoutKubernetes?: boolean;
  /**
   * kubeconfig context (`config_context`).
   * @default - the kubeconfig's current context
   */
  readonly kubeConfigContext?: string;
}

/**
 * Adds the providers a kit stack uses, pins them to exact versions when given, and sets the local backend.
 * @throws Error when `stateDir` is relative.
 */
export function configureKitStack(
  stack: TerraformStack,
  id: string,
  opts: KitStackOptions,
  providers: readonly string[],
): void {
  if (opts.stateDir !== undefined) {
    if (!path.isAbsolute(opts.stateDir)) {
      throw new Error(
        `stateDir ${JSON.stringify(opts.stateDir)} must be absolute: cdktf bakes it into cdk.tf.json, e.g. "/var/lib/kvk/state"`,
      );
    }
    new LocalBackend(stack, { path: path.join(opts.stateDir, `${id}.tfstate`) });
  }
  for (const name of providers) {
    switch (name) {
      case "vault":
        new VaultProvider(
          stack,
          "vault",
          opts.vaultVersionOverride === undefined ? {} : { vaultVersionOverride: opts.vaultVersionOverride },
        );
        break;
      case "kubernetes":
        new KubernetesProvider(stack, "kubernetes", {
          ...(opts.kubeConfigPath === undefined ? {} : { configPath: opts.kubeConfigPath }),
          ...(opts.kubeConfigContext === undefined ? {} : { configContext: opts.kubeConfigContext }),
        });
        break;
      case "tls":
        new TlsProvider(stack, "tls", {});
        break;
      case "random":
        new RandomProvider(stack, "random", {});
        break;
      case "time":
        new TimeProvider(stack, "time", {});
        break;
      default:
        throw new Error(
          `provider ${JSON.stringify(name)} is not one the kit configures: use vault, kubernetes, tls, random or time`,
        );
    }
    const version = opts.providerVersions?.[name];
    if (version !== undefined) stack.addOverride(`terraform.required_providers.${name}.version`, version);
  }
}

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
function kitProviders(opts: KitStackOptions, rotation: boolean): string[] {
  return [
    "vault",
    ...(opts.withoutKubernetes ? [] : ["kubernetes"]),
    "tls",
    "random",
    ...(rotation ? ["time"] : []),
  ];
}

function usesRotation(k: KeystoreProps): boolean {
  return k.login?.appRoleOptions?.secretIdRotation !== undefined;
}

/**
 * The keystore with its AppRole login moved onto `mount` (its other AppRole options kept).
 * @throws Error when the keystore logs in with Kubernetes auth.
 */
export function withAppRoleMount(k: KeystoreProps, mount: IAppRoleAuth): KeystoreProps {
  if (k.login?.kubernetesOptions) {
    throw new Error(
      `keystore ${JSON.stringify(k.prefix)} logs in with Kubernetes auth, so the AppRole mount ${JSON.stringify(mount.authName)} does not apply: drop the existing/shared AppRole mount, or use KeystoreLogin.appRole()`,
    );
  }
  return { ...k, login: KeystoreLogin.appRole({ ...k.login?.appRoleOptions, mount }) };
}

/**
 * A single tenant, whole chain in one stack: Vault half, identities, key server and MinIO on Kubernetes.
 * Providers vault, kubernetes, tls, random (and time with secret-id rotation) read their credentials from
 * the environment at plan/apply time (VAULT_ADDR/VAULT_TOKEN, KUBE_CONFIG_PATH, ...), never at synth.
 */
export class TenantStack extends TerraformStack {
  public readonly tenant: KesTenant;

  /** @throws Error from configureKitStack and the tenant constructs. */
  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id);
    const k = props.tenant.keystore;
    configureKitStack(this, id, props, kitProviders(props, usesRotation(k)));
    const namespace = k.namespace === undefined ? undefined : VaultNamespace.fromPath(k.namespace);
    const authNamespace = VaultNamespace.forLogin(namespace, k.authNamespace);
    const withKv: KeystoreProps = {
      ...k,
      ...(props.existingKvMount
        ? {
            kvMount: KvMount.fromExisting(
              this,
              "ExistingKvMount",
              k.kvEngine ?? "kv",
              k.kvVersion ?? KvVersion.V1,
              namespace,
            ),
          }
        : {}),
    };
    const keystore = props.existingAppRoleAuth
      ? withAppRoleMount(
          withKv,
          AppRoleAuth.fromExisting(this, "ExistingAppRoleAuth", k.authEngine ?? "approle", authNamespace),
        )
      : withKv;
    this.tenant = new KesTenant(this, props.tenant.tenantName, {
      ...props.tenant,
      keystore: TenantKeystore.fromProps(keystore),
      ...(props.withoutKubernetes ? { kubernetes: false } : {}),
    });
  }
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
export class TenantsStack extends TerraformStack {
  public readonly tenants: KesTenant[] = [];

  /** @throws Error from configureKitStack and the tenant constructs, or when `tenants` is empty. */
  constructor(scope: Construct, id: string, props: TenantsStackProps) {
    super(scope, id);
    if (props.tenants.length === 0) throw new Error("tenants [] is empty: pass at least one tenant");
    const rotation = props.tenants.some((t) => usesRotation(t.keystore));
    configureKitStack(this, id, props, kitProviders(props, rotation));
    let kvMount: IKvMount | undefined;
    let appRoleAuth: IAppRoleAuth | undefined;
    const shared = props.sharedMounts;
    if (shared) {
      ({ kvMount, appRoleAuth } = sharedMounts(this, shared));
    }
    for (const t of props.tenants) {
      const withKv: KeystoreProps = { ...t.keystore, ...(kvMount ? { kvMount } : {}) };
      const keystore = appRoleAuth ? withAppRoleMount(withKv, appRoleAuth) : withKv;
      this.tenants.push(
        new KesTenant(this, t.tenantName, {
          ...t,
          keystore: TenantKeystore.fromProps(keystore),
          ...(props.withoutKubernetes ? { kubernetes: false } : {}),
        }),
      );
    }
  }
}

/**
 * The stack of a tenant being offboarded: its providers and backend and nothing else, so that a deploy destroys
 * everything its state holds (policy, role, secret-id, identities, namespace, workloads). Keys in Vault are not
 * Terraform resources: `npm run rollout -- deploy` deletes them first when the tenants file asks it to.
 */
export class OffboardedTenantStack extends TerraformStack {
  /** @throws Error from configureKitStack. */
  constructor(scope: Construct, id: string, props: KitStackOptions) {
    super(scope, id);
    configureKitStack(this, id, props, kitProviders(props, true));
  }
}

/** The shared mounts of prefix-isolated tenants deployed one stack per tenant (stack id "tenant-shared"). */
export class SharedMountsStack extends TerraformStack {
  /** @throws Error from configureKitStack and the mount constructs. */
  constructor(
    scope: Construct,
    id: string,
    props: KitStackOptions & { readonly mounts: SharedMountsOptions },
  ) {
    super(scope, id);
    configureKitStack(this, id, props, ["vault"]);
    sharedMounts(this, { ...props.mounts, existing: false });
  }
}

/** Creates (or, when `existing`, refers to) the shared mounts; child ids SharedKvMount and SharedAppRoleAuth. */
function sharedMounts(
  scope: Construct,
  shared: SharedMountsOptions,
): { kvMount?: IKvMount; appRoleAuth: IAppRoleAuth } {
  const authNamespace = VaultNamespace.forLogin(undefined, shared.authNamespace);
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
