/**
 * What `sys/capabilities-self` must answer for a tenant's key server token, derived from the kit's own policy
 * rules and path check (kes-vault-kit/spec): every path the key server uses allowed, the mount root, a
 * neighbouring tenant's prefix and `sys/` denied. Pure.
 */
import {
  keystoreAllows,
  keystorePolicyRules,
  KvVersion,
  type KeystoreSpec,
  type VaultCapability,
} from "../constructs/spec";

type Operation = Exclude<VaultCapability, "deny">;

/** One path to ask `sys/capabilities-self` about, with what the kit's policy says it must allow and deny. */
export interface CapabilityProbe {
  /** Path relative to the token's namespace (the namespace of the auth mount). */
  readonly path: string;
  /** Capabilities the key server needs there (empty: none may be granted). */
  readonly allowed: readonly Operation[];
  /** Capabilities that must not be granted there. */
  readonly denied: readonly Operation[];
  /** Why the path is probed. */
  readonly why: string;
}

const ALL: readonly Operation[] = ["create", "read", "update", "patch", "delete", "list", "sudo"];

/** Name of the probe key: under the tenant's prefix, never a real key (the check only asks, never writes). */
export const PROBE_KEY = "kvk-doctor-probe";

/**
 * The probes for one tenant's keystore, in a stable order: needed paths first (one concrete path per policy
 * rule), then the paths that must be denied.
 * @param neighbourPrefix another tenant's K/V prefix in the same mount (default: `<prefix>-neighbour`, a
 *   prefix no tenant is given, which must be denied all the same).
 * @throws Error when the kit's own check denies a needed path or allows a forbidden one (a bug in the kit).
 */
export function capabilityProbes(spec: KeystoreSpec, neighbourPrefix?: string): CapabilityProbe[] {
  const home = spec.effectiveAuthNamespace;
  const allows = (operation: Operation, path: string) =>
    keystoreAllows(spec, { operation, path, ...(home === "" ? {} : { namespace: home }) });
  const probes: CapabilityProbe[] = [];
  for (const rule of keystorePolicyRules(spec)) {
    const path = rule.path.endsWith("/*") ? `${rule.path.slice(0, -1)}${PROBE_KEY}` : rule.path;
    const allowed = rule.capabilities.filter((c): c is Operation => c !== "deny" && allows(c, path));
    const denied = ALL.filter((c) => !rule.capabilities.includes(c) && !allows(c, path));
    probes.push({ path, allowed, denied, why: rule.reason });
  }
  const kv = `${spec.namespaceFromAuth}${spec.kvEngine}`;
  const data = spec.kvVersion === KvVersion.V1 ? kv : `${kv}/data`;
  const neighbour = neighbourPrefix ?? `${spec.prefix}-neighbour`;
  const forbidden: [string, string][] = [
    [`${kv}/`, "the mount root (every tenant's keys)"],
    [`${data}/${neighbour}/${PROBE_KEY}`, `a neighbouring tenant's prefix (${neighbour})`],
    ["sys/", "sys/ (Vault's configuration)"],
    ["sys/policies/acl/", "sys/policies/acl/ (policies)"],
  ];
  for (const [path, why] of forbidden) probes.push({ path, allowed: [], denied: [...ALL], why });
  for (const p of probes) {
    const wrong = p.denied.filter((c) => allows(c, p.path));
    const missing = p.allowed.filter((c) => !allows(c, p.path));
    if (wrong.length > 0 || missing.length > 0) {
      throw new Error(
        `the kit's path check disagrees with its own rules on ${p.path} (${[...wrong, ...missing].join(", ")}): report this as a bug`,
      );
    }
  }
  return probes;
}

/** One path's answer compared with its probe: the problems, empty when it matches. Pure. */
export function compareCapabilities(probe: CapabilityProbe, granted: readonly string[]): string[] {
  const problems: string[] = [];
  const g = new Set(granted);
  const missing = probe.allowed.filter((c) => !g.has(c) || g.has("deny"));
  if (missing.length > 0) problems.push(`${probe.path}: missing ${missing.join(", ")} (${probe.why})`);
  const extra = g.has("deny") || g.has("root") ? [] : probe.denied.filter((c) => g.has(c));
  if (g.has("root")) problems.push(`${probe.path}: root capabilities granted (${probe.why})`);
  if (extra.length > 0) problems.push(`${probe.path}: ${extra.join(", ")} granted on ${probe.why}`);
  return problems;
}
