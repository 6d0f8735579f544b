import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { TerraformStack, Token } from "cdktf";
import type { IConstruct } from "constructs";
import { keystoreConflicts, type KeystoreFootprint } from "./keystore-conflicts";
import type { KeystoreSpec } from "./keystore-spec";

interface Entry {
  readonly construct: IConstruct;
  readonly spec: KeystoreSpec;
}

/** The keystores of one app (by root construct), checked together at synth. */
class KeystoreRegistry {
  private readonly entries: Entry[] = [];
  private problems?: Map<IConstruct, string[]>;

  public add(entry: Entry): void {
    this.entries.push(entry);
    this.problems = undefined;
  }

  /** Problems of one keystore; computed once for the whole app, again only after a new registration. */
  public problemsOf(construct: IConstruct): string[] {
    if (this.problems === undefined) {
      const vaults = new Map<TerraformStack, string>();
      const footprints = this.entries.map((e) => footprint(e, vaults));
      const found = keystoreConflicts(footprints);
      this.problems = new Map([...found].map(([i, p]) => [this.entries[i].construct, p]));
    }
    return this.problems.get(construct) ?? [];
  }
}

const registries = new WeakMap<IConstruct, KeystoreRegistry>();

/**
 * The Vault a keystore's resources go to: the address of its stack's default vault provider, or "VAULT_ADDR"
 * when that provider reads it from the environment (all such stacks of one pipeline reach the same Vault).
 */
function vaultOf(construct: IConstruct, cache: Map<TerraformStack, string>): string {
  let stack: TerraformStack;
  try {
    stack = TerraformStack.of(construct);
  } catch {
    return "VAULT_ADDR";
  }
  let vault = cache.get(stack);
  if (vault === undefined) {
    const provider = stack.node.children.find(
      (c): c is VaultProvider => c instanceof VaultProvider && c.alias === undefined,
    );
    const address = provider?.address;
    vault = address === undefined || Token.isUnresolved(address) ? "VAULT_ADDR" : address.replace(/\/+$/, "");
    cache.set(stack, vault);
  }
  return vault;
}

function footprint(e: Entry, vaults: Map<TerraformStack, string>): KeystoreFootprint {
  const s = e.spec;
  return {
    path: e.construct.node.path,
    vault: vaultOf(e.construct, vaults),
    namespace: s.namespace ?? "",
    kvEngine: s.kvEngine,
    prefix: s.prefix,
    authNamespace: s.effectiveAuthNamespace,
    authEngine: s.authEngine,
    policyName: s.policyName,
    roleName: s.roleName,
  };
}

/**
 * Registers a keystore with its app and adds a synth-time validation to it that fails when it overlaps another
 * keystore of the app (see keystoreConflicts): a platform repo composing constructs gets the same isolation
 * checks as the tenants file, across all its stacks.
 */
export function registerKeystore(construct: IConstruct, spec: KeystoreSpec): void {
  const root = construct.node.root;
  let registry = registries.get(root);
  if (registry === undefined) {
    registry = new KeystoreRegistry();
    registries.set(root, registry);
  }
  registry.add({ construct, spec });
  const r = registry;
  construct.node.addValidation({ validate: () => r.problemsOf(construct) });
}
