/**
 * Pipeline operations over every stack of a tenants rollout, in one command: synthesize once, then plan
 * (`diff`) or apply (`deploy`) each stack with Terraform directly, shared stack first, at most `parallelism`
 * stacks at a time, with a progress line per step and a table at the end. Never writes a plan file (cdktf's
 * `diff` leaves one holding every secret of the state under cdktf.out), and removes any it finds.
 * Refuses to change anything while a deployed tenant is missing from the tenants file (see stale-tenants.ts),
 * and offboards tenants marked `offboard:` (their keys deleted first when asked).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { tenantOutputNames } from "../../constructs/tenant/tenant-vault";
import { Keystore } from "../../constructs/vault/keystore";
import { parseTenantsFile, type TenantsFile } from "../../shared/tenants-file";
import { tenantDefinition, tenantStackId, TENANTS_STACK_ID } from "../tenants-stacks";
import { readStackState, stacksWithState, stateFileOf } from "./stack-state";
import { findStaleTenants, staleTenantsMessage } from "./stale-tenants";
import { formatSummary, outcomeOf, type StackResult } from "./summary";
import { readTerraformJson } from "./terraform-json";
import { deleteKeys, listKeys, vaultAccessFromEnv } from "./vault-keys";

/** Options of a rollout run. */
export interface RolloutOptions {
  /** The tenants file (YAML). */
  readonly tenantsFile: string;
  /** Directory the app runs in: cdktf.json's folder; default state files live here. */
  readonly workDir: string;
  /**
   * Synthesis output folder.
   * @default - <workDir>/cdktf.out
   */
  readonly outdir?: string;
  /** Environment of the app and Terraform (VAULT_ADDR, VAULT_TOKEN, KVK_*, TF_CLI_CONFIG_FILE...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Most stacks planned or applied at once.
   * @default 4
   */
  readonly parallelism?: number;
  /**
   * Write `{ "<tenant>": { "<output>": value } }` here after a deploy (no sensitive output).
   * @default - no outputs file
   */
  readonly outputsFile?: string;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** Thrown when the rollout refuses to start (stale tenants); nothing was changed. */
export class RolloutRefused extends Error {}

/** What a run did. */
export interface RolloutReport {
  readonly results: StackResult[];
  /** The summary table. */
  readonly summary: string;
  readonly ok: boolean;
}

interface SynthStack {
  readonly id: string;
  readonly dir: string;
  readonly dependencies: string[];
  readonly stateFile: string;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  shell = false,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env as NodeJS.ProcessEnv,
      shell,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, out: Buffer.concat(chunks).toString("utf8") }));
  });
}

/** Removes plan files (`cdktf diff` output holding the state's secrets) under a synthesis folder. */
export function removePlanFiles(outdir: string): string[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) return [];
  const removed: string[] = [];
  for (const s of fs.readdirSync(stacksDir)) {
    const plan = path.join(stacksDir, s, "plan");
    if (fs.existsSync(plan)) {
      fs.rmSync(plan, { force: true });
      removed.push(plan);
    }
  }
  return removed;
}

class Rollout {
  private readonly started = Date.now();
  private readonly outdir: string;
  private readonly terraform: string;
  private readonly stateDir?: string;
  private file!: TenantsFile;

  constructor(private readonly opts: RolloutOptions) {
    this.outdir = path.resolve(opts.workDir, opts.outdir ?? "cdktf.out");
    this.terraform = opts.env.TERRAFORM_BINARY_NAME || "terraform";
    this.stateDir = opts.env.KVK_STATE_DIR || undefined;
  }

  private say(line: string): void {
    const s = ((Date.now() - this.started) / 1000).toFixed(0).padStart(4);
    this.opts.log(`[rollout ${s}s] ${line}`);
  }

