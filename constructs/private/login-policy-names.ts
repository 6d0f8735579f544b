import { Lazy } from "cdktf";
import type { Construct } from "constructs";

/**
 * The policy names of a login role (AppRole or Kubernetes auth): the ones given at construction plus those added
 * later (`addPolicy`, e.g. by `keystore.grantKeyServerAccess(role)`), rendered at synth in the order added, each
 * once. A role left without any policy fails the synth: its tokens could do nothing.
 */
export class LoginPolicyNames {
  /** The names for the role's `token_policies`: a list token, resolved at synth to the names added by then. */
  public readonly tokenPolicies: string[];
  private readonly names: string[];

  /** Registers the "at least one policy" validation on `role`. */
  constructor(role: Construct, initial: readonly string[] | undefined) {
    this.names = [...(initial ?? [])];
    role.node.addValidation({
      validate: () =>
        this.names.length === 0
          ? [
              "policyNames [] is empty, so the key server's token could do nothing: pass the keystore policy name, or call keystore.grantKeyServerAccess(role)",
            ]
          : [],
    });
    this.tokenPolicies = Lazy.listValue({ produce: () => this.names });
  }

  /** Adds `policyName` unless it is there already. */
  public add(policyName: string): void {
    if (!this.names.includes(policyName)) this.names.push(policyName);
  }
}
