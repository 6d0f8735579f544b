/**
 * Key server benchmark: generate and decrypt throughput (ops/s) and p50/p99 latency at 1, 8, 32 and 128
 * concurrent clients (one HTTP/2 + mTLS connection each, Ed25519 client certificates from an API key,
 * MinIO's own Go client), our key server against real KES on the same machine and keystore, plus a bare
 * Node HTTP/2 server as the ceiling (core stream API, and the allowHTTP1 compat shape our server has).
 * Loopback only; every process it starts is stopped by pid.
 *
 * Usage: npx ts-node --transpile-only bench/keyserver.ts [--duration 3] [--warmup 0.5]
 *          [--clients 1,8,32,128] [--ops generate,decrypt] [--keystores fs,vault] [--targets kes,ours]
 *          [--rounds 1] [--json results.json] [--no-pin]
 * See bench/README.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../scripts/testbed/env";
import {
  kesIdentityFiles,
  newApiKey,
  OURS_BUNDLE,
  run,
  startKeyServer,
  type KeyServerTarget,
  type RunningKeyServer,
} from "../scripts/testbed/kes";
import { startOpenBao, type OpenBaoServer } from "../scripts/testbed/openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../scripts/testbed/process";
import { kesCli } from "../test/live/conformance/support/kes-cli";
import { buildGoProgram } from "../test/live/conformance/support/go-conformance";

type Op = "generate" | "decrypt";
type Keystore = "fs" | "vault";

interface Options {
  readonly durationS: number;
  readonly warmupS: number;
  readonly clients: readonly number[];
  readonly ops: readonly Op[];
  readonly keystores: readonly Keystore[];
  readonly targets: readonly KeyServerTarget[];
  readonly rounds: number;
  readonly jsonFile?: string;
  /** Servers pinned to core 0, the load generator to core 1 (taskset); off with --no-pin. */
  readonly pin: boolean;
}

/** One loadgen run. */
interface CellResult {
  readonly ops: number;
  readonly seconds: number;
  readonly ops_per_sec: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly errors: number;
  readonly first_error?: string;
  /**
   * Requests served per second of the server's own CPU time (user + system, all its threads and child
   * processes), warm-up included: the per-core capacity, much less moved by other load on the machine
   * than ops/s (a server that waits for the core does not use CPU time meanwhile).
   */
  readonly ops_per_cpu_s?: number;
}

/** A server under test: a name for the table, its endpoint and CA, and its process id. */
interface Subject {
  readonly name: string;
  readonly pid: number;
  readonly endpoint: string;
  readonly caFile: string;
}

/**
 * Parses the command line.
 * @throws Error naming the flag and the bad value.
 */
