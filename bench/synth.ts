/**
 * Synth benchmark: how long and how much memory the cdktf app (cdktf.json "app", run exactly as `cdktf synth`
 * runs it) takes to synthesize a tenants file of N generated tenants (`t0000`, `t0001`, ...; prefix isolation,
 * defaults otherwise), in one stack and in one stack per tenant; the size of cdktf.out; and the size of the text
 * `terraform plan` prints for one tenant (its stack, against an empty state).
 *
 * Usage: npx ts-node --transpile-only bench/synth.ts [--tenants 1,100,1000] [--layouts one,per-tenant]
 *          [--rounds 3] [--large-rounds 3] [--large-from 1000] [--app "<command>"] [--no-plan]
 *          [--plan-out plan.txt] [--json results.json]
 * Each cell runs `--rounds` times (`--large-rounds` for N >= `--large-from`) and the table shows medians.
 * The plan needs the test bed (terraform, the provider mirror, bao); without it the plan is "not measured"
 * with the reason. Loopback only; every process it starts is stopped by pid. See bench/README.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadTestbedEnv, REPO_ROOT } from "../scripts/testbed/env";
import { startOpenBao, type OpenBaoServer } from "../scripts/testbed/openbao";

type Layout = "one" | "per-tenant";

interface Options {
  readonly tenants: readonly number[];
  readonly layouts: readonly Layout[];
  readonly rounds: number;
  readonly largeRounds: number;
  readonly largeFrom: number;
  readonly app: string;
  readonly plan: boolean;
  readonly jsonFile?: string;
  readonly planFile?: string;
}

/** One synthesis. */
interface Run {
  readonly seconds: number;
  /** User + system CPU time of the app's processes: steadier than wall time on a shared machine. */
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly outMb: number;
}

