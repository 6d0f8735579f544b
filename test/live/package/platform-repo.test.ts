/**
 * The kit as a platform repo gets it: `npm pack` (its prepack build runs in a copy of the sources, so the
 * repository's lib/ and bundle are left alone), the tarball installed into a temporary copy of
 * examples/platform-repo with everything else from the npm registry (no path back to this repository's sources
 * or node_modules), `cdktf synth` there, then `cdktf deploy` of its Vault-only stack against the test bed's
 * OpenBao, a login with the AppRole credentials it created, and the installed key server bundle run with them.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadTestbedEnv, REPO_ROOT, testbedProcessEnv } from "../../../scripts/testbed/env";
import { newApiKey } from "../../../scripts/testbed/kes";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { freePort, startProcess, waitUntil } from "../../../scripts/testbed/process";
import { Client } from "../runtime/server-helpers";

const run = promisify(execFile);
const EXAMPLE = path.join(REPO_ROOT, "examples", "platform-repo");
/** What `npm pack` needs to build the package. */
const PACKAGE_SOURCES = [
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "constructs",
  "runtime",
  "scripts/build-runtime.mjs",
  // The doctor CLI (the package's bin) and the modules it shares with stacks/ and scripts/.
  "doctor",
  "shared",
];

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const r = await run(cmd, args, { cwd, env, timeout: 480_000, maxBuffer: 64 * 1024 * 1024 });
    return r.stdout + r.stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** The environment without what ties a child to this repository (npm's per-run variables, ts-node settings). */
function isolatedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = testbedProcessEnv(extra);
  for (const key of Object.keys(env)) {
    if (/^(npm_|TS_NODE_|NODE_PATH$|INIT_CWD$)/i.test(key)) delete env[key];
  }
  return env;
}

