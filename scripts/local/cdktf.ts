import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT, testbedProcessEnv } from "../testbed/env";

/** Options of one `cdktf deploy` run. */
export interface CdktfDeployOptions {
  /** Stack ids or globs. */
  readonly stacks: readonly string[];
  /** Synthesis output folder (absolute). */
  readonly outdir: string;
  /** JSON file the outputs are written to, sensitive ones included (keep it private). */
  readonly outputsFile: string;
  /** Extra environment for the app and Terraform (VAULT_ADDR, KVK_* settings). */
  readonly env: Record<string, string>;
  /** Called with each output line, for progress. */
  readonly onLine?: (line: string) => void;
  /**
   * The app command (`cdktf --app`).
   * @default - cdktf.json's app (stacks/main.ts)
   */
  readonly app?: string;
}

/**
 * Runs `cdktf deploy` offline (the test bed's CLI config, --skip-provider-lock) from the repository root.
 * @returns everything cdktf printed.
 * @throws Error with the last lines of output when cdktf exits non-zero.
 */
export async function cdktfDeploy(opts: CdktfDeployOptions): Promise<string> {
  return runCdktf("deploy", opts.stacks, opts, [
    "--outputs-file",
    opts.outputsFile,
    "--outputs-file-include-sensitive-outputs",
  ]);
}

/**
 * Runs `cdktf destroy` offline, like {@link cdktfDeploy}.
 * @returns everything cdktf printed.
 * @throws Error with the last lines of output when cdktf exits non-zero.
 */
export async function cdktfDestroy(opts: Omit<CdktfDeployOptions, "outputsFile">): Promise<string> {
  return runCdktf("destroy", opts.stacks, opts, []);
}

async function runCdktf(
  command: "deploy" | "destroy",
  stacks: readonly string[],
  opts: Omit<CdktfDeployOptions, "outputsFile" | "stacks">,
  extra: readonly string[],
): Promise<string> {
  const args = [
    command,
    ...stacks,
    "--auto-approve",
    "--skip-provider-lock",
    "--output",
    opts.outdir,
    ...(opts.app === undefined ? [] : ["--app", opts.app]),
    ...extra,
  ];
  const cdktf = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
  const child = spawn(cdktf, args, {
    cwd: REPO_ROOT,
    env: testbedProcessEnv({ CI: "1", FORCE_COLOR: "0", ...opts.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const all: string[] = [];
  let partial = "";
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      all.push(line);
      tail.push(line);
      if (tail.length > 60) tail.shift();
      opts.onLine?.(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    // Terraform prints its errors before cdktf's closing lines: give them first.
    const errors = all.filter((l) => /Error|error:/.test(l)).slice(0, 20);
    throw new Error(
      `cdktf ${command} ${stacks.join(" ")} failed (exit ${code}); errors:\n${errors.join("\n")}\nlast lines:\n${tail.join("\n")}`,
    );
  }
  return [...all, partial].join("\n");
}
