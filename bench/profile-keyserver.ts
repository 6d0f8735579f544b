/**
 * CPU profile of our key server under the benchmark's load: builds an unminified bundle of runtime/ (the
 * shipped one is minified, its profile would show mangled names), starts it with `node --cpu-prof` on the
 * fs keystore, pinned to core 0, drives it with the benchmark's load generator (MinIO's Go client) pinned
 * to core 1, stops it with SIGTERM (the profile is written on its graceful exit) and prints the functions
 * with the most self time. Loopback only; every process it starts is stopped by pid.
 *
 * Usage: npx ts-node --transpile-only bench/profile-keyserver.ts [--op generate] [--clients 32]
 *          [--duration 10] [--top 30] [--out DIR] [--no-pin]
 * The .cpuprofile stays in DIR (default: a temp dir, printed) for Chrome DevTools or speedscope.
 * See bench/README.md.
 */
import { build } from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify as toYaml } from "yaml";
import { REPO_ROOT } from "../scripts/testbed/env";
import {
  apiKeyCertificate,
  kesIdentityFiles,
  newApiKey,
  probeVersion,
  renderKeyServerConfig,
  run,
} from "../scripts/testbed/kes";
import { freePort, startProcess, waitUntil } from "../scripts/testbed/process";
import { buildGoProgram } from "../test/live/conformance/support/go-conformance";
import { kesCli } from "../test/live/conformance/support/kes-cli";

/** A node of a V8 CPU profile (`node --cpu-prof`): a function and its callees. */
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
/** A V8 CPU profile (`.cpuprofile`): the call tree and the samples. */
export interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** One row of the summary: a function (name, file:line) and its share of the samples. */
export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly selfPct: number;
}

/**
 * Self time per function of a V8 CPU profile, largest first (equal functions at different nodes summed).
 * Pure; never throws for a well-formed profile.
 */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const time = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const name = f.functionName || "(anonymous)";
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : "";
    const k = `${name}\u0000${where}`;
    const e = time.get(k) ?? { name, where, us: 0 };
    e.us += dt;
    time.set(k, e);
  });
  return [...time.values()]
    .sort((a, b) => b.us - a.us)
    .map((e) => ({ name: e.name, where: e.where, selfPct: total > 0 ? (100 * e.us) / total : 0 }));
}

function arg(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const op = arg(argv, "--op", "generate");
  const clients = Number(arg(argv, "--clients", "32"));
  const duration = Number(arg(argv, "--duration", "10"));
  const top = Number(arg(argv, "--top", "30"));
  const pin = !argv.includes("--no-pin");
  if (op !== "generate" && op !== "decrypt") throw new Error(`--op "${op}" must be generate or decrypt`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-profile-"));
  const out = path.resolve(arg(argv, "--out", path.join(dir, "profile")));
  fs.mkdirSync(out, { recursive: true });
  const log = (s: string) => process.stderr.write(`[profile] ${s}\n`);

  const bundle = path.join(dir, "keyserver.cjs");
  await build({
    entryPoints: [path.join(REPO_ROOT, "runtime", "src", "main.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    define: { __KVK_VERSION__: '"profile"', __KVK_COMMIT__: '""' },
    logLevel: "warning",
  });
  log("building the load generator (test/go/loadgen)");
  const loadgen = await buildGoProgram("./loadgen");
  const { keyFile, certFile } = await kesIdentityFiles(dir, "server");
  const admin = newApiKey();
  const user = newApiKey();
  const port = await freePort();
  const config = renderKeyServerConfig({
    port,
    adminIdentity: admin.identity,
    tlsKey: keyFile,
    tlsCert: certFile,
    keystore: { fs: { path: path.join(dir, "keys") } },
    policies: {
      bench: { allow: ["/v1/key/generate/bench*", "/v1/key/decrypt/bench*"], identities: [user.identity] },
    },
    log: { audit: "off", error: "on" },
  });
  const configFile = path.join(dir, "config.yml");
  fs.writeFileSync(configFile, toYaml(config), { mode: 0o600 });
  const server = startProcess(
    "ours (profiled)",
    process.execPath,
    ["--cpu-prof", "--cpu-prof-dir", out, bundle, "server", "--config", configFile],
    { env: { ...process.env, NODE_OPTIONS: "" } },
  );
  try {
    const caPem = fs.readFileSync(certFile, "utf8");
    await waitUntil(
      "profiled key server",
      async () => (await probeVersion(port, caPem, apiKeyCertificate(admin))) === 200,
      { proc: server, timeoutMs: 60_000, intervalMs: 150 },
    );
    if (pin) await run("taskset", ["-a", "-c", "-p", "0", String(server.pid)]);
    const endpoint = `https://127.0.0.1:${port}`;
    const created = await kesCli(
      { endpoint, admin, caFile: certFile, dir } as unknown as Parameters<typeof kesCli>[0],
      ["key", "create", "bench"],
    );
    if (created.code !== 0) throw new Error(`kes key create bench failed: ${created.stderr}`);
    const res = await run(
      pin ? "taskset" : loadgen,
      [
        ...(pin ? ["-c", "1", loadgen] : []),
        ...["-endpoint", endpoint, "-ca", certFile, "-key", "bench", "-op", op],
        ...["-clients", String(clients), "-duration", `${duration}s`, "-warmup", "1s"],
      ],
      { env: { ...process.env, KVK_API_KEY: user.apiKey }, timeoutMs: (duration + 60) * 1000 },
    );
    if (res.code !== 0) throw new Error(`loadgen failed: ${res.stderr}`);
    process.stdout.write(`load: ${res.stdout.trim()}\n`);
  } finally {
    await server.stop(10_000);
    fs.rmSync(path.dirname(loadgen), { recursive: true, force: true });
  }
  const file = fs.readdirSync(out).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${out}: ${server.output().slice(-2000)}`);
  const rows = selfTimes(JSON.parse(fs.readFileSync(path.join(out, file), "utf8")) as CpuProfile);
  process.stdout.write(`profile: ${path.join(out, file)} (${op} x${clients}, ${duration} s)\n`);
  process.stdout.write("self %  function  (file:line)\n");
  for (const r of rows.slice(0, top)) {
    process.stdout.write(`${r.selfPct.toFixed(1).padStart(6)}  ${r.name}  ${r.where}\n`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
