// Deploys stacks/main.ts against a test OpenBao, in a temp work dir per deployment (own cdktf.out and state).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadTestbedEnv, REPO_ROOT, testbedProcessEnv } from "../../../scripts/testbed/env";
import type { OpenBaoServer } from "../../../scripts/testbed/openbao";

const run = promisify(execFile);

/** The keystore stack's settings as stacks/main.ts reads them (KVK_KEYSTORE). */
export type KeystoreJson = Record<string, unknown>;

export interface Deployment {
  readonly stackId: string;
  readonly workDir: string;
  readonly outDir: string;
  /** terraform outputs, sensitive ones included. */
  readonly outputs: Record<string, string>;
  /** Everything cdktf / terraform printed. */
  readonly log: string;
  /** How long the deployment took. */
  readonly ms: number;
}

export interface DeployOptions {
  readonly stackId: string;
  readonly keystore: KeystoreJson;
  /** `cdktf deploy --skip-provider-lock` end to end; otherwise synth with the app, then terraform init/apply. */
  readonly viaCdktf?: boolean;
  /** Reuse this work dir (state and cdktf.out) for a second apply. */
  readonly workDir?: string;
}

function env(bao: OpenBaoServer, o: DeployOptions, workDir: string, outDir: string): NodeJS.ProcessEnv {
  return testbedProcessEnv({
    ...bao.env,
    CI: "1",
    CDKTF_OUTDIR: outDir,
    KVK_STACK_ID: o.stackId,
    KVK_KEYSTORE: JSON.stringify(o.keystore),
    KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
    KVK_PROVIDER_VERSIONS: loadTestbedEnv().vars.KVK_PROVIDER_VERSIONS ?? "",
    KVK_STATE_DIR: workDir,
  });
}

async function sh(cmd: string, args: string[], e: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  try {
    const r = await run(cmd, args, { env: e, cwd, maxBuffer: 64 * 1024 * 1024 });
    return r.stdout + r.stderr;
  } catch (err) {
    const x = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${x.message}\n${x.stdout ?? ""}\n${x.stderr ?? ""}`);
  }
}

/**
 * Deploys one keystore stack. The Vault token reaches the provider only through VAULT_TOKEN in the env.
 * @throws Error with the tool output when synth, init or apply fails.
 */
export async function deploy(bao: OpenBaoServer, o: DeployOptions): Promise<Deployment> {
  const started = Date.now();
  const workDir = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `kvk-${o.stackId}-`));
  const outDir = path.join(workDir, "cdktf.out");
  const e = env(bao, o, workDir, outDir);
  const stackDir = path.join(outDir, "stacks", o.stackId);
  const tf = loadTestbedEnv().vars.TERRAFORM_BINARY_NAME;
  let log = "";
  if (o.viaCdktf) {
    const cdktf = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
    log += await sh(
      cdktf,
      ["deploy", o.stackId, "--auto-approve", "--skip-provider-lock", "--output", outDir],
      e,
      REPO_ROOT,
    );
  } else {
    log += await sh(
      process.execPath,
      ["--require", "ts-node/register/transpile-only", "stacks/main.ts"],
      e,
      REPO_ROOT,
    );
    log += await sh(tf, [`-chdir=${stackDir}`, "init", "-input=false", "-no-color"], e, REPO_ROOT);
    log += await sh(
      tf,
      [`-chdir=${stackDir}`, "apply", "-auto-approve", "-input=false", "-no-color"],
      e,
      REPO_ROOT,
    );
  }
  const out = JSON.parse(await sh(tf, [`-chdir=${stackDir}`, "output", "-json"], e, REPO_ROOT)) as Record<
    string,
    { value: unknown }
  >;
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(out)) outputs[k] = String(v.value);
  return { stackId: o.stackId, workDir, outDir, outputs, log, ms: Date.now() - started };
}

/** Destroys a deployment made by {@link deploy} (terraform destroy in its stack dir). */
export async function destroy(bao: OpenBaoServer, d: Deployment, keystore: KeystoreJson): Promise<void> {
  const e = env(bao, { stackId: d.stackId, keystore }, d.workDir, d.outDir);
  const tf = loadTestbedEnv().vars.TERRAFORM_BINARY_NAME;
  await sh(
    tf,
    [
      `-chdir=${path.join(d.outDir, "stacks", d.stackId)}`,
      "destroy",
      "-auto-approve",
      "-input=false",
      "-no-color",
    ],
    e,
    REPO_ROOT,
  );
}

/** Lists every file under a folder (for scanning cdktf.out). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== ".terraform") out.push(...filesUnder(p));
    } else out.push(p);
  }
  return out;
}
