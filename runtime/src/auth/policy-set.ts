import { isValidName } from "./names";
import type { Policy } from "./policy";

/** A policy with the identities assigned to it, as the config lists them (identities already resolved). */
export interface PolicyDefinition extends Policy {
  /** Identities (lowercase hex SHA-256) assigned to this policy. */
  readonly identities: readonly string[];
}

/** Policies by name and, for each identity, the name of its one policy. */
export interface PolicySet {
  readonly policies: ReadonlyMap<string, Policy>;
  readonly identities: ReadonlyMap<string, string>;
}

/**
 * Indexes policies by name and identities by policy, as KES' initPolicies does.
 * @throws Error when a policy name or identity is invalid, an identity is assigned to two policies, or an
 *   identity is the admin identity; the message names the policy and the identity and says how to fix it.
 */
export function buildPolicySet(
  policies: Readonly<Record<string, PolicyDefinition>>,
  admin: string,
): PolicySet {
  const byName = new Map<string, Policy>();
  const identities = new Map<string, string>();
  for (const [name, def] of Object.entries(policies)) {
    if (!isValidName(name)) {
      throw new Error(
        `policy.${name}: policy name '${name}' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]`,
      );
    }
    byName.set(name, { allow: [...def.allow], deny: [...def.deny] });
    for (const id of def.identities) {
      if (!isValidName(id)) {
        throw new Error(
          `policy.${name}.identities: identity '${id}' is empty, too long or contains invalid characters: use the 64-character hex identity (kes identity of <cert>)`,
        );
      }
      if (id === admin) {
        throw new Error(
          `policy.${name}.identities: identity '${id}' is already admin: remove it from the policy or change admin.identity`,
        );
      }
      const other = identities.get(id);
      if (other !== undefined) {
        throw new Error(
          `policy.${name}.identities: identity '${id}' already has policy '${other}': assign each identity to exactly one policy`,
        );
      }
      identities.set(id, name);
    }
  }
  return { policies: byName, identities };
}
