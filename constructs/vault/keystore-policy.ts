import { Policy } from "@cdktf/provider-vault/lib/policy";
import { Construct } from "constructs";
import type { KeystoreSpec } from "./keystore-spec";
import { renderPolicyHcl } from "./policy-hcl";
import { keystorePolicyRules } from "./policy-rules";
import type { IVaultNamespace } from "./vault-namespace";

export interface KeystorePolicyProps {
  /** The keystore whose paths the policy grants. */
  readonly spec: KeystoreSpec;
  /**
   * Namespace the policy lives in: the spec's auth namespace.
   * @default - the root namespace
   */
  readonly namespace?: IVaultNamespace;
}

/**
 * The key server's Vault policy, rendered from the keystore spec: exactly the paths the key server uses.
 * @see keystorePolicyRules
 */
export class KeystorePolicy extends Construct {
  /** Policy name (a token: roles that name it depend on its creation). */
  public readonly policyName: string;
  /** The rendered HCL document. */
  public readonly document: string;
  /** The L1 policy (escape hatch). */
  public readonly policy: Policy;

  constructor(scope: Construct, id: string, props: KeystorePolicyProps) {
    super(scope, id);
    const spec = props.spec;
    const where = `${spec.namespace ? `namespace ${spec.namespace}, ` : ""}${spec.kvEngine}/${spec.prefix} (k/v ${spec.kvVersion.keystoreVersion})`;
    this.document = renderPolicyHcl(
      keystorePolicyRules(spec),
      `kes-vault-kit: key server policy for ${where}`,
    );
    const namespace = props.namespace?.namespacePath;
    this.policy = new Policy(this, "Resource", {
      name: spec.policyName,
      policy: this.document,
      ...(namespace === undefined ? {} : { namespace }),
    });
    this.policyName = this.policy.name;
  }
}