export function parseArgs(argv: readonly string[]): Options {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (flag: string, def: string) =>
    (get(flag) ?? def)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const num = (flag: string, def: number) => {
    const v = Number(get(flag) ?? def);
    if (!Number.isFinite(v) || v <= 0)
      throw new Error(`${flag} "${get(flag)}" must be a positive number of seconds, e.g. ${flag} 3`);
    return v;
  };
  const clients = list("--clients", "1,8,32,128").map(Number);
  if (clients.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`--clients "${get("--clients")}" must be positive integers, e.g. --clients 1,8,32,128`);
  const ops = list("--ops", "generate,decrypt");
  if (ops.some((o) => o !== "generate" && o !== "decrypt"))
    throw new Error(`--ops "${get("--ops")}" may only hold generate and decrypt`);
  const keystores = list("--keystores", "fs,vault");
  if (keystores.some((k) => k !== "fs" && k !== "vault"))
    throw new Error(`--keystores "${get("--keystores")}" may only hold fs and vault`);
  const targets = list("--targets", "kes,ours");
  if (targets.some((t) => t !== "kes" && t !== "ours"))
    throw new Error(`--targets "${get("--targets")}" may only hold kes and ours`);
  return {
    durationS: num("--duration", 3),
    warmupS: num("--warmup", 0.5),
    clients,
    ops: ops as Op[],
    keystores: keystores as Keystore[],
    targets: targets as KeyServerTarget[],
    rounds: Math.round(num("--rounds", 1)),
    jsonFile: get("--json"),
    pin: !argv.includes("--no-pin"),
  };
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time (user + system, seconds) used so far by `pid` and its child processes, from /proc. A process
 * that is gone counts 0. Never throws.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const children = await run("pgrep", ["-P", String(pid)]);
  let ticks = 0;
  for (const p of [String(pid), ...children.stdout.split(/\s+/).filter(Boolean)]) {
    try {
      // the fields after the command name (which may hold spaces) start at field 3
      const rest = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ").pop()!.split(" ");
      ticks += Number(rest[11]) + Number(rest[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone
    }
  }
  return ticks / USER_HZ;
}

/** The server cores and the load generator's core when pinning is on. */
const SERVER_CPU = "0";
const LOADGEN_CPU = "1";

/**
 * Pins every thread of `pid` and of its child processes (KES' Go threads, Node's helper threads, the
 * workers of `KEYSERVER_WORKERS`) to the server core, so a server is measured on one core, apart from the
 * load generator.
 * @throws Error when taskset fails.
 */
async function pinServer(pid: number): Promise<void> {
  const children = await run("pgrep", ["-P", String(pid)]);
  const pids = [String(pid), ...children.stdout.split(/\s+/).filter(Boolean)];
  for (const p of pids) {
    const res = await run("taskset", ["-a", "-c", "-p", SERVER_CPU, p]);
    if (res.code !== 0) throw new Error(`taskset -a -c -p ${SERVER_CPU} ${p} failed: ${res.stderr}`);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.pin && os.cpus().length < 2)
    throw new Error("pinning needs 2 cores (server on core 0, load generator on core 1): pass --no-pin");
  const started: Array<{ stop(): Promise<void> }> = [];
  const cleanups: Array<() => Promise<void>> = [];
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  try {
    log("building the load generator (test/go/loadgen, kms-go/kes v0.3.1)");
    const loadgen = await buildGoProgram("./loadgen");
    cleanups.push(async () => fs.rmSync(path.dirname(loadgen), { recursive: true, force: true }));
    const user = newApiKey();
    const policy = {
      bench: { allow: ["/v1/key/generate/bench*", "/v1/key/decrypt/bench*"], identities: [user.identity] },
    };

    const subjects: Subject[] = [];
    const missing: string[] = [];
    let bao: OpenBaoServer | undefined;
    if (opts.keystores.includes("vault")) {
      bao = await startOpenBao();
      started.push(bao);
    }
    for (const keystore of opts.keystores) {
      for (const target of opts.targets) {
        const name = `${target}-${keystore}`;
        if (target === "ours" && !fs.existsSync(OURS_BUNDLE)) {
          missing.push(`${name}: ${OURS_BUNDLE} does not exist (npm run build:runtime)`);
          continue;
        }
        let server: RunningKeyServer;
        try {
          server = await startKeyServer(target, {
            keystore:
              keystore === "fs"
                ? { kind: "fs" }
                : { kind: "vault", openbao: bao, kvVersion: 1, prefix: `bench-${target}` },
            policies: policy,
            log: { audit: "off", error: "on" },
          });
        } catch (err) {
          missing.push(`${name}: ${(err as Error).message.replace(/\s*\n\s*/g, " ")}`);
          continue;
        }
        cleanups.push(() => server.cleanup());
        if (opts.pin) await pinServer(server.process.pid);
        const created = await kesCli(server, ["key", "create", "bench"]);
        if (created.code !== 0) {
          missing.push(`${name}: kes key create bench failed: ${created.stderr.trim()}`);
          continue;
        }
        subjects.push({ name, pid: server.process.pid, endpoint: server.endpoint, caFile: server.caFile });
      }
    }

    for (const mode of ["compat", "stream"] as const) {
      const ceiling = await startCeiling(cleanups, mode);
      subjects.unshift(ceiling.subject);
      started.push(ceiling.process);
      if (opts.pin) await pinServer(ceiling.process.pid);
    }

    const results: Record<string, Record<Op, Record<number, CellResult>>> = {};
    const cells = opts.ops.length * opts.clients.length * subjects.length;
    log(
      `${cells} cells x ${opts.rounds} round(s) of ${opts.warmupS}+${opts.durationS} s: ${subjects.map((s) => s.name).join(", ")}`,
    );
    for (const op of opts.ops) {
      for (const clients of opts.clients) {
        // Subjects take turns per cell (and per round), so that a drift of the machine's load hits all alike.
        const rounds: Record<string, CellResult[]> = {};
        for (let round = 0; round < opts.rounds; round++) {
          for (const s of subjects) {
            const cpuBefore = await cpuSeconds(s.pid);
            const res = await run(
              opts.pin ? "taskset" : loadgen,
              [
                ...(opts.pin ? ["-c", LOADGEN_CPU, loadgen] : []),
                "-endpoint",
                s.endpoint,
                "-ca",
                s.caFile,
                "-key",
                "bench",
                "-op",
                op,
                "-clients",
                String(clients),
                "-duration",
                `${opts.durationS}s`,
                "-warmup",
                `${opts.warmupS}s`,
              ],
              {
                env: { ...process.env, KVK_API_KEY: user.apiKey },
                timeoutMs: (opts.durationS + opts.warmupS + 60) * 1000,
              },
            );
            if (res.code !== 0)
              throw new Error(`loadgen against ${s.name} (${op}, ${clients} clients) failed: ${res.stderr}`);
            const measured = JSON.parse(res.stdout) as CellResult;
            const cpuS = (await cpuSeconds(s.pid)) - cpuBefore;
            const served = measured.ops_per_sec * (opts.durationS + opts.warmupS);
            const cell: CellResult = { ...measured, ops_per_cpu_s: cpuS > 0 ? served / cpuS : undefined };
            (rounds[s.name] ??= []).push(cell);
            log(
              `${op} x${clients} ${s.name}: ${cell.ops_per_sec.toFixed(0)} ops/s p50 ${cell.p50_us} us p99 ${cell.p99_us} us ${fmtPerCpu(cell)} ops/CPU-s` +
                (cell.errors ? ` errors ${cell.errors} (${cell.first_error})` : ""),
            );
          }
        }
        for (const [name, cells] of Object.entries(rounds)) {
          ((results[name] ??= { generate: {}, decrypt: {} })[op] ??= {})[clients] = medianCell(cells);
        }
      }
    }
    process.stdout.write(renderTable(results, opts) + "\n");
    if (missing.length > 0)
      process.stdout.write(`\nnot measured:\n${missing.map((m) => `  - ${m}`).join("\n")}\n`);
    if (opts.jsonFile)
      fs.writeFileSync(opts.jsonFile, JSON.stringify({ options: opts, results, missing }, null, 2) + "\n");
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  }
}

async function startCeiling(
  cleanups: Array<() => Promise<void>>,
  mode: "stream" | "compat",
): Promise<{ subject: Subject; process: ManagedProcess }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-ceiling-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const { certFile, keyFile } = await kesIdentityFiles(dir, "server");
  const port = await freePort();
  const name = mode === "stream" ? "ceiling" : "ceiling-compat";
  const proc = startProcess(
    name,
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      path.join(REPO_ROOT, "bench", "ceiling-server.ts"),
      String(port),
      certFile,
      keyFile,
      mode,
    ],
    { cwd: REPO_ROOT },
  );
  await waitUntil(`${name} server`, async () => proc.output().includes("listening"), {
    proc,
    timeoutMs: 60_000,
  });
  return {
    subject: { name, pid: proc.pid, endpoint: `https://127.0.0.1:${port}`, caFile: certFile },
    process: proc,
  };
}

