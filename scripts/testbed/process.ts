import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";

/** A child process started by a test or script, stopped by its own pid. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr interleaved), for error messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();
process.once("exit", () => {
  for (const p of running) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Keep at most this many characters of output. @default 200000 */
  readonly maxOutput?: number;
}

/** Starts a process with piped output; it is killed when the current Node process exits. */
export function startProcess(name: string, command: string, args: readonly string[], opts: StartOptions = {}): ManagedProcess {
  const child: ChildProcess = spawn(command, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${command}`);
  }
  const max = opts.maxOutput ?? 200_000;
  let out = "";
  const append = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    if (out.length > max) out = out.slice(out.length - max);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let done = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((done = true), resolve())));
  child.once("error", (err) => {
    out += `\n[spawn error] ${err.message}`;
    done = true;
  });
  const managed: ManagedProcess = {
    name,
    pid: child.pid,
    output: () => out,
    exited: () => done,
    async stop(graceMs = 5000) {
      running.delete(managed);
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => !done && child.kill("SIGKILL"), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(managed);
  return managed;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns true.
 * @throws Error with `what`, the time waited and the process output when it times out or the process exits.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; proc?: ManagedProcess } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const start = Date.now();
  for (;;) {
    if (opts.proc?.exited()) {
      throw new Error(`${what}: ${opts.proc.name} exited early; its output:\n${opts.proc.output()}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() - start > timeoutMs) {
      const tail = opts.proc ? `; output of ${opts.proc.name}:\n${opts.proc.output().slice(-4000)}` : "";
      throw new Error(`${what}: not ready after ${timeoutMs} ms${tail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
