/**
 * CPU profile of the cdktf app's synthesis of N generated tenants (as bench/synth.ts writes them): runs the app
 * command of cdktf.json under `node --cpu-prof` into a temporary outdir and prints the functions with the most
 * self time and with the most inclusive time (itself and what it calls).
 *
 * Usage: npx ts-node --transpile-only bench/profile-synth.ts [--tenants 100] [--layout one|per-tenant]
 *          [--top 25] [--out DIR]
 * The .cpuprofile stays in DIR (default: a temp dir, printed) for Chrome DevTools or speedscope.
 * A large file's chunks (stacks/fleet-synthesis.ts) run in the app's own thread here (KVK_SYNTH_WORKERS=1, unless
 * set), so that one profile holds the whole synthesis. See bench/README.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../scripts/testbed/env";
import { selfTimes, type CpuProfile, type ProfileNode } from "./profile-keyserver";

/** One row: a function (name, file:line) and its share of the samples, itself and what it calls. */
export interface InclusiveTime {
  readonly name: string;
  readonly where: string;
  /** The script's URL ("" for V8's own entries: root, program, garbage collector). */
  readonly url: string;
  readonly inclusivePct: number;
}

/**
 * Inclusive time per function of a V8 CPU profile, largest first: a sample counts once for every distinct
 * function on its stack (a recursive function once). Pure; never throws for a well-formed profile.
 */
export function inclusiveTimes(profile: CpuProfile): InclusiveTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"}\u0000${n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ""}\u0000${n.callFrame.url}`;
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n) break;
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      time.set(k, (time.get(k) ?? 0) + dt);
    }
  });
  return [...time.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, us]) => {
      const [name, where, url] = k.split("\u0000");
      return { name, where, url, inclusivePct: total > 0 ? (100 * us) / total : 0 };
    });
}

function arg(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

function main(): void {
  const argv = process.argv.slice(2);
  const tenants = Number(arg(argv, "--tenants", "100"));
  const layout = arg(argv, "--layout", "one");
  const top = Number(arg(argv, "--top", "25"));
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error(`--tenants must be a positive integer`);
  if (layout !== "one" && layout !== "per-tenant")
    throw new Error(`--layout "${layout}": use one or per-tenant`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-profile-synth-"));
  const out = path.resolve(arg(argv, "--out", path.join(work, "profile")));
  fs.mkdirSync(out, { recursive: true });
  const tenantsFile = path.join(work, "tenants.yaml");
  const names = Array.from({ length: tenants }, (_, i) => `  - name: t${String(i).padStart(4, "0")}`);
  fs.writeFileSync(
    tenantsFile,
    `vault: { endpoint: https://vault.vault.svc:8200, kvEngine: kv, kvVersion: 1 }\nisolation: prefix\ntenants:\n${names.join("\n")}\n`,
  );
  const app = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "cdktf.json"), "utf8")) as { app: string })
    .app;
  if (!app.startsWith("node ")) throw new Error(`cdktf.json app "${app}" is not a node command`);
  try {
    const r = spawnSync(
      "sh",
      ["-c", `node --cpu-prof --cpu-prof-dir=${JSON.stringify(out)} ${app.slice("node ".length)}`],
      {
        cwd: REPO_ROOT,
        env: {
          KVK_SYNTH_WORKERS: "1",
          ...process.env,
          KVK_TENANTS_FILE: tenantsFile,
          KVK_STACK_PER_TENANT: layout === "per-tenant" ? "true" : "false",
          CDKTF_OUTDIR: path.join(work, "cdktf.out"),
        },
        encoding: "utf8",
        maxBuffer: 64 << 20,
      },
    );
    if (r.status !== 0)
      throw new Error(`app failed (exit ${r.status}): ${(r.stdout + r.stderr).slice(-3000)}`);
  } finally {
    fs.rmSync(path.join(work, "cdktf.out"), { recursive: true, force: true });
    fs.rmSync(tenantsFile, { force: true });
  }
  const file = fs.readdirSync(out).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${out}`);
  const profile = JSON.parse(fs.readFileSync(path.join(out, file), "utf8")) as CpuProfile;
  process.stdout.write(
    `profile: ${path.join(out, file)} (${tenants} tenants, ${layout})\n\nself %  function  (file:line)\n`,
  );
  for (const r of selfTimes(profile).slice(0, top))
    process.stdout.write(`${r.selfPct.toFixed(1).padStart(6)}  ${r.name}  ${r.where}\n`);
  // Node's module loader and the app's entry frames hold everything: left out.
  process.stdout.write("\ninclusive %  function  (file:line), without Node's own frames and the entry\n");
  const entry = (r: InclusiveTime) =>
    r.url === "" ||
    r.url.startsWith("node:") ||
    r.url.endsWith("run-app.mjs") ||
    r.where.endsWith("app.cjs:1");
  for (const r of inclusiveTimes(profile)
    .filter((r) => !entry(r))
    .slice(0, top))
    process.stdout.write(`${r.inclusivePct.toFixed(1).padStart(6)}  ${r.name}  ${r.where}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (err: unknown) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
