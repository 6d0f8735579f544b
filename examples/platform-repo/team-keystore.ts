// A construct of the platform repo's own: the house rules for a team's keystore, built on the kit's Keystore.
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Keystore, KeystoreLogin, KvVersion, type IKvMount, type IAppRoleAuth } from "kes-vault-kit";
import { keystoreAllows } from "kes-vault-kit/spec";

export interface TeamKeystoreProps {
  /** The team; its keys live under `kv/<team>/` and its policy and role are named after it. */
  readonly team: string;
  /** The K/V mount all teams share. */
  readonly kvMount: IKvMount;
  /** The AppRole mount all teams share. */
  readonly appRoleAuth: IAppRoleAuth;
  /** Teams whose keys this team's key server must never read (checked at synth, from the spec alone). */
  readonly neighbours?: readonly string[];
}

/**
 * A team's keystore with the platform's conventions: K/V v1 on the shared mounts, outputs under static names
 * the pipeline reads, and a synth-time guard that the generated policy cannot reach a neighbour's keys.
 */
export class TeamKeystore extends Construct {
  public readonly keystore: Keystore;

  constructor(scope: Construct, id: string, props: TeamKeystoreProps) {
    super(scope, id);
    // Child id "Keystore" is public API of this construct too: renaming it would replace the Vault objects.
    this.keystore = new Keystore(this, "Keystore", {
      prefix: props.team,
      kvVersion: KvVersion.V1,
      kvMount: props.kvMount,
      login: KeystoreLogin.appRole({ mount: props.appRoleAuth }),
    });
    for (const other of props.neighbours ?? []) {
      const path = this.keystore.spec.keyDataPath("any").replace(`/${props.team}/`, `/${other}/`);
      if (keystoreAllows(this.keystore.spec, { operation: "read", path })) {
        throw new Error(`team ${props.team}: its policy would allow reading ${path}`);
      }
    }
    const out = (name: string, value: string, sensitive = false) =>
      new TerraformOutput(this, `${props.team}_${name}`, { value, sensitive, staticId: true });
    // Set for an AppRole login (the one above); a Kubernetes login has no role-id or secret-id to hand out.
    if (this.keystore.roleId !== undefined) out("role_id", this.keystore.roleId);
    if (this.keystore.secretId !== undefined) out("secret_id", this.keystore.secretId, true);
    out("policy_name", this.keystore.keystorePolicyName);
    out("key_prefix", `${this.keystore.spec.kvEngine}/${this.keystore.spec.prefix}/`);
  }
}
