/**
 * The base of every stack the kit's app builds: the providers the stack uses (pinned to exact versions when
 * given) and the local backend. Only stacks create providers and backends (STYLE.md); each kit stack names
 * the providers it needs and inherits the rest.
 */
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { LocalBackend } from "cdktf";
import type { Construct } from "constructs";
import * as path from "node:path";
import { AppRoleAuth, type IAppRoleAuth } from "../constructs/vault/approle-auth";
import type { KeystoreProps } from "../constructs/vault/keystore";
import { KeystoreLogin } from "../constructs/vault/keystore-login";
import { KvMount } from "../constructs/vault/kv-mount";
import { KvVersion } from "../constructs/vault/kv-version";
import { VaultNamespace } from "../constructs/vault/vault-namespace";
import { SelfContainedStack } from "./self-contained-stack";

/** A provider a kit stack can use. */
export type KitProvider = "vault" | "kubernetes" | "tls" | "random" | "time";

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
   * Leave the Kubernetes half out (no kubernetes provider; each tenant is its `TenantVault` alone, without the
   * `TenantWorkloads` of a `KesTenant`): the Vault half, identities and MinIO's root password keep their logical
   * ids, so this stack applies without a cluster and its state resolves the Secret values the full synthesis
   * declares (the local flow).
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
 * The keystore with its AppRole login moved onto `mount` (its other AppRole options kept).
 * @throws Error when the keystore logs in with Kubernetes auth.
 */
export function withAppRoleMount(k: KeystoreProps, mount: IAppRoleAuth): KeystoreProps {
  if (k.login?.kubernetesOptions) {
    throw new Error(
      `keystore ${JSON.stringify(k.prefix)} logs in with Kubernetes auth, so the AppRole mount ${JSON.stringify(mount.authPathLiteral)} does not apply: drop the existing/shared AppRole mount, or use KeystoreLogin.appRole()`,
    );
  }
  return { ...k, login: KeystoreLogin.appRole({ ...k.login?.appRoleOptions, mount }) };
}

/** Mounts a kit stack's keystore uses instead of creating them. */
export interface ExistingMounts {
  /** The K/V mount exists at the spec's engine path (child id ExistingKvMount). */
  readonly existingKvMount?: boolean;
  /** The AppRole mount exists at the spec's auth path (child id ExistingAppRoleAuth). */
  readonly existingAppRoleAuth?: boolean;
}

/**
 * A stack with the kit's providers and backend. Kit stacks take no values from other stacks (they refer to shared
 * mounts by name), so they skip cdktf's cross-stack pass and check their output instead (SelfContainedStack).
 */
export abstract class KitStack extends SelfContainedStack {
  /**
   * @param providers the providers this stack uses; only these are configured and pinned
   * @throws Error when `stateDir` is relative.
   */
  protected constructor(
    scope: Construct,
    id: string,
    opts: KitStackOptions,
    providers: readonly KitProvider[],
  ) {
    super(scope, id);
    if (opts.stateDir !== undefined) {
      if (!path.isAbsolute(opts.stateDir)) {
        throw new Error(
          `stateDir ${JSON.stringify(opts.stateDir)} must be absolute: cdktf bakes it into cdk.tf.json, e.g. "/var/lib/kvk/state"`,
        );
      }
      new LocalBackend(this, { path: path.join(opts.stateDir, `${id}.tfstate`) });
    }
    for (const name of providers) {
      switch (name) {
        case "vault":
          new VaultProvider(
            this,
            "vault",
            opts.vaultVersionOverride === undefined
              ? {}
              : { vaultVersionOverride: opts.vaultVersionOverride },
          );
          break;
        case "kubernetes":
          new KubernetesProvider(this, "kubernetes", {
            ...(opts.kubeConfigPath === undefined ? {} : { configPath: opts.kubeConfigPath }),
            ...(opts.kubeConfigContext === undefined ? {} : { configContext: opts.kubeConfigContext }),
          });
          break;
        case "tls":
          new TlsProvider(this, "tls", {});
          break;
        case "random":
          new RandomProvider(this, "random", {});
          break;
        case "time":
          new TimeProvider(this, "time", {});
          break;
      }
      const version = opts.providerVersions?.[name];
      if (version !== undefined) this.addOverride(`terraform.required_providers.${name}.version`, version);
    }
  }

  /**
   * The keystore props on the mounts that exist already (imported under child ids ExistingKvMount and
   * ExistingAppRoleAuth of this stack, their namespaces as ExistingNamespace and ExistingAuthNamespace), as
   * `existing` says.
   * @throws Error when an existing AppRole mount is asked for a keystore with Kubernetes login.
   */
  protected onExistingMounts(k: KeystoreProps, existing: ExistingMounts): KeystoreProps {
    if (!existing.existingKvMount && !existing.existingAppRoleAuth) return k;
    const namespace =
      k.namespace === undefined ? undefined : VaultNamespace.fromPath(this, "ExistingNamespace", k.namespace);
    const withKv: KeystoreProps = existing.existingKvMount
      ? {
          ...k,
          kvMount: KvMount.fromExisting(
            this,
            "ExistingKvMount",
            k.kvEngine ?? "kv",
            k.kvVersion ?? KvVersion.V1,
            namespace,
          ),
        }
      : k;
    if (!existing.existingAppRoleAuth) return withKv;
    const authNamespace = VaultNamespace.forLogin(this, "ExistingAuthNamespace", namespace, k.authNamespace);
    return withAppRoleMount(
      withKv,
      AppRoleAuth.fromExisting(this, "ExistingAppRoleAuth", k.authEngine ?? "approle", authNamespace),
    );
  }
}
