// Helpers of the pipeline tests: the rollout CLI run as a pipeline runs it, and what the state holds.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Keystore } from "../../../constructs/vault/keystore";
import { KeystoreSpec } from "../../../constructs/vault/keystore-spec";
import { REPO_ROOT, testbedProcessEnv } from "../../../scripts/testbed/env";
import type { OpenBaoServer } from "../../../scripts/testbed/openbao";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { tenantDefinition } from "../../../stacks/tenants-stacks";

/** A pipeline's setup: OpenBao, a work folder with the tenants file, state and synthesis output. */
export interface Pipeline {
  readonly bao: OpenBaoServer;
  readonly tenantsFile: string;
  readonly stateDir: string;
  readonly outdir: string;
  readonly outputsFile: string;
}

/** Creates the folders of a pipeline under `work`. */
export function pipeline(bao: OpenBaoServer, work: string): Pipeline {
  const stateDir = path.join(work, "state");
  fs.mkdirSync(stateDir, { recursive: true });
  return {
    bao,
    tenantsFile: path.join(work, "tenants.yaml"),
    stateDir,
    outdir: path.join(work, "cdktf.out"),
    outputsFile: path.join(work, "outputs.json"),
  };
}

/** Runs `npm run rollout -- <args>` from the repository (the Vault half only: no cluster here). */
export function rollout(p: Pipeline, ...args: string[]): Promise<{ code: number; out: string }> {
  const cli = path.join(REPO_ROOT, "stacks", "rollout", "cli.ts");
  const child = spawn(
    process.execPath,
    [
      "--require",
      "ts-node/register/transpile-only",
      cli,
      ...args,
      "--tenants",
      p.tenantsFile,
      "--output",
      p.outdir,
    ],
    {
      cwd: REPO_ROOT,
      env: testbedProcessEnv({
        ...p.bao.env,
        KVK_STATE_DIR: p.stateDir,
        KVK_WITHOUT_KUBERNETES: "1",
        KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
        // Every synthesis of the pipeline in chunks of 2 tenants, on worker threads (stacks/fleet-synthesis.ts).
        KVK_SYNTH_CHUNK: "2",
      }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  child.stderr.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, out: Buffer.concat(chunks).toString("utf8") }));
  });
}

type State = { resources?: { type: string; instances: { attributes: Record<string, unknown> }[] }[] };

/** The secret values of every state file in `stateDir`: secret-ids, private keys, passwords. */
export function stateSecrets(stateDir: string): string[] {
  const secrets: string[] = [];
  for (const f of fs.readdirSync(stateDir).filter((n) => n.endsWith(".tfstate"))) {
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, f), "utf8")) as State;
    for (const r of state.resources ?? []) {
      for (const i of r.instances) {
        for (const k of ["secret_id", "private_key_pem", "private_key_openssh", "result"]) {
          const v = i.attributes[k];
          if (typeof v === "string" && v.length >= 16) secrets.push(v);
        }
      }
    }
  }
  return secrets;
}

/** The secret-id of each AppRole role in the state files, by role name. */
export function secretIdsByRole(stateDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(stateDir).filter((n) => n.endsWith(".tfstate"))) {
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, f), "utf8")) as State;
    for (const r of state.resources ?? []) {
      if (r.type !== "vault_approle_auth_backend_role_secret_id") continue;
      for (const i of r.instances)
        out.set(i.attributes.role_name as string, i.attributes.secret_id as string);
    }
  }
  return out;
}

/** Files under `dir` (recursively) that contain any of `needles`. */
export function filesContaining(dir: string, needles: readonly string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const text = fs.readFileSync(p).toString("latin1");
        if (needles.some((n) => text.includes(n))) hits.push(p);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hits;
}

/** The keystore spec of each tenant of the tenants file, by tenant name. */
export function tenantSpecs(tenantsYaml: string): Map<string, KeystoreSpec> {
  const file = parseTenantsFile(tenantsYaml);
  return new Map(file.tenants.map((t) => [t.name, Keystore.specOf(tenantDefinition(file, t).keystore)]));
}
