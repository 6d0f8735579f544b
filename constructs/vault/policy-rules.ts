import { KvVersion } from "./kv-version";
import type { KeystoreSpec } from "./keystore-spec";

/** A Vault policy capability. */
export type VaultCapability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny";

/** One `path` block of a Vault policy. Paths are relative to the namespace the policy lives in. */
export interface PolicyRule {
  /** Exact path, or a prefix ending in `*`. */
  readonly path: string;
  readonly capabilities: readonly VaultCapability[];
  /** Why the key server needs it; rendered as a comment. */
  readonly reason: string;
}

/**
 * The rules of the key server's policy: exactly the paths it uses and nothing else (no `update` on keys, so
 * an existing key can never be overwritten; no default policy, see the AppRole role). Pure.
 * @see ../../docs/vault.md#the-policy
 */
export function keystorePolicyRules(spec: KeystoreSpec): PolicyRule[] {
  const ns = spec.namespaceFromAuth;
  const kv = `${ns}${spec.kvEngine}`;
  const rules: PolicyRule[] = [];
  if (spec.kvVersion === KvVersion.V1) {
    rules.push(
      {
        path: `${kv}/${spec.prefix}/*`,
        capabilities: ["create", "read", "delete"],
        reason: "keys: existence check, create, read, delete",
      },
      { path: `${kv}/${spec.prefix}/`, capabilities: ["list"], reason: "key listing" },
    );
  } else {
    rules.push(
      {
        path: `${kv}/data/${spec.prefix}/*`,
        capabilities: ["create", "read"],
        reason: "keys: existence check, create (cas 0), read version 1",
      },
      {
        path: `${kv}/metadata/${spec.prefix}/*`,
        capabilities: ["delete"],
        reason: "key deletion (all versions)",
      },
      { path: `${kv}/metadata/${spec.prefix}/`, capabilities: ["list"], reason: "key listing" },
    );
  }
  if (spec.transit) {
    const t = `${ns}${spec.transit.engine}`;
    rules.push(
      {
        path: `${t}/encrypt/${spec.transit.key}`,
        capabilities: ["update"],
        reason: "transit wrapping of new keys",
      },
      {
        path: `${t}/decrypt/${spec.transit.key}`,
        capabilities: ["update"],
        reason: "transit unwrapping on read",
      },
    );
  }
  // Token self-operations are checked in the token's own namespace, also when the key server sends its keystore
  // namespace header on renewal (OpenBao, verified live): no namespaced copy of these rules is needed.
  rules.push(
    { path: "auth/token/renew-self", capabilities: ["update"], reason: "token renewal" },
    { path: "auth/token/lookup-self", capabilities: ["read"], reason: "token lookup" },
  );
  return rules;
}
