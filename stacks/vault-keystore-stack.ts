import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import * as path from "node:path";
import { AppRoleAuth, Keystore, KvMount, KvVersion, VaultNamespace, type KeystoreProps } from "../constructs";
import { withAppRoleMount } from "./tenant-stack";

export interface VaultKeystoreStackProps {
  /** The keystore to deploy (spec, mounts, login options). */
  readonly keystore: KeystoreProps;
  /**
   * Use an AppRole mount that already exists at the spec's `authEngine` (e.g. shared with other tenants).
   * @default false - the stack mounts it
   */
  readonly existingAppRoleAuth?: boolean;
  /**
   * Use a K/V mount that already exists at the spec's `kvEngine`.
   * @default false - the stack mounts it
   */
  readonly existingKvMount?: boolean;
  /**
   * The vault provider's `vault_version_override`; needed against OpenBao (e.g. "1.14.0"), whose 2.x version
   * the provider would otherwise misread.
   * @default - the provider asks the server
   */
  readonly vaultVersionOverride?: string;
  /**
   * Exact provider versions by provider name (`{ vault: "5.9.0" }`), written over the bindings' constraints in
   * `terraform.required_providers`; only for providers the stack uses.
   * @default - the bindings' own versions
   */
  readonly providerVersions?: Readonly<Record<string, string>>;
  /**
   * Absolute path of the local state file. The state holds the secret-id in clear: keep it out of the repo.
   * @default - terraform.<stack id>.tfstate in the working directory
   */
  readonly statePath?: string;
}

/**
 * Deploys one keystore with its login against the Vault named by the environment (VAULT_ADDR, VAULT_TOKEN,
 * read by the provider at apply time, never written into the synthesized output). Outputs: role_id,
 * secret_id (sensitive) or secret_id_wrapping_token (sensitive), secret_id_accessor, or kubernetes_role;
 * policy_name, keystore_config (JSON, no secrets).
 */
export class VaultKeystoreStack extends TerraformStack {
  public readonly keystore: Keystore;

  /** @throws Error from the keystore constructs when the spec or options are invalid, or when statePath is relative. */
  constructor(scope: Construct, id: string, props: VaultKeystoreStackProps) {
    super(scope, id);
    if (props.statePath !== undefined) {
      if (!path.isAbsolute(props.statePath)) {
        throw new Error(
          `statePath ${JSON.stringify(props.statePath)} must be absolute: cdktf bakes it into cdk.tf.json, e.g. "/var/lib/kvk/${id}.tfstate"`,
        );
      }
      new LocalBackend(this, { path: props.statePath });
    }
    new VaultProvider(this, "vault", {
      ...(props.vaultVersionOverride === undefined
        ? {}
        : { vaultVersionOverride: props.vaultVersionOverride }),
    });
    const used = ["vault"];
    if (props.keystore.login?.appRoleOptions?.secretIdRotation) {
      new TimeProvider(this, "time", {});
      used.push("time");
    }

    const k = props.keystore;
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
    this.keystore = new Keystore(
      this,
      "Keystore",
      props.existingAppRoleAuth
        ? withAppRoleMount(
            withKv,
            AppRoleAuth.fromExisting(this, "ExistingAppRoleAuth", k.authEngine ?? "approle", authNamespace),
          )
        : withKv,
    );

    const ks = this.keystore;
    if (ks.roleId !== undefined) new TerraformOutput(this, "role_id", { value: ks.roleId, staticId: true });
    if (ks.secretId !== undefined)
      new TerraformOutput(this, "secret_id", { value: ks.secretId, sensitive: true, staticId: true });
    if (ks.secretIdWrappingToken !== undefined) {
      new TerraformOutput(this, "secret_id_wrapping_token", {
        value: ks.secretIdWrappingToken,
        sensitive: true,
        staticId: true,
      });
    }
    if (ks.secretIdAccessor !== undefined)
      new TerraformOutput(this, "secret_id_accessor", { value: ks.secretIdAccessor, staticId: true });
    if (ks.kubernetesRoleName !== undefined) {
      new TerraformOutput(this, "kubernetes_role", { value: ks.kubernetesRoleName, staticId: true });
    }
    new TerraformOutput(this, "policy_name", { value: ks.keystorePolicyName, staticId: true });
    new TerraformOutput(this, "keystore_config", {
      value: JSON.stringify(ks.spec.keystoreConfig()),
      staticId: true,
    });

    for (const name of used) {
      const version = props.providerVersions?.[name];
      if (version !== undefined) this.addOverride(`terraform.required_providers.${name}.version`, version);
    }
  }
}
