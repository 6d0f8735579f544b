import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { Keystore, type KeystoreProps } from "../constructs";
import { KitStack, type KitStackOptions } from "./kit-stack";

export interface VaultKeystoreStackProps
  extends Pick<KitStackOptions, "vaultVersionOverride" | "providerVersions" | "stateDir"> {
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
}

/**
 * Deploys one keystore with its login against the Vault named by the environment (VAULT_ADDR, VAULT_TOKEN,
 * read by the provider at apply time, never written into the synthesized output). Outputs: role_id,
 * secret_id (sensitive) or secret_id_wrapping_token (sensitive), secret_id_accessor, or kubernetes_role;
 * policy_name, keystore_config (JSON, no secrets).
 */
export class VaultKeystoreStack extends KitStack {
  public readonly keystore: Keystore;

  /** @throws Error from the keystore constructs when the spec or options are invalid, or from KitStack. */
  constructor(scope: Construct, id: string, props: VaultKeystoreStackProps) {
    super(
      scope,
      id,
      props,
      props.keystore.login?.appRoleOptions?.secretIdRotation ? ["vault", "time"] : ["vault"],
    );
    this.keystore = new Keystore(this, "Keystore", this.onExistingMounts(props.keystore, props));

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
  }
}