/** One cell: N tenants in one layout, its runs and their medians. */
interface Cell {
  readonly tenants: number;
  readonly layout: Layout;
  readonly runs: readonly Run[];
  readonly median: Run;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (v: string) => v.split(",").map((s) => s.trim());
  const positive = (name: string, v: string | undefined, dflt: number) => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} ${JSON.stringify(v)} must be a positive integer`);
    return n;
  };
  const layouts = list(get("layouts") ?? "one,per-tenant");
  for (const l of layouts)
    if (l !== "one" && l !== "per-tenant")
      throw new Error(`--layouts ${JSON.stringify(l)}: use one or per-tenant`);
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "cdktf.json"), "utf8")) as {
    app: string;
  };
  return {
    tenants: list(get("tenants") ?? "1,100,1000").map((v) => positive("tenants", v, 1)),
    layouts: layouts as Layout[],
    rounds: positive("rounds", get("rounds"), 3),
    largeRounds: positive("large-rounds", get("large-rounds"), 3),
    largeFrom: positive("large-from", get("large-from"), 1000),
    app: get("app") ?? cdktfJson.app,
    plan: !argv.includes("--no-plan"),
    jsonFile: get("json"),
    planFile: get("plan-out"),
  };
}

/** A tenants file of `n` tenants named t0000, t0001, ... (prefix isolation, defaults otherwise). */
export function generatedTenantsFile(n: number): string {
  const lines = [
    "vault: { endpoint: https://vault.vault.svc:8200, kvEngine: kv, kvVersion: 1 }",
    "isolation: prefix",
    "tenants:",
  ];
  for (let i = 0; i < n; i++) lines.push(`  - name: t${String(i).padStart(4, "0")}`);
  return `${lines.join("\n")}\n`;
}

/** Total bytes of the files under `dir`. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : fs.statSync(p).size;
  }
  return total;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs the app command once, under /usr/bin/time (peak RSS of the synth process: the largest resident set of
 * the processes it waited for), into `outdir`.
 * @throws Error with the app's output when it fails.
 */
function synthOnce(app: string, env: NodeJS.ProcessEnv, outdir: string): Run {
  fs.rmSync(outdir, { recursive: true, force: true });
  const timeFile = path.join(path.dirname(outdir), "time.txt");
  const started = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", timeFile, "sh", "-c", app], {
    cwd: REPO_ROOT,
    env: { ...env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    throw new Error(
      `app failed (exit ${r.status}): ${app}\n${(r.stdout ?? "") + (r.stderr ?? "")}`.slice(0, 4000),
    );
  }
  const [peakKb, user, sys] = (fs.readFileSync(timeFile, "utf8").trim().split("\n").pop() ?? "")
    .split(" ")
    .map(Number);
  return {
    seconds,
    cpuSeconds: user + sys,
    peakRssMb: peakKb / 1024,
    outMb: treeBytes(outdir) / (1024 * 1024),
  };
}

/**
 * The text `terraform plan` prints for tenant t0000's stack (one stack per tenant, 1 tenant) against an empty
 * state, with an OpenBao dev server as the Vault (the vault provider logs in while it is configured) and a
 * kubeconfig naming an unused loopback port (typed kubernetes resources plan without a cluster).
 * @returns the plan text, or the reason it could not be measured.
 */
async function planText(app: string, work: string): Promise<{ text?: string; reason?: string }> {
  let testbed;
  try {
    testbed = loadTestbedEnv();
  } catch (err) {
    return { reason: (err as Error).message };
  }
  const terraform = testbed.vars.TERRAFORM_BINARY_NAME || "terraform";
  const dir = path.join(work, "plan");
  fs.mkdirSync(dir, { recursive: true });
  const tenantsFile = path.join(dir, "tenants.yaml");
  fs.writeFileSync(tenantsFile, generatedTenantsFile(1));
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: none, cluster: { server: 'https://127.0.0.1:1' } }]",
      "users: [{ name: none, user: { token: none } }]",
      "contexts: [{ name: none, context: { cluster: none, user: none } }]",
      "current-context: none",
      "",
    ].join("\n"),
  );
  const outdir = path.join(dir, "out");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...testbed.vars,
    KVK_TENANTS_FILE: tenantsFile,
    KVK_STACK_PER_TENANT: "true",
    KVK_PROVIDER_VERSIONS: JSON.stringify(testbed.providerVersions),
    KVK_STATE_DIR: path.join(dir, "state"),
    KUBE_CONFIG_PATH: kubeconfig,
  };
  synthOnce(app, env, outdir);
  const stackDir = path.join(outdir, "stacks", "tenant-t0000");
  const tf = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(terraform, args, {
      cwd: stackDir,
      env: { ...env, ...extra },
      encoding: "utf8",
      maxBuffer: 256 << 20,
    });
  const init = tf(["init", "-input=false", "-no-color"]);
  if (init.status !== 0)
    return { reason: `terraform init failed: ${(init.stdout + init.stderr).slice(-1500)}` };
  let bao: OpenBaoServer | undefined;
  try {
    bao = await startOpenBao();
    const plan = tf(["plan", "-input=false", "-lock=false", "-no-color"], bao.env);
    if (plan.status !== 0)
      return { reason: `terraform plan failed: ${(plan.stdout + plan.stderr).slice(-1500)}` };
    return { text: plan.stdout };
  } catch (err) {
    return { reason: (err as Error).message };
  } finally {
    await bao?.stop();
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-bench-synth-"));
  const cells: Cell[] = [];
  let plan: { text?: string; reason?: string } = { reason: "skipped (--no-plan)" };
  try {
    console.log(`app: ${opts.app}`);
    for (const n of opts.tenants) {
      const tenantsFile = path.join(work, `tenants-${n}.yaml`);
      fs.writeFileSync(tenantsFile, generatedTenantsFile(n));
      const rounds = n >= opts.largeFrom ? opts.largeRounds : opts.rounds;
      for (const layout of opts.layouts) {
        const runs: Run[] = [];
        for (let i = 0; i < rounds; i++) {
          const env = {
            ...process.env,
            KVK_TENANTS_FILE: tenantsFile,
            KVK_STACK_PER_TENANT: layout === "per-tenant" ? "true" : "false",
          };
          const run = synthOnce(opts.app, env, path.join(work, "out"));
          runs.push(run);
          console.log(
            `${n} tenants, ${layout}, round ${i + 1}/${rounds}: ${fmt(run.seconds, 2)} s (cpu ${fmt(run.cpuSeconds, 2)} s), ${fmt(run.peakRssMb, 0)} MB peak RSS, cdktf.out ${fmt(run.outMb)} MB`,
          );
        }
        cells.push({
          tenants: n,
          layout,
          runs,
          median: {
            seconds: median(runs.map((r) => r.seconds)),
            cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
            peakRssMb: median(runs.map((r) => r.peakRssMb)),
            outMb: median(runs.map((r) => r.outMb)),
          },
        });
      }
    }
    fs.rmSync(path.join(work, "out"), { recursive: true, force: true });
    if (opts.plan) plan = await planText(opts.app, work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  console.log(
    "\n| tenants | layout | rounds | wall time (s) | CPU time (s) | peak RSS (MB) | cdktf.out (MB) |",
  );
  console.log(
    "| ------: | ------ | -----: | ------------: | -----------: | ------------: | -------------: |",
  );
  for (const c of cells) {
    console.log(
      `| ${c.tenants} | ${c.layout === "one" ? "one stack" : "stack per tenant"} | ${c.runs.length} | ${fmt(c.median.seconds, 2)} | ${fmt(c.median.cpuSeconds, 2)} | ${fmt(c.median.peakRssMb, 0)} | ${fmt(c.median.outMb)} |`,
    );
  }
  if (plan.text !== undefined && opts.planFile) fs.writeFileSync(opts.planFile, plan.text);
  if (plan.text !== undefined) {
    const bytes = Buffer.byteLength(plan.text, "utf8");
    const summary = /Plan: .*/.exec(plan.text)?.[0] ?? "";
    console.log(
      `\nplan text of one tenant (tenant-t0000, empty state): ${fmt(bytes / 1024)} KiB (${bytes} bytes); ${summary}`,
    );
  } else {
    console.log(`\nplan text of one tenant: not measured: ${plan.reason}`);
  }
  if (opts.jsonFile) {
    fs.writeFileSync(
      opts.jsonFile,
      JSON.stringify(
        {
          app: opts.app,
          cells,
          planBytes: plan.text === undefined ? null : Buffer.byteLength(plan.text),
          planReason: plan.reason,
        },
        null,
        2,
      ),
    );
  }
}

// Only as a script: importing generatedTenantsFile (bench/profile-synth.ts, a tenants file by hand) runs nothing.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
