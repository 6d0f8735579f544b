/**
 * How the key server logs in to Vault.
 * @see https://openbao.org/docs/auth/approle/
 * @see https://openbao.org/docs/auth/kubernetes/
 */
export class VaultAuthMethod {
  /** AppRole: a role-id and a secret-id delivered to the key server. The default, and the one KES documents. */
  public static readonly APPROLE = new VaultAuthMethod("approle");
  /** Kubernetes: the pod's service-account token; no secret to deliver. Needs a cluster Vault can reach. */
  public static readonly KUBERNETES = new VaultAuthMethod("kubernetes");

  private constructor(
    /** Vault auth type, and the default mount path: "approle" or "kubernetes". */
    public readonly type: "approle" | "kubernetes",
  ) {}
}
