/**
 * The bundled key server in multi-worker mode (`server --config FILE --workers 2`): worker processes on
 * one address, keys shared through the keystore, SIGHUP and SIGTERM reaching every worker, log stream
 * events from every worker, and the flag's errors.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http2 from "node:http2";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../scripts/testbed/env";
import { newApiKey } from "../../../scripts/testbed/kes";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../../scripts/testbed/process";
import { Client } from "./server-helpers";

const BUNDLE = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");
const WORKERS = 2;
let dir: string;
let port: number;
let proc: ManagedProcess;
let caPem: string;
const admin = newApiKey();
const user = newApiKey();

const config = (userPolicy: boolean) =>
  [
    "version: v1",
    `address: 127.0.0.1:${port}`,
    "admin:",
    `  identity: ${admin.identity}`,
    "tls:",
    `  key: ${path.join(dir, "server.key")}`,
    `  cert: ${path.join(dir, "server.crt")}`,
    ...(userPolicy
      ? [
          "policy:",
          "  users:",
          "    allow: [/v1/key/generate/*]",
          "    identities:",
          `      - ${user.identity}`,
        ]
      : []),
    "keystore:",
    "  fs:",
    `    path: ${path.join(dir, "keys")}`,
    "",
  ].join("\n");

/** Children of `pid` (the workers), from /proc. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1].split(" ")[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** True while `pid` runs (a zombie left to a PID 1 that does not reap counts as stopped). */
function isRunning(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1][0] !== "Z";
  } catch {
    return false;
  }
}

/** Runs `fn` on `n` fresh connections (cluster hands connections to the workers in turn). */
async function onConnections<T>(
  n: number,
  credential: typeof admin,
  fn: (c: Client, i: number) => Promise<T>,
) {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const c = new Client(port, caPem, credential);
    try {
      out.push(await fn(c, i));
    } finally {
      await c.close();
    }
  }
  return out;
}

beforeAll(async () => {
  // Built once per run by scripts/test.sh (server-process.test.ts checks the build itself).
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build:runtime`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-workers-"));
  port = await freePort();
  execFileSync(process.execPath, [
    BUNDLE,
    "identity",
    "new",
    "--key",
    path.join(dir, "server.key"),
    "--cert",
    path.join(dir, "server.crt"),
    "--ip",
    "127.0.0.1",
    "--dns",
    "localhost",
    "localhost",
  ]);
  caPem = fs.readFileSync(path.join(dir, "server.crt"), "utf8");
  fs.writeFileSync(path.join(dir, "config.yml"), config(false));
  proc = startProcess("keyserver --workers", process.execPath, [
    BUNDLE,
    "server",
    "--config",
    path.join(dir, "config.yml"),
    "--workers",
    String(WORKERS),
  ]);
  await waitUntil("workers started", async () => proc.output().includes('"msg":"workers started"'), {
    proc,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
}, 60_000);

afterAll(async () => {
  await proc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("server --workers 2", () => {
  test("GIVEN --workers 2 WHEN started THEN two worker processes serve, each logging its start", () => {
    expect(childrenOf(proc.pid)).toHaveLength(WORKERS);
    expect(proc.output().split('"msg":"server started"')).toHaveLength(WORKERS + 1);
  });

  test("GIVEN a key created through one connection WHEN used through other connections THEN every worker serves it", async () => {
    await onConnections(1, admin, async (c) =>
      expect((await c.request("POST", "/v1/key/create/shared")).status).toBe(200),
    );
    const statuses = await onConnections(2 * WORKERS, admin, async (c) => {
      const g = await c.request("POST", "/v1/key/generate/shared", {});
      const d = await c.request("POST", "/v1/key/decrypt/shared", { ciphertext: g.json().ciphertext });
      return [g.status, d.status, d.json().plaintext === g.json().plaintext];
    });
    expect(statuses).toEqual(Array.from({ length: 2 * WORKERS }, () => [200, 200, true]));
  });

  test("GIVEN an audit stream on one worker WHEN requests arrive at every worker THEN the stream carries all of them", async () => {
    const sub = new Client(port, caPem, admin);
    try {
      const stream = sub.session.request({ ":method": "GET", ":path": "/v1/log/audit" });
      let text = "";
      stream.on("data", (c: Buffer) => (text += c.toString("utf8")));
      await new Promise((resolve) => stream.once("response", resolve));
      // let the other workers learn about the new stream client
      await new Promise((resolve) => setTimeout(resolve, 300));
      const names = Array.from({ length: 2 * WORKERS }, (_, i) => `audited-${i}`);
      await onConnections(names.length, admin, async (c, i) =>
        expect((await c.request("POST", `/v1/key/create/${names[i]}`)).status).toBe(200),
      );
      await waitUntil("audit events", async () => names.every((n) => text.includes(`/v1/key/create/${n}"`)), {
        timeoutMs: 5000,
        intervalMs: 50,
      });
      const paths = text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).request.path as string);
      expect(paths.filter((p) => p.startsWith("/v1/key/create/audited-")).sort()).toEqual(
        names.map((n) => `/v1/key/create/${n}`).sort(),
      );
      stream.close(http2.constants.NGHTTP2_CANCEL);
    } finally {
      await sub.close();
    }
  });

  test("GIVEN a policy added to the file WHEN SIGHUP is sent to the primary THEN every worker reloads and allows it", async () => {
    const before = await onConnections(
      1,
      user,
      async (c) => (await c.request("POST", "/v1/key/generate/shared", {})).status,
    );
    expect(before).toEqual([403]);
    fs.writeFileSync(path.join(dir, "config.yml"), config(true));
    process.kill(proc.pid, "SIGHUP");
    await waitUntil(
      "every worker reloaded",
      async () => proc.output().split('"msg":"config reloaded"').length === WORKERS + 1,
      { proc, timeoutMs: 10_000, intervalMs: 100 },
    );
    const after = await onConnections(2 * WORKERS, user, async (c) => {
      return (await c.request("POST", "/v1/key/generate/shared", {})).status;
    });
    expect(after).toEqual(Array.from({ length: 2 * WORKERS }, () => 200));
  });

  test("GIVEN running workers WHEN SIGTERM is sent to the primary THEN every worker stops and the primary exits 0", async () => {
    const workers = childrenOf(proc.pid);
    const exited = new Promise<void>((resolve) => {
      const t = setInterval(() => proc.exited() && (clearInterval(t), resolve()), 50);
    });
    process.kill(proc.pid, "SIGTERM");
    await exited;
    expect(proc.output().split('"msg":"server stopped"')).toHaveLength(WORKERS + 1);
    expect(workers.filter(isRunning)).toEqual([]);
  });
});

describe("--workers errors", () => {
  test("fails when --workers is not a whole number: exit 2 naming the value", () => {
    const r = spawnSync(process.execPath, [BUNDLE, "server", "--config", "x.yml", "--workers", "two"], {
      encoding: "utf8",
    });
    expect([r.status, r.stderr.split("\n")[0]]).toEqual([
      2,
      'error: server: --workers "two" must be a whole number from 1 to 64, e.g. --workers 2',
    ]);
  });

  test("fails when --workers is combined with --dev: exit 2", () => {
    const r = spawnSync(process.execPath, [BUNDLE, "server", "--dev", "--workers", "2"], {
      encoding: "utf8",
    });
    expect([r.status, r.stderr.split("\n")[0]]).toEqual([
      2,
      "error: server: --workers applies to --config only: --dev makes a random admin key per process",
    ]);
  });
});
