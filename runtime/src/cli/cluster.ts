/**
 * Multi-worker mode (`server --workers N`, N > 1): the primary process forks N workers with node:cluster;
 * each worker is a complete key server (own keystore connection and key cache, own /v1/status and
 * /v1/metrics) on the shared listening socket. The primary forwards SIGHUP (reload) and SIGTERM/SIGINT
 * (graceful stop) to every worker and relays the log streams between them (log-relay.ts). A worker that
 * exits on its own stops the whole server (exit 1), so a supervisor restarts it with every worker healthy.
 */
import cluster, { type Worker } from "node:cluster";
import { UsageError } from "./args";
import { LogHub } from "./log-relay";

/**
 * A `--workers` value (or, naming `source`, the environment variable's) as a number of worker processes.
 * @throws UsageError naming the source and the value when it is not a whole number from 1 to 64.
 */
export function parseWorkers(value: string | undefined, source = "--workers"): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 64) {
    const example = source === "--workers" ? "--workers 2" : `${source}=2`;
    throw new UsageError(`server: ${source} "${value}" must be a whole number from 1 to 64, e.g. ${example}`);
  }
  return n;
}

function log(level: string, msg: string, attrs: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...attrs })}\n`);
}

/**
 * Runs the primary: forks `workers` workers running `server <args>`, waits until every one listens, then
 * supervises them until a signal stops them.
 * @throws Error when a worker exits before it listens (its own error is on stderr); the others are stopped.
 */
export async function runPrimary(args: readonly string[], workers: number): Promise<void> {
  cluster.setupPrimary({ exec: process.argv[1], args: ["server", ...args] });
  const hub = new LogHub();
  const all = new Set<Worker>();
  let stopping = false;

  const fork = (): Worker => {
    const w = cluster.fork();
    all.add(w);
    hub.add(w.id, w);
    w.on("message", (m: unknown) => hub.receive(w.id, m));
    return w;
  };
  const signalAll = (signal: NodeJS.Signals) => {
    for (const w of all) if (!w.isDead()) w.process.kill(signal);
  };

  await new Promise<void>((resolve, reject) => {
    let listening = 0;
    for (let i = 0; i < workers; i++) {
      const w = fork();
      w.once("listening", () => {
        if (++listening === workers) resolve();
      });
      w.once("exit", (code, signal) => {
        if (listening < workers && !stopping) {
          stopping = true;
          signalAll("SIGTERM");
          reject(new Error(`server: worker ${w.id} exited (${signal ?? `code ${code}`}) before listening`));
        }
      });
    }
  });
  log("INFO", "workers started", { workers });

  const exitWhenAllDead = (code: number) => {
    const check = () => {
      if ([...all].every((w) => w.isDead())) process.exit(code);
    };
    cluster.on("exit", check);
    check();
  };
  cluster.on("exit", (w, code, signal) => {
    hub.remove(w.id);
    if (stopping) return;
    stopping = true;
    log("ERROR", "worker exited; stopping the server", { worker: w.id, code, signal });
    signalAll("SIGTERM");
    exitWhenAllDead(1);
  });
  process.on("SIGHUP", () => signalAll("SIGHUP"));
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log("INFO", "shutting down", { signal, workers: all.size });
    signalAll("SIGTERM");
    exitWhenAllDead(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
