import type { IConstruct } from "constructs";
import type { IVaultNamespace } from "./vault-namespace";

/**
 * A Vault login role the key server's tokens come from (an AppRole role or a Kubernetes auth role) that more
 * policies can be attached to, e.g. with `keystore.grantKeyServerAccess(role)`.
 */
export interface IVaultLoginRole extends IConstruct {
  /**
   * Namespace of the role's auth mount; undefined for the root namespace. Policies the role is given must live
   * there (compare `loginNamespace?.namespacePathLiteral ?? ""`).
   */
  readonly loginNamespace?: IVaultNamespace;
  /** Gives the tokens the role issues the policy `policyName` too (rendered at synth, in the order added). */
  addPolicy(policyName: string): void;
}