  /** Parses the tenants file, synthesizes the app, checks for stale tenants. */
  private async prepare(): Promise<SynthStack[]> {
    this.file = parseTenantsFile(
      fs.readFileSync(this.opts.tenantsFile, "utf8"),
      `tenants file ${this.opts.tenantsFile}`,
    );
    for (const p of removePlanFiles(this.outdir))
      this.say(`removed ${p}: a plan file holds every secret of the state`);
    const app = this.appCommand();
    this.say(`synthesizing ${this.file.tenants.length} tenant(s): ${app}`);
    const synth = await run(
      app,
      [],
      this.opts.workDir,
      { ...this.opts.env, CDKTF_OUTDIR: this.outdir, KVK_TENANTS_FILE: path.resolve(this.opts.tenantsFile) },
      true,
    );
    if (synth.code !== 0)
      throw new Error(
        `synthesis failed (exit ${synth.code}):\n${synth.out.trim().split("\n").slice(-30).join("\n")}`,
      );
    const manifest = JSON.parse(fs.readFileSync(path.join(this.outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { workingDirectory: string; dependencies: string[] }>;
    };
    const stacks = Object.entries(manifest.stacks).map(([id, s]) => ({
      id,
      dir: path.join(this.outdir, s.workingDirectory),
      dependencies: s.dependencies,
      stateFile: stateFileOf(id, this.stateDir, this.opts.workDir),
    }));

    const states = new Map<string, { resources: number; outputs: string[]; file: string }>();
    const ids = new Set([...stacks.map((s) => s.id), ...stacksWithState(this.stateDir, this.opts.workDir)]);
    for (const id of ids) {
      const st = readStackState(stateFileOf(id, this.stateDir, this.opts.workDir));
      if (st) states.set(id, st);
    }
    const stale = findStaleTenants(
      this.file.tenants.map((t) => t.name),
      states,
    );
    if (stale.length > 0) throw new RolloutRefused(staleTenantsMessage(stale));
    return stacks;
  }

  private appCommand(): string {
    const cdktfJson = path.join(this.opts.workDir, "cdktf.json");
    const app = (JSON.parse(fs.readFileSync(cdktfJson, "utf8")) as { app?: string }).app;
    if (!app) throw new Error(`${cdktfJson} has no "app" command`);
    return app;
  }

  private tenantsOf(stackId: string): string[] {
    const active = this.file.tenants.filter((t) => t.offboard === undefined).map((t) => t.name);
    if (stackId === TENANTS_STACK_ID) return active;
    const t = this.file.tenants.find((e) => tenantStackId(e.name) === stackId);
    return t ? [t.name] : [];
  }

  /** Runs `step` over the stacks, each after its dependencies, at most `parallelism` at once. */
  private async each(
    stacks: SynthStack[],
    step: (s: SynthStack) => Promise<StackResult>,
  ): Promise<StackResult[]> {
    const results = new Map<string, StackResult>();
    const pending = [...stacks];
    const running = new Map<string, Promise<void>>();
    const limit = Math.max(1, this.opts.parallelism ?? 4);
    while (pending.length > 0 || running.size > 0) {
      const ready = pending.filter((s) =>
        s.dependencies.every((d) => results.has(d) || !stacks.some((x) => x.id === d)),
      );
      for (const s of ready) {
        if (running.size >= limit) break;
        pending.splice(pending.indexOf(s), 1);
        const failedDep = s.dependencies.find((d) => results.get(d)?.outcome === "failed");
        if (failedDep) {
          results.set(s.id, {
            stack: s.id,
            tenants: this.tenantsOf(s.id),
            outcome: "failed",
            error: `not run: ${failedDep} failed`,
          });
          continue;
        }
        running.set(
          s.id,
          step(s)
            .catch((err: Error) => ({
              stack: s.id,
              tenants: this.tenantsOf(s.id),
              outcome: "failed" as const,
              error: err.message,
            }))
            .then((r) => {
              results.set(s.id, r);
              running.delete(s.id);
            }),
        );
      }
      if (running.size > 0) await Promise.race(running.values());
      else if (pending.length > 0 && ready.length === 0)
        throw new Error(`stacks with unmet dependencies: ${pending.map((p) => p.id).join(", ")}`);
    }
    return stacks.map((s) => results.get(s.id) as StackResult);
  }

  private async terraformIn(s: SynthStack, args: string[]): Promise<{ code: number; out: string }> {
    return run(this.terraform, args, s.dir, {
      ...this.opts.env,
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
    });
  }

  private async init(s: SynthStack): Promise<void> {
    this.say(`${s.id}: terraform init`);
    const r = await this.terraformIn(s, ["init", "-input=false", "-no-color"]);
    if (r.code !== 0)
      throw new Error(`terraform init failed: ${r.out.trim().split("\n").slice(-8).join(" ")}`);
  }

  /**
   * Runs a plan or apply, initializing the stack's folder first when it has never been, or again when Terraform
   * says the providers or backend changed since (a later synthesis keeps the folder and its .terraform).
   */
  private async planOrApply(s: SynthStack, args: string[]): Promise<{ code: number; out: string }> {
    if (!fs.existsSync(path.join(s.dir, ".terraform"))) await this.init(s);
    const r = await this.terraformIn(s, args);
    if (
      r.code !== 0 &&
      /terraform init|Inconsistent dependency lock file|initialization required/i.test(r.out)
    ) {
      await this.init(s);
      return this.terraformIn(s, args);
    }
    return r;
  }

  private failure(s: SynthStack, what: string, out: string): Error {
    const report = readTerraformJson(out);
    const detail =
      report.errors.length > 0 ? report.errors.join("; ") : out.trim().split("\n").slice(-5).join(" ");
    return new Error(`terraform ${what} of ${s.id} failed: ${detail}`);
  }

  /** Plans (`plan`) or applies (`apply`) one stack and reports what happened, per its change summary. */
  private async runStack(s: SynthStack, command: "plan" | "apply", notes?: string[]): Promise<StackResult> {
    this.say(`${s.id}: terraform ${command}`);
    const had = (readStackState(s.stateFile)?.resources ?? 0) > 0;
    const args = [command, "-input=false", "-no-color", "-json", "-lock-timeout=60s"];
    const r = await this.planOrApply(s, command === "apply" ? [...args, "-auto-approve"] : args);
    const report = readTerraformJson(r.out);
    if (r.code !== 0 || !report.changes) throw this.failure(s, command, r.out);
    const { add, change, remove } = report.changes;
    const outcome = outcomeOf(report.changes, had, command === "plan");
    this.say(`${s.id}: ${outcome} (+${add} ~${change} -${remove})`);
    return {
      stack: s.id,
      tenants: this.tenantsOf(s.id),
      outcome,
      changes: report.changes,
      ...(notes ? { notes } : {}),
    };
  }

  public async diff(): Promise<RolloutReport> {
    const stacks = await this.prepare();
    return this.finish(await this.each(stacks, (s) => this.runStack(s, "plan")));
  }

  public async deploy(): Promise<RolloutReport> {
    const stacks = await this.prepare();
    const notes = await this.offboardKeys(stacks);
    const results = await this.each(stacks, (s) => this.runStack(s, "apply", notes.get(s.id)));
    if (this.opts.outputsFile) await this.writeOutputs(stacks, results);
    return this.finish(results);
  }

  /**
   * Before any destroy: for every offboarded tenant whose stack still holds resources, deletes its keys (keys:
   * delete) or counts them (keys: keep). Notes by stack id.
   * @throws Error when a deletion fails: nothing has been destroyed yet, so the run can simply be repeated.
   */
  private async offboardKeys(stacks: SynthStack[]): Promise<Map<string, string[]>> {
    const notes = new Map<string, string[]>();
    const leaving = this.file.tenants.filter((t) => t.offboard !== undefined);
    for (const t of leaving) {
      const stackId = stacks.some((s) => s.id === tenantStackId(t.name))
        ? tenantStackId(t.name)
        : TENANTS_STACK_ID;
      const stack = stacks.find((s) => s.id === stackId);
      const state = stack ? readStackState(stack.stateFile) : undefined;
      const stillDeployed =
        stackId === TENANTS_STACK_ID
          ? (state?.outputs ?? []).includes(tenantOutputNames(t.name).keyServerEndpoints)
          : (state?.resources ?? 0) > 0;
      if (!stillDeployed) {
        this.say(`tenant ${t.name}: offboarded already (its stack holds nothing)`);
        continue;
      }
      const spec = Keystore.specOf(tenantDefinition(this.file, t).keystore);
      const where = `${spec.namespace ? `${spec.namespace}/` : ""}${spec.listPath()}/`;
      const vault = vaultAccessFromEnv(this.opts.env);
      let note: string;
      if (t.offboard?.keys === "delete") {
        const deleted = await deleteKeys(vault, spec);
        note = `${t.name}: ${deleted.length} key(s) deleted under ${where}`;
      } else {
        const kept = await listKeys(vault, spec).catch(() => undefined);
        note = `${t.name}: keys kept under ${where}${kept ? ` (${kept.length})` : ""}; do not give this prefix to another tenant`;
      }
      this.say(`tenant ${t.name}: offboarding; ${note}`);
      notes.set(stackId, [...(notes.get(stackId) ?? []), note]);
    }
    return notes;
  }

  private async writeOutputs(stacks: SynthStack[], results: StackResult[]): Promise<void> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const s of stacks) {
      if (results.find((r) => r.stack === s.id)?.outcome === "failed") continue;
      const leaving = new Set(this.file.tenants.filter((t) => t.offboard !== undefined).map((t) => t.name));
      const tenants = this.tenantsOf(s.id).filter((t) => !leaving.has(t));
      if (tenants.length === 0) continue;
      const r = await this.terraformIn(s, ["output", "-json", "-no-color"]);
      if (r.code !== 0) throw new Error(`terraform output of ${s.id} failed: ${r.out.trim().slice(0, 300)}`);
      const values = JSON.parse(r.out) as Record<string, { value: unknown; sensitive: boolean }>;
      for (const t of tenants) {
        const p = `${t.replace(/-/g, "_")}_`;
        const mine = Object.entries(values).filter(([k, v]) => k.startsWith(p) && !v.sensitive);
        out[t] = Object.fromEntries(mine.map(([k, v]) => [k.slice(p.length), v.value]));
      }
    }
    fs.writeFileSync(this.opts.outputsFile as string, JSON.stringify(out, null, 2) + "\n");
    this.say(`outputs of ${Object.keys(out).length} tenant(s) written to ${this.opts.outputsFile}`);
  }

  private finish(results: StackResult[]): RolloutReport {
    for (const p of removePlanFiles(this.outdir)) this.say(`removed ${p}`);
    const summary = formatSummary(results);
    return { results, summary, ok: results.every((r) => r.outcome !== "failed") };
  }
}

/**
 * Plans every stack of the tenants rollout; nothing is changed and no plan file is written.
 * @throws RolloutRefused when deployed tenants are missing from the file; Error when synthesis fails.
 */
export function rolloutDiff(opts: RolloutOptions): Promise<RolloutReport> {
  return new Rollout(opts).diff();
}

/**
 * Applies every stack of the tenants rollout (offboarded tenants: keys first, as the file says, then their
 * resources destroyed) and writes the outputs file.
 * @throws RolloutRefused when deployed tenants are missing from the file (nothing changed); Error when
 *   synthesis or an offboarding key deletion fails (nothing destroyed).
 */
export function rolloutDeploy(opts: RolloutOptions): Promise<RolloutReport> {
  return new Rollout(opts).deploy();
}
