/**
 * Reads Terraform's machine-readable UI (`terraform plan|apply -json`): one JSON object per line. Pure.
 * @see https://developer.hashicorp.com/terraform/internals/machine-readable-ui
 */

/** Resource changes of one plan or apply. */
export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly remove: number;
}

/** What one run said: its change summary (if it got that far) and its error diagnostics. */
export interface TerraformRunReport {
  readonly changes?: ChangeCounts;
  readonly errors: string[];
}

/**
 * Extracts the change summary and the error diagnostics from `-json` output. Lines that are not JSON (a
 * provider's stray output) are ignored.
 */
export function readTerraformJson(output: string): TerraformRunReport {
  let changes: ChangeCounts | undefined;
  const errors: string[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (msg.type === "change_summary") {
      const c = msg.changes as Record<string, number>;
      changes = { add: c.add ?? 0, change: c.change ?? 0, remove: c.remove ?? 0 };
    } else if (msg.type === "diagnostic") {
      const d = msg.diagnostic as { severity?: string; summary?: string; detail?: string; address?: string };
      if (d.severity === "error") {
        errors.push([d.address, d.summary, d.detail].filter((x) => x).join(": "));
      }
    }
  }
  return { ...(changes ? { changes } : {}), errors };
}
