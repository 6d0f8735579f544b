/**
 * App-wide isolation rules between keystores: prefixes on one mount must not overlap, and policy and role names
 * must not be shared in one namespace. Pure; keystore-registry.ts feeds it the keystores of an app.
 */

/** What a keystore occupies in Vault. */
export interface KeystoreFootprint {
  /** Construct path, to name the keystore in messages. */
  readonly path: string;
  /** Which Vault: its address, or "VAULT_ADDR" when the provider takes it from the environment. */
  readonly vault: string;
  /** Namespace of the K/V engine ("" = root). */
  readonly namespace: string;
  readonly kvEngine: string;
  readonly prefix: string;
  /** Namespace of the auth mount, the role and the policy ("" = root). */
  readonly authNamespace: string;
  readonly authEngine: string;
  readonly policyName: string;
  readonly roleName: string;
}

const where = (ns: string) => (ns === "" ? "the root namespace" : `namespace "${ns}"`);

/** `a/b/c` -> [`a`, `a/b`]: the prefixes whose policy globs cover this one. */
function ancestors(prefix: string): string[] {
  const parts = prefix.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/**
 * Finds every conflict between keystores, reported on the later keystore of each pair and naming the earlier:
 * - the same or nested prefixes (`a` and `a/b`) on one K/V mount of one Vault: a policy on `<engine>/a/*` also
 *   covers `<engine>/a/b/*`, so one tenant could read, write and delete the other's keys;
 * - one policy name in one namespace of one Vault: the later keystore would overwrite the earlier's policy;
 * - one role name on one auth mount: the later would overwrite the earlier's role.
 * Runs in O(n * prefix depth).
 * @returns problems by index into `keystores` (absent: none).
 */
export function keystoreConflicts(keystores: readonly KeystoreFootprint[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (i: number, message: string) => out.set(i, [...(out.get(i) ?? []), message]);
  const prefixes = new Map<string, number>();
  const policies = new Map<string, number>();
  const roles = new Map<string, number>();
  const key = (...parts: string[]) => JSON.stringify(parts);

  keystores.forEach((k, i) => {
    const mount = [k.vault, k.namespace, k.kvEngine];
    const same = prefixes.get(key(...mount, k.prefix));
    const covering = ancestors(k.prefix)
      .map((a) => prefixes.get(key(...mount, a)))
      .find((j) => j !== undefined);
    if (same !== undefined) {
      add(
        i,
        `prefix "${k.prefix}" on mount "${k.kvEngine}" in ${where(k.namespace)} is also the prefix of keystore ${keystores[same].path}: both key servers would read, write and delete the same keys; give each keystore its own prefix`,
      );
    } else if (covering !== undefined) {
      const other = keystores[covering];
      add(
        i,
        `prefix "${k.prefix}" on mount "${k.kvEngine}" in ${where(k.namespace)} lies inside prefix "${other.prefix}" of keystore ${other.path}: its policy on ${k.kvEngine}/${other.prefix}/* also covers ${k.kvEngine}/${k.prefix}/*; use prefixes where none is inside another (e.g. "${other.prefix}-main" and "${k.prefix.replace(/\//g, "-")}")`,
      );
    }
    prefixes.set(key(...mount, k.prefix), i);

    const policy = key(k.vault, k.authNamespace, k.policyName);
    const policyOwner = policies.get(policy);
    if (policyOwner !== undefined) {
      add(
        i,
        `policy name "${k.policyName}" in ${where(k.authNamespace)} is also the policy name of keystore ${keystores[policyOwner].path}: one would overwrite the other's policy; drop the explicit policyName, or pick another`,
      );
    } else {
      policies.set(policy, i);
    }
    const role = key(k.vault, k.authNamespace, k.authEngine, k.roleName);
    const roleOwner = roles.get(role);
    if (roleOwner !== undefined) {
      add(
        i,
        `role name "${k.roleName}" on auth mount "${k.authEngine}" in ${where(k.authNamespace)} is also the role of keystore ${keystores[roleOwner].path}: one would overwrite the other's role; drop the explicit roleName, or pick another`,
      );
    } else {
      roles.set(role, i);
    }
  });

  // A shorter prefix registered after a longer one: find the nested pairs the forward pass could not see.
  keystores.forEach((k, i) => {
    const mount = [k.vault, k.namespace, k.kvEngine];
    for (const a of ancestors(k.prefix)) {
      const j = prefixes.get(key(...mount, a));
      if (j !== undefined && j > i) {
        add(
          j,
          `prefix "${a}" on mount "${k.kvEngine}" in ${where(k.namespace)} contains prefix "${k.prefix}" of keystore ${k.path}: a policy on ${k.kvEngine}/${a}/* also covers ${k.kvEngine}/${k.prefix}/*; use prefixes where none is inside another (e.g. "${a}-main" and "${k.prefix.replace(/\//g, "-")}")`,
        );
        break;
      }
    }
  });
  return out;
}