describe("the packed kit in a platform repo", () => {
  let bao: OpenBaoServer;
  let work: string;
  let app: string;
  let tarball: string;
  let outputs: Record<string, string>;
  let checks: {
    refused: string[];
    policyHcl: string;
    bundleFile: string;
    keyServerReplicas: number;
    bundleShipped: boolean;
    manifests: string[];
  };

  beforeAll(async () => {
    bao = await startOpenBao();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-platform-repo-"));

    // GIVEN the kit packed from a copy of its sources (the build tools come from the repository)
    const src = path.join(work, "kit");
    for (const entry of PACKAGE_SOURCES) {
      fs.cpSync(path.join(REPO_ROOT, entry), path.join(src, entry), {
        recursive: true,
        filter: (p) => !/[/\\](dist|node_modules)([/\\]|$)/.test(path.relative(REPO_ROOT, p)),
      });
    }
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(src, "node_modules"));
    await sh("npm", ["pack", "--pack-destination", work], src, { ...process.env, CI: "1" });
    const packed = fs.readdirSync(work).filter((f) => f.endsWith(".tgz"));
    expect(packed).toHaveLength(1);
    tarball = path.join(work, packed[0]);

    // AND a copy of examples/platform-repo that depends on the tarball, installed from the registry
    app = path.join(work, "platform-repo");
    fs.cpSync(EXAMPLE, app, {
      recursive: true,
      filter: (p) =>
        !/[/\\](node_modules|cdktf\.out)([/\\]|$)|\.tgz$|tfstate/.test(path.relative(EXAMPLE, p)),
    });
    fs.copyFileSync(tarball, path.join(app, "kes-vault-kit.tgz"));
    const env = isolatedEnv({
      ...bao.env,
      CI: "1",
      VAULT_VERSION_OVERRIDE: "1.14.0",
      PROVIDER_VERSIONS: loadTestbedEnv().vars.KVK_PROVIDER_VERSIONS ?? "{}",
    });
    await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app, env);

    // WHEN it is synthesized, its Vault-only stack deployed, and the installed package used directly
    const cdktf = path.join(app, "node_modules", ".bin", "cdktf");
    await sh(cdktf, ["synth"], app, env);
    await sh(
      cdktf,
      ["deploy", "platform-vault", "--skip-synth", "--auto-approve", "--skip-provider-lock"],
      app,
      env,
    );
    const stackDir = path.join(app, "cdktf.out", "stacks", "platform-vault");
    const tf = loadTestbedEnv().vars.TERRAFORM_BINARY_NAME;
    const out = JSON.parse(
      await run(tf, [`-chdir=${stackDir}`, "output", "-json"], { env }).then((r) => r.stdout),
    );
    outputs = Object.fromEntries(
      Object.entries(out).map(([k, v]) => [k, String((v as { value: unknown }).value)]),
    );
    const check = path.join(app, "check-installed.js");
    fs.copyFileSync(path.join(__dirname, "fixtures", "check-installed.js"), check);
    checks = JSON.parse((await run(process.execPath, [check], { cwd: app, env })).stdout);
  }, 600_000);

  afterAll(async () => {
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the installed package WHEN it is resolved THEN it comes from the tarball, not from this repository", () => {
    const installed = fs.realpathSync(path.join(app, "node_modules", "kes-vault-kit"));
    expect(installed.startsWith(app)).toBe(true);
    expect(checks.bundleFile).toBe(path.join(installed, "runtime", "dist", "keyserver.cjs"));
    expect(fs.existsSync(path.join(installed, "constructs"))).toBe(false);
    expect(fs.existsSync(path.join(installed, "lib", "constructs", "index.d.ts"))).toBe(true);
  });

  test("GIVEN the installed package WHEN its bin runs `doctor --help` THEN the doctor CLI answers from the tarball", async () => {
    const bin = path.join(app, "node_modules", ".bin", "kes-vault-kit");
    expect(fs.realpathSync(bin)).toBe(
      path.join(fs.realpathSync(path.join(app, "node_modules", "kes-vault-kit")), "lib", "doctor", "cli.js"),
    );
    const { stdout } = await run(bin, ["doctor", "--help"], { cwd: app });
    expect(stdout).toContain("usage: kes-vault-kit doctor --tenants FILE --outputs FILE");
    const missing = await run(bin, ["doctor", "--tenants", "t.yaml"], { cwd: app }).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --outputs");
  });

  test("GIVEN kes-vault-kit/spec WHEN it is loaded with cdktf unresolvable THEN it renders the policy", () => {
    expect(checks.refused).toEqual([]);
    expect(checks.policyHcl).toContain('path "kv/payments/*"');
  });

  test("GIVEN the synthesized tenant WHEN read with kes-vault-kit/testing THEN the key server ships the packaged bundle", () => {
    expect(checks.bundleShipped).toBe(true);
    expect(checks.keyServerReplicas).toBe(3);
    expect(checks.manifests).toEqual(expect.arrayContaining(["Deployment", "StatefulSet", "ConfigMap"]));
  });

  test("GIVEN the deployed stack WHEN OpenBao is asked THEN each team's policy and AppRole role exist", async () => {
    for (const team of ["payments", "analytics"]) {
      const policy = await bao.request("GET", `sys/policies/acl/${outputs[`${team}_policy_name`]}`);
      expect(policy.status).toBe(200);
      expect(policy.body.data.policy).toContain(`kv/${team}/*`);
    }
    const roles = await bao.request("LIST", "auth/approle/role");
    expect(roles.body.data.keys).toHaveLength(2);
  });

  test("GIVEN the generated AppRole credentials WHEN the key server's login is made THEN it may write keys under its prefix only", async () => {
    const login = await fetch(`${bao.addr}/v1/auth/approle/login`, {
      method: "POST",
      body: JSON.stringify({ role_id: outputs.payments_role_id, secret_id: outputs.payments_secret_id }),
    });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { auth: { client_token: string } }).auth.client_token;
    const as = { token };

    const write = await bao.request(
      "PUT",
      `${outputs.payments_key_prefix}platform-key`,
      { bytes: "AA==" },
      as,
    );
    expect(write.status).toBe(204);
    const read = await bao.request("GET", `${outputs.payments_key_prefix}platform-key`, undefined, as);
    expect(read.body.data).toEqual({ bytes: "AA==" });
    const neighbour = await bao.request("PUT", "kv/analytics/platform-key", { bytes: "AA==" }, as);
    expect(neighbour.status).toBe(403);
  });

  test("GIVEN the installed bundle and the generated credentials WHEN the key server runs THEN it creates a key in Vault under the prefix", async () => {
    const bundle = checks.bundleFile;
    const dir = path.join(work, "keyserver");
    fs.mkdirSync(dir);
    const port = await freePort();
    const admin = newApiKey();
    const identity = ["identity", "new", "--key", `${dir}/server.key`, "--cert", `${dir}/server.crt`];
    await run(process.execPath, [bundle, ...identity, "--ip", "127.0.0.1", "localhost"]);
    const config = [
      "version: v1",
      `address: 127.0.0.1:${port}`,
      `admin: { identity: ${admin.identity} }`,
      `tls: { key: ${dir}/server.key, cert: ${dir}/server.crt }`,
      "keystore:",
      "  vault:",
      `    endpoint: ${bao.addr}`,
      "    engine: kv",
      "    version: v1",
      "    prefix: payments",
      "    approle:",
      "      id: ${ROLE_ID}",
      "      secret: ${SECRET_ID}",
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "config.yml"), config);
    const server = startProcess(
      "installed keyserver",
      process.execPath,
      [bundle, "server", "--config", `${dir}/config.yml`],
      {
        env: { ...process.env, ROLE_ID: outputs.payments_role_id, SECRET_ID: outputs.payments_secret_id },
      },
    );
    const client = () => new Client(port, fs.readFileSync(`${dir}/server.crt`, "utf8"), admin);
    try {
      await waitUntil(
        "installed key server",
        async () => server.output().includes('"msg":"server started"'),
        {
          proc: server,
          timeoutMs: 30_000,
        },
      );
      const c = client();
      try {
        expect((await c.request("POST", "/v1/key/create/platform-server-key")).status).toBe(200);
      } finally {
        await c.close();
      }
      const stored = await bao.request("GET", "kv/payments/platform-server-key");
      expect(stored.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