/** Per field, the median over rounds (errors: the sum). */
export function medianCell(cells: readonly CellResult[]): CellResult {
  const med = (f: (c: CellResult) => number) => {
    const v = cells.map(f).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  return {
    ops: med((c) => c.ops),
    seconds: med((c) => c.seconds),
    ops_per_sec: med((c) => c.ops_per_sec),
    p50_us: med((c) => c.p50_us),
    p99_us: med((c) => c.p99_us),
    errors: cells.reduce((n, c) => n + c.errors, 0),
    first_error: cells.find((c) => c.first_error)?.first_error,
    ops_per_cpu_s: cells.every((c) => c.ops_per_cpu_s !== undefined)
      ? med((c) => c.ops_per_cpu_s ?? 0)
      : undefined,
  };
}

const fmtOps = (c?: CellResult) => (c ? c.ops_per_sec.toFixed(0) : "-");
const fmtLat = (c?: CellResult) =>
  c ? `${(c.p50_us / 1000).toFixed(2)}/${(c.p99_us / 1000).toFixed(2)}` : "-";
const ratio = (a?: number, b?: number) =>
  a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : "-";

/** The result table: per op and concurrency, ops/s and p50/p99 ms per subject, and ours' ratios. */
export function renderTable(
  results: Record<string, Record<Op, Record<number, CellResult>>>,
  opts: Options,
): string {
  const lines: string[] = [];
  const header = [
    "op",
    "clients",
    "ceiling ops/s",
    "ceiling p50/p99 ms",
    "ceiling-compat ops/s",
    "ceiling-compat p50/p99 ms",
  ];
  for (const k of opts.keystores) {
    header.push(
      `kes-${k} ops/s`,
      `kes-${k} p50/p99`,
      `ours-${k} ops/s`,
      `ours-${k} p50/p99`,
      `ours/kes ${k}`,
      `p99 ours/kes ${k}`,
      `ours/ceiling ${k}`,
      `ours/ceiling-compat ${k}`,
    );
  }
  lines.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
  for (const op of opts.ops) {
    for (const n of opts.clients) {
      const cell = (name: string) => results[name]?.[op]?.[n];
      const row = [
        op,
        String(n),
        fmtOps(cell("ceiling")),
        fmtLat(cell("ceiling")),
        fmtOps(cell("ceiling-compat")),
        fmtLat(cell("ceiling-compat")),
      ];
      for (const k of opts.keystores) {
        const kes = cell(`kes-${k}`);
        const ours = cell(`ours-${k}`);
        row.push(
          fmtOps(kes),
          fmtLat(kes),
          fmtOps(ours),
          fmtLat(ours),
          ratio(ours?.ops_per_sec, kes?.ops_per_sec),
          ratio(ours?.p99_us, kes?.p99_us),
          ratio(ours?.ops_per_sec, cell("ceiling")?.ops_per_sec),
          ratio(ours?.ops_per_sec, cell("ceiling-compat")?.ops_per_sec),
        );
      }
      lines.push(`| ${row.join(" | ")} |`);
    }
  }
  const errors = Object.entries(results).flatMap(([name, byOp]) =>
    Object.entries(byOp).flatMap(([op, byN]) =>
      Object.entries(byN)
        .filter(([, c]) => c.errors > 0)
        .map(([n, c]) => `  - ${name} ${op} x${n}: ${c.errors} errors, first: ${c.first_error}`),
    ),
  );
  lines.push("", ...renderCpuTable(results, opts));
  if (errors.length > 0) lines.push("", "errors:", ...errors);
  return lines.join("\n");
}

const fmtPerCpu = (c?: CellResult) => (c?.ops_per_cpu_s !== undefined ? c.ops_per_cpu_s.toFixed(0) : "-");

/** Requests per CPU-second per subject (the per-core capacity), and ours' ratios to KES and the ceilings. */
function renderCpuTable(
  results: Record<string, Record<Op, Record<number, CellResult>>>,
  opts: Options,
): string[] {
  const header = ["op", "clients", "ceiling ops/CPU-s", "ceiling-compat ops/CPU-s"];
  for (const k of opts.keystores) {
    header.push(
      `kes-${k} ops/CPU-s`,
      `ours-${k} ops/CPU-s`,
      `ours/kes ${k} per CPU-s`,
      `ours/ceiling ${k} per CPU-s`,
      `ours/ceiling-compat ${k} per CPU-s`,
    );
  }
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const op of opts.ops) {
    for (const n of opts.clients) {
      const cell = (name: string) => results[name]?.[op]?.[n];
      const row = [op, String(n), fmtPerCpu(cell("ceiling")), fmtPerCpu(cell("ceiling-compat"))];
      for (const k of opts.keystores) {
        const ours = cell(`ours-${k}`)?.ops_per_cpu_s;
        row.push(
          fmtPerCpu(cell(`kes-${k}`)),
          fmtPerCpu(cell(`ours-${k}`)),
          ratio(ours, cell(`kes-${k}`)?.ops_per_cpu_s),
          ratio(ours, cell("ceiling")?.ops_per_cpu_s),
          ratio(ours, cell("ceiling-compat")?.ops_per_cpu_s),
        );
      }
      lines.push(`| ${row.join(" | ")} |`);
    }
  }
  return lines;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
