/**
 * Tenants that are deployed but no longer in the tenants file: removing a tenant must never be silent. Pure.
 */

/** A tenant found deployed, with where it was found. */
export interface StaleTenant {
  /** Tenant name (for the one-stack layout: as far as its output names tell it, "-" and "_" alike). */
  readonly name: string;
  /** The stack and state file that hold it. */
  readonly stack: string;
  readonly stateFile: string;
}

/** Suffix of the output every tenant has (see tenantOutputNames). */
const ENDPOINTS_OUTPUT = "_key_server_endpoints";

/**
 * Finds the stale tenants.
 * @param fileTenants every tenant of the tenants file, offboarded ones included.
 * @param states per stack id with a state file: its resource count, output names and file.
 * - a `tenant-<name>` stack with resources whose name is not in the file is stale;
 * - in a `tenants` stack (all tenants in one), a tenant whose outputs are there but who is not in the file is
 *   stale (deploying the stack would destroy it without anyone having asked).
 */
export function findStaleTenants(
  fileTenants: readonly string[],
  states: ReadonlyMap<
    string,
    { readonly resources: number; readonly outputs: readonly string[]; readonly file: string }
  >,
): StaleTenant[] {
  const known = new Set(fileTenants);
  const knownOutputPrefixes = new Set(fileTenants.map((t) => t.replace(/-/g, "_")));
  const stale: StaleTenant[] = [];
  for (const [stack, state] of states) {
    if (state.resources === 0) continue;
    if (stack.startsWith("tenant-") && stack !== "tenant-shared") {
      const name = stack.slice("tenant-".length);
      if (!known.has(name)) stale.push({ name, stack, stateFile: state.file });
    } else if (stack === "tenants") {
      for (const o of state.outputs) {
        if (!o.endsWith(ENDPOINTS_OUTPUT)) continue;
        const prefix = o.slice(0, -ENDPOINTS_OUTPUT.length);
        if (!knownOutputPrefixes.has(prefix)) {
          stale.push({ name: prefix.replace(/_/g, "-"), stack, stateFile: state.file });
        }
      }
    }
  }
  return stale.sort((a, b) => a.name.localeCompare(b.name));
}

/** The message a rollout fails with when tenants are stale: what was found and the two ways forward. */
export function staleTenantsMessage(stale: readonly StaleTenant[]): string {
  const lines = stale.map((s) => `  - ${s.name} (stack ${s.stack}, state ${s.stateFile})`);
  return [
    `${stale.length} tenant(s) are deployed but not in the tenants file; nothing was changed:`,
    ...lines,
    "Removing a tenant is explicit: put it back in the tenants file with `offboard: { keys: delete }` (or",
    "`keys: keep` in prefix isolation) and deploy again; that destroys its policy, role, credentials and workloads.",
    "Once offboarded, delete its entry. To keep it instead, put its entry back unchanged.",
  ].join("\n");
}
