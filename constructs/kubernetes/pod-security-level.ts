/**
 * The Pod Security Standard a namespace enforces, through the built-in Pod Security admission controller.
 * The kit's pods (key server, MinIO) meet `restricted`, the default of the namespaces a tenant creates.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class PodSecurityLevel {
  /** Hardened: non-root, no privilege escalation, all capabilities dropped (NET_BIND_SERVICE only), seccomp. */
  public static readonly RESTRICTED = new PodSecurityLevel("restricted");
  /** Prevents known privilege escalations; allows e.g. added capabilities such as IPC_LOCK. */
  public static readonly BASELINE = new PodSecurityLevel("baseline");
  /** Unrestricted. */
  public static readonly PRIVILEGED = new PodSecurityLevel("privileged");

  /**
   * The level for its name, as config files carry it.
   * @throws Error when `name` is not restricted, baseline or privileged.
   */
  public static of(name: string): PodSecurityLevel {
    for (const level of [
      PodSecurityLevel.RESTRICTED,
      PodSecurityLevel.BASELINE,
      PodSecurityLevel.PRIVILEGED,
    ]) {
      if (level.level === name) return level;
    }
    throw new Error(
      `pod security level ${JSON.stringify(name)} is not one of restricted, baseline, privileged: use "restricted" (the default)`,
    );
  }

  private constructor(
    /** The label value: "restricted", "baseline" or "privileged". */
    public readonly level: "restricted" | "baseline" | "privileged",
  ) {}

  /**
   * Namespace labels that enforce this level (and warn and audit at it), at the API server's latest version of
   * the standard.
   */
  public namespaceLabels(): Record<string, string> {
    return {
      "pod-security.kubernetes.io/enforce": this.level,
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": this.level,
      "pod-security.kubernetes.io/audit": this.level,
    };
  }
}
