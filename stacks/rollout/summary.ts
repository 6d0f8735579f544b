/** The end-of-run table of a rollout: one line per tenant (or stack), what happened to it. Pure. */
import { alignedTableLines } from "../../shared/text-table";
import type { ChangeCounts } from "./terraform-json";

/** What a rollout did, or would do, to one stack. */
export type StackOutcome =
  | "created"
  | "changed"
  | "unchanged"
  | "destroyed"
  | "failed"
  | "would create"
  | "would change"
  | "would destroy"
  | "no changes";

/** One stack's result. */
export interface StackResult {
  readonly stack: string;
  /** Tenants the stack holds ("" entries never; the shared stack holds none). */
  readonly tenants: readonly string[];
  readonly outcome: StackOutcome;
  readonly changes?: ChangeCounts;
  /** Offboarding notes (keys deleted or kept). */
  readonly notes?: readonly string[];
  /** First error lines, when failed. */
  readonly error?: string;
}

/**
 * The outcome of an apply (`planned` false) or a plan (`planned` true) from its change counts.
 * @param hadResources whether the stack's state held resources before.
 */
export function outcomeOf(changes: ChangeCounts, hadResources: boolean, planned: boolean): StackOutcome {
  const { add, change, remove } = changes;
  if (add === 0 && change === 0 && remove === 0) return planned ? "no changes" : "unchanged";
  if (add === 0 && change === 0) return planned ? "would destroy" : "destroyed";
  if (!hadResources) return planned ? "would create" : "created";
  return planned ? "would change" : "changed";
}

/** Formats the results as an aligned table with a closing count line. */
export function formatSummary(results: readonly StackResult[]): string {
  const rows = results.map((r) => [
    r.tenants.length === 0 ? "(shared mounts)" : r.tenants.join(", "),
    r.stack,
    r.outcome,
    r.changes ? `+${r.changes.add} ~${r.changes.change} -${r.changes.remove}` : "",
    [r.error ?? "", ...(r.notes ?? [])].filter((x) => x !== "").join("; "),
  ]);
  const failed = results.filter((r) => r.outcome === "failed").length;
  return [
    ...alignedTableLines(["tenant", "stack", "result", "resources", "notes"], rows),
    `${results.length - failed} stacks ok, ${failed} failed`,
  ].join("\n");
}
