/**
 * The bundled key server as a process: `node runtime/dist/keyserver.cjs` with --dev and with --config
 * (fs keystore, identities from certificate files and API keys), SIGHUP reload, SIGTERM shutdown, config
 * errors, and the identity CLI cross-checked against real `kes` and `openssl`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import { testbedBinary } from "../../../scripts/testbed/env";
import { apiKeyCertificate, newApiKey, parseApiKey } from "../../../scripts/testbed/kes";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../../scripts/testbed/process";
import { REPO_ROOT } from "../../../scripts/testbed/env";
import { Client, kesError } from "./server-helpers";

const BUNDLE = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");
let buildOutput = "";
let dir: string;
const procs: ManagedProcess[] = [];

beforeAll(() => {
  buildOutput = execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts", "build-runtime.mjs")], {
    encoding: "utf8",
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-proc-"));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => execFileSync(process.execPath, [BUNDLE, ...args], { encoding: "utf8" });

function start(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
  const p = startProcess(name, process.execPath, [BUNDLE, ...args], { env: { ...process.env, ...env } });
  procs.push(p);
  return p;
}

// A wait, not a timing check: a fresh-clone run once saw the dev server print nothing for 20 s while the
// reliability tests loaded both cores, so up to a minute (it starts in well under a second on a quiet machine).
async function until(what: string, proc: ManagedProcess, check: () => Promise<boolean> | boolean) {
  await waitUntil(what, async () => check(), { proc, timeoutMs: 60_000, intervalMs: 100 });
}

describe("bundle", () => {
  test("GIVEN the build script WHEN run THEN one file under 1 MiB is written and its size printed", () => {
    const size = fs.statSync(BUNDLE).size;
    expect(size).toBeLessThan(1024 * 1024);
    expect(buildOutput).toContain(`runtime/dist/keyserver.cjs: ${size} bytes`);
  });
});

describe("server --dev", () => {
  test("GIVEN --dev WHEN started THEN the printed API key is the admin and SIGTERM stops it cleanly", async () => {
    const port = await freePort();
    const p = start("keyserver --dev", ["server", "--dev", "--addr", `127.0.0.1:${port}`]);
    await until("dev server banner", p, () => p.output().includes("Server is up and running"));
    const apiKey = /API Key\s+(kes:v1:\S+)/.exec(p.output())![1];
    expect(p.output().split(apiKey)).toHaveLength(2); // printed exactly once
    const ca = new Client(port, "", parseApiKey(apiKey), { rejectUnauthorized: false });
    try {
      expect((await ca.request("POST", "/v1/key/create/dev-key")).status).toBe(200);
      const j = (await ca.request("GET", "/v1/identity/self/describe")).json();
      expect([j.identity, j.admin]).toEqual([parseApiKey(apiKey).identity, true]);
      // an open log stream must not hold up the shutdown
      const stream = ca.session.request({ ":method": "GET", ":path": "/v1/log/audit" });
      await new Promise((resolve) => stream.once("response", resolve));
      const started = Date.now();
      await p.stop(10_000);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await ca.close();
    }
    expect(p.output()).toContain('"msg":"server stopped"');
  });
});

describe("server --dev --fs-path", () => {
  test("GIVEN --fs-path WHEN a key is created THEN it is written to that directory", async () => {
    const port = await freePort();
    const keys = path.join(dir, "dev-keys");
    const p = start("keyserver --dev --fs-path", [
      "server",
      "--dev",
      "--addr",
      `127.0.0.1:${port}`,
      "--fs-path",
      keys,
    ]);
    await until("dev server banner", p, () => p.output().includes("Server is up and running"));
    const apiKey = /API Key\s+(kes:v1:\S+)/.exec(p.output())![1];
    const c = new Client(port, "", parseApiKey(apiKey), { rejectUnauthorized: false });
    try {
      expect((await c.request("POST", "/v1/key/create/on-disk")).status).toBe(200);
    } finally {
      await c.close();
    }
    await p.stop();
    expect(fs.existsSync(path.join(keys, "on-disk"))).toBe(true);
  });
});

describe("server --config", () => {
  let port: number;
  let proc: ManagedProcess;
  const admin = newApiKey();
  const userB = newApiKey();
  let userA: { certPem: string; keyPem: string };
  let configFile: string;
  let caPem: string;

  const config = (policyB: boolean) =>
    [
      "version: v1",
      `address: 127.0.0.1:${port}`,
      "admin:",
      `  identity: ${admin.identity}`,
      "tls:",
      `  key: ${path.join(dir, "server.key")}`,
      `  cert: ${path.join(dir, "server.crt")}`,
      "policy:",
      "  apps:",
      "    allow: [/v1/status, /v1/key/generate/app-*]",
      "    identities:",
      `      - cert: ${path.join(dir, "a.crt")}`,
      ...(policyB
        ? ["  ops:", "    allow: [/v1/status]", "    identities:", "      - api_key: ${USER_B_KEY}"]
        : []),
      "keys:",
      "  - name: app-default",
      "log:",
      "  error: DEBUG",
      "keystore:",
      "  fs:",
      "    path: ${KEY_DIR}",
      "",
    ].join("\n");

  beforeAll(async () => {
    port = await freePort();
    cli(
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
    );
    caPem = fs.readFileSync(path.join(dir, "server.crt"), "utf8");
    userA = apiKeyCertificate(newApiKey());
    fs.writeFileSync(path.join(dir, "a.crt"), userA.certPem);
    configFile = path.join(dir, "config.yml");
    fs.writeFileSync(configFile, config(false));
    proc = start("keyserver --config", ["server", "--config", configFile], {
      KEY_DIR: path.join(dir, "keys"),
      USER_B_KEY: userB.apiKey,
    });
    await until("server on its port", proc, () => proc.output().includes('"msg":"server started"'));
  });

  test("GIVEN a predefined key WHEN the server started THEN it exists in the fs keystore with the admin as creator", async () => {
    const c = new Client(port, caPem, admin);
    try {
      const j = (await c.request("GET", "/v1/key/describe/app-default")).json();
      expect(j.created_by).toBe(admin.identity);
      expect(fs.existsSync(path.join(dir, "keys", "app-default"))).toBe(true);
    } finally {
      await c.close();
    }
  });

  test("GIVEN an identity given as a certificate file WHEN it calls an allowed path THEN the server computed its identity", async () => {
    const c = new Client(port, caPem, userA);
    try {
      expect((await c.request("POST", "/v1/key/generate/app-default", {})).status).toBe(200);
      const r = await c.request("DELETE", "/v1/key/delete/app-default");
      expect([r.status, r.body.toString()]).toEqual([
        403,
        kesError("not authorized: insufficient permissions"),
      ]);
    } finally {
      await c.close();
    }
  });

  test("GIVEN a policy added to the file WHEN SIGHUP is sent THEN the new identity (an API key from ${ENV}) is allowed", async () => {
    const status = async () => {
      const c = new Client(port, caPem, userB);
      try {
        return (await c.request("GET", "/v1/status")).status;
      } finally {
        await c.close();
      }
    };
    expect(await status()).toBe(403);
    fs.writeFileSync(configFile, config(true));
    process.kill(proc.pid, "SIGHUP");
    await until("reload", proc, () => proc.output().includes('"msg":"config reloaded"'));
    expect(await status()).toBe(200);
  });

  test("GIVEN a broken config WHEN SIGHUP is sent THEN the error is logged and the old config keeps serving", async () => {
    fs.writeFileSync(configFile, config(true).replace("tls:", "tls:\n  auth: maybe"));
    process.kill(proc.pid, "SIGHUP");
    await until("reload failure", proc, () => proc.output().includes("config reload failed"));
    expect(proc.output()).toContain('tls.auth \\"maybe\\" must be on or off');
    const c = new Client(port, caPem, admin);
    try {
      expect((await c.request("GET", "/v1/status")).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  test("GIVEN a new server certificate WHEN SIGHUP is sent THEN new connections get it", async () => {
    const before = proc.output().split('"msg":"config reloaded"').length;
    cli(
      "identity",
      "new",
      "--force",
      "--key",
      path.join(dir, "server.key"),
      "--cert",
      path.join(dir, "server.crt"),
      "--ip",
      "127.0.0.1",
      "--dns",
      "localhost",
      "renewed",
    );
    fs.writeFileSync(configFile, config(true));
    process.kill(proc.pid, "SIGHUP");
    await until("reload", proc, () => proc.output().split('"msg":"config reloaded"').length > before);
    const renewed = fs.readFileSync(path.join(dir, "server.crt"), "utf8");
    const c = new Client(port, renewed, admin);
    try {
      expect((await c.request("GET", "/v1/status")).status).toBe(200);
      expect(c.socket.getPeerX509Certificate()?.subject).toBe("CN=renewed");
    } finally {
      await c.close();
    }
    caPem = renewed;
  });

  test("GIVEN the process log WHEN read THEN no API key or key material was written", () => {
    expect(proc.output()).not.toContain(userB.apiKey);
    expect(proc.output()).not.toContain(admin.apiKey);
  });
});

describe("config errors", () => {
  test("fails when a referenced environment variable is missing: exit 1 and the field named", async () => {
    const file = path.join(dir, "bad.yml");
    fs.writeFileSync(
      file,
      "admin:\n  identity: ${NOPE_ADMIN}\ntls:\n  key: k\n  cert: c\nkeystore:\n  fs:\n    path: /tmp/x\n",
    );
    const env = { ...process.env };
    delete env.NOPE_ADMIN;
    let err: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [BUNDLE, "server", "--config", file], {
        encoding: "utf8",
        env,
        stdio: "pipe",
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(1);
    expect(err.stderr).toBe(
      `error: ${file}: admin.identity: referenced environment variable "NOPE_ADMIN" is not set: set NOPE_ADMIN or write the value into the file\n`,
    );
  });

  test("fails when no --config or --dev is given: exit 2 with usage", () => {
    let err: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [BUNDLE, "server"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(2);
    expect(err.stderr).toContain(
      "error: server: --config FILE is required (or --dev for a development server)",
    );
  });
});

describe("identity CLI against real kes and openssl", () => {
  test("GIVEN an API key WHEN `identity of` runs in both THEN ours prints what kes prints", () => {
    const key = newApiKey().apiKey;
    const theirs = execFileSync(testbedBinary("kes"), ["identity", "of", key], { encoding: "utf8" }).trim();
    expect(cli("identity", "of", key).trim()).toBe(theirs);
  });

  test("GIVEN a certificate from our `identity new` WHEN kes computes its identity THEN it matches ours", () => {
    const out = cli(
      "identity",
      "new",
      "--key",
      path.join(dir, "x.key"),
      "--cert",
      path.join(dir, "x.crt"),
      "--ip",
      "127.0.0.1",
      "--dns",
      "localhost",
      "xname",
    );
    const ours = /Your Identity: ([0-9a-f]{64})/.exec(out)![1];
    const theirs = execFileSync(testbedBinary("kes"), ["identity", "of", path.join(dir, "x.crt")], {
      encoding: "utf8",
    }).trim();
    expect(theirs).toBe(ours);
  });

  test("GIVEN a certificate from `kes identity new` WHEN ours computes its identity THEN it matches kes", () => {
    execFileSync(
      testbedBinary("kes"),
      [
        "identity",
        "new",
        "--key",
        path.join(dir, "k.key"),
        "--cert",
        path.join(dir, "k.crt"),
        "--ip",
        "127.0.0.1",
        "kname",
      ],
      { stdio: "pipe" },
    );
    const theirs = execFileSync(testbedBinary("kes"), ["identity", "of", path.join(dir, "k.crt")], {
      encoding: "utf8",
    }).trim();
    expect(cli("identity", "of", path.join(dir, "k.crt")).trim()).toBe(theirs);
  });

  test("GIVEN our certificate WHEN openssl prints it THEN the fields are the ones we encoded", () => {
    const text = execFileSync("openssl", ["x509", "-in", path.join(dir, "x.crt"), "-noout", "-text"], {
      encoding: "utf8",
    });
    expect(text).toContain("Version: 3 (0x2)");
    expect(text).toMatch(/Signature Algorithm: ED25519/);
    expect(text).toContain("Subject: CN = xname");
    expect(text).toContain("Issuer: CN = xname");
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(
      /X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:localhost, IP Address:127.0.0.1/);
    const verify = execFileSync(
      "openssl",
      ["verify", "-CAfile", path.join(dir, "x.crt"), "-partial_chain", path.join(dir, "x.crt")],
      { encoding: "utf8" },
    );
    expect(verify.trim()).toBe(`${path.join(dir, "x.crt")}: OK`);
    expect(new X509Certificate(fs.readFileSync(path.join(dir, "x.crt"))).subject).toBe("CN=xname");
  });
});
