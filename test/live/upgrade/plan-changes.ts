/**
 * What a saved Terraform plan would do to each resource, read from `terraform show -json <plan>`. Pure.
 * @see https://developer.hashicorp.com/terraform/internals/json-format#plan-representation
 */

/** One resource a plan touches: its address and Terraform's actions ("create", "update", "delete", ...). */
export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
}

/** Every resource change of the plan that is not a no-op (reads of data sources excluded), by address. */
export function plannedChanges(plan: unknown): PlannedChange[] {
  const changes = (plan as { resource_changes?: { address: string; change: { actions: string[] } }[] })
    .resource_changes;
  if (!Array.isArray(changes))
    throw new Error("not a plan: no resource_changes array (terraform show -json <plan>)");
  return changes
    .filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"))
    .map((c) => ({ address: c.address, actions: c.change.actions }))
    .sort((a, b) => a.address.localeCompare(b.address));
}

/** Number of resources the plan considered (every action, no-ops included). */
export function plannedResourceCount(plan: unknown): number {
  return ((plan as { resource_changes?: unknown[] }).resource_changes ?? []).length;
}

/** The changes that replace or destroy a resource (a "delete" among the actions): what an upgrade must not do. */
export function destructiveChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  return changes.filter((c) => c.actions.includes("delete"));
}
