import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, testbedProcessEnv } from "../../../scripts/testbed/env";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";

const execFileAsync = promisify(execFile);

describe("cdktf deploy with the vault provider from the mirror", () => {
  let bao: OpenBaoServer;
  let work: string;
  let deployOutput = "";
  const policyName = "smoke-kes";
  const policyText = 'path "kv/smoke/*" {\n  capabilities = ["create", "read", "delete"]\n}\n';

  beforeAll(async () => {
    bao = await startOpenBao();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-smoke-"));
    const register = path.join(REPO_ROOT, "node_modules", "ts-node", "register", "transpile-only");
    const app = path.join(__dirname, "fixtures", "policy-app.ts");
    fs.writeFileSync(
      path.join(work, "cdktf.json"),
      JSON.stringify({ language: "typescript", app: `node --require ${register} ${app}`, sendCrashReports: false }),
    );
    const env = testbedProcessEnv({
      ...bao.env,
      CI: "1",
      TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
      SMOKE_STATE_FILE: path.join(work, "smoke.tfstate"),
      SMOKE_POLICY_NAME: policyName,
      SMOKE_POLICY_TEXT: policyText,
    });
    const cdktf = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
    try {
      const res = await execFileAsync(cdktf, ["deploy", "smoke", "--auto-approve", "--skip-provider-lock"], {
        cwd: work,
        env,
        timeout: 480_000,
        maxBuffer: 32 * 1024 * 1024,
      });
      deployOutput = res.stdout + res.stderr;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`cdktf deploy failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    }
  }, 600_000);

  afterAll(async () => {
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN a deployed stack WHEN the policy is read through the Vault API THEN it has the same text", async () => {
    const res = await bao.request("GET", `sys/policies/acl/${policyName}`);
    expect(res.status).toBe(200);
    expect(res.body.data.policy).toBe(policyText);
  });

  test("GIVEN the deploy WHEN its output is read THEN terraform created exactly one resource", () => {
    expect(deployOutput).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed/);
  });

  test("GIVEN the synthesized stack WHEN it is searched THEN the Vault token is not in it", () => {
    const synthesized = fs.readFileSync(path.join(work, "cdktf.out", "stacks", "smoke", "cdk.tf.json"), "utf8");
    expect(synthesized).toContain(policyName);
    expect(synthesized).not.toContain(bao.rootToken);
  });

  test("GIVEN the lock file terraform wrote WHEN it is read THEN the provider came from the mirror at its exact version", () => {
    const lock = fs.readFileSync(path.join(work, "cdktf.out", "stacks", "smoke", ".terraform.lock.hcl"), "utf8");
    const version = JSON.parse(testbedProcessEnv().KVK_PROVIDER_VERSIONS ?? "{}").vault;
    expect(lock).toContain(`provider "registry.terraform.io/hashicorp/vault"`);
    expect(lock).toContain(`version     = "${version}"`);
  });
});
