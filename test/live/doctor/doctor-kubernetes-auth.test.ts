// The doctor's Kubernetes-auth login: a tenant whose key server logs in with its service account (the
// fixture app of test/live/kubernetes, deployed by one `cdktf deploy` against OpenBao and the test-bed control
// plane). The doctor gets the pod's projected token as the kubelet does (a TokenRequest for the pod's service
// account and audience) and logs in with it: steps 1 and 2 pass; no key server process runs here, so step 3
// fails on the Service address (mapped to a loopback port where nothing listens).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { cdktfDeploy } from "../../../scripts/local/cdktf";
import { loadTestbedEnv, REPO_ROOT } from "../../../scripts/testbed/env";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { freePort } from "../../../scripts/testbed/process";

const run = promisify(execFile);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("kes-vault-kit doctor on a tenant with Vault Kubernetes auth", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let work: string;

  beforeAll(async () => {
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 1 });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-doctor-kauth-"));
    const caFile = path.join(work, "kube-ca.crt");
    fs.writeFileSync(caFile, kube.caPem);
    fs.mkdirSync(path.join(work, "state"), { mode: 0o700 });
    const register = path.join(REPO_ROOT, "node_modules", "ts-node", "register", "transpile-only");
    await cdktfDeploy({
      stacks: ["kauth"],
      outdir: path.join(work, "cdktf.out"),
      outputsFile: path.join(work, "outputs.json"),
      app: `node --require ${register} ${path.join(REPO_ROOT, "test", "live", "kubernetes", "fixtures", "tenant-app.ts")}`,
      env: {
        ...bao.env,
        ...kube.env,
        TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
        KVK_PROVIDER_VERSIONS: JSON.stringify(loadTestbedEnv().providerVersions),
        KVK_FIXTURE_TENANT: JSON.stringify({
          stackId: "kauth",
          tenantName: "payments",
          vaultEndpoint: bao.addr,
          kubernetesHost: kube.server,
          kubernetesCaFile: caFile,
          stateDir: path.join(work, "state"),
        }),
      },
    });
    // The same tenant as a tenants file says it (prefix isolation, K/V v1): what the doctor expects.
    fs.writeFileSync(
      path.join(work, "tenants.yaml"),
      [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 1 }`,
        "isolation: prefix",
        "tenants:",
        "  - name: payments",
        "",
      ].join("\n"),
    );
  }, 600_000);

  afterAll(async () => {
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the deployed tenant WHEN the doctor runs THEN it logs in with the pod's projected token, the policy matches, and step 3 finds no key server", async () => {
    const nobody = await freePort();
    const res = await run(
      process.execPath,
      [
        "--require",
        "ts-node/register/transpile-only",
        path.join("doctor", "cli.ts"),
        "doctor",
        "--json",
        "--tenants",
        path.join(work, "tenants.yaml"),
        "--outputs",
        path.join(work, "outputs.json"),
        "--kubeconfig",
        kube.kubeconfigPath,
        "--connect-to",
        `keyserver.payments.svc.cluster.local:7373=127.0.0.1:${nobody}`,
      ],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", VAULT_TOKEN: bao.rootToken },
        timeout: 120_000,
      },
    ).then(
      () => {
        throw new Error("the doctor passed, but no key server runs");
      },
      (e: { code?: number; stdout?: string; stderr?: string }) => e,
    );
    expect(res.code).toBe(1);
    expect(res.stdout).not.toContain(bao.rootToken);
    expect(res.stdout).not.toContain(kube.adminToken);
    expect(res.stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no service-account token (a JWT)
    const steps = (JSON.parse(res.stdout ?? "{}").tenants[0].steps as Json[]).map((s) => [
      s.status,
      s.detail,
    ]);
    expect(steps.map(([s]) => s)).toEqual(["ok", "ok", "failed", "skipped", "skipped"]);
    expect(steps[0][1]).toMatch(
      /^Vault \S+ at http:\/\/127\.0\.0\.1:\d+ unsealed; Kubernetes auth kubernetes role \S+ ok \(policies: kes-kv-payments;/,
    );
    expect(steps[1][1]).toMatch(/4 needed path\(s\) allowed, 4 denied as expected/);
    expect(steps[2][1]).toMatch(
      /^key server https:\/\/keyserver\.payments\.svc\.cluster\.local:7373 is not reachable: .*ECONNREFUSED/,
    );
  });
});
