/** Local Terraform state of the kit's stacks, read without Terraform: what a stack holds and outputs. */
import * as fs from "node:fs";
import * as path from "node:path";

/** What a state file says about its stack. */
export interface StackStateSummary {
  /** Path of the state file. */
  readonly file: string;
  /** Number of resources (data sources excluded). */
  readonly resources: number;
  /** Output names. */
  readonly outputs: string[];
}

/**
 * Reads a local state file.
 * @returns undefined when the file does not exist.
 * @throws Error naming the file when it is not a Terraform state.
 */
export function readStackState(file: string): StackStateSummary | undefined {
  if (!fs.existsSync(file)) return undefined;
  let doc: { resources?: { mode?: string }[]; outputs?: Record<string, unknown> };
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`state file ${file} is not JSON (${(err as Error).message}): is it a Terraform state?`);
  }
  return {
    file,
    resources: (doc.resources ?? []).filter((r) => r.mode !== "data").length,
    outputs: Object.keys(doc.outputs ?? {}),
  };
}

/**
 * Where the kit's stacks keep local state: `<stateDir>/<stack>.tfstate` with KVK_STATE_DIR, else cdktf's default
 * `terraform.<stack>.tfstate` in the directory the app runs in.
 */
export function stateFileOf(stackId: string, stateDir: string | undefined, workDir: string): string {
  return stateDir === undefined
    ? path.join(workDir, `terraform.${stackId}.tfstate`)
    : path.join(stateDir, `${stackId}.tfstate`);
}

/** Ids of the stacks that have a state file in the state location, by the naming rule of {@link stateFileOf}. */
export function stacksWithState(stateDir: string | undefined, workDir: string): string[] {
  const dir = stateDir ?? workDir;
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => (stateDir === undefined ? /^terraform\.(.+)\.tfstate$/.exec(f) : /^(.+)\.tfstate$/.exec(f)))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]);
}
