// A whole two-tenant stack (Vault half + Kubernetes half) applied for real: one `cdktf deploy` against a real
// OpenBao and a real Kubernetes control plane (etcd, kube-apiserver with Pod Security admission,
// controller-manager, scheduler; nodes simulated by kwok). Objects are read back from the API server, the
// rollouts complete, a second plan has no changes, Pod Security "restricted" admits the tenant's pods and
// refuses a weakened copy, a config change of one tenant rolls only that tenant's Deployment, and a destroy
// leaves nothing behind in Kubernetes or Vault.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { cdktfDeploy, cdktfDestroy } from "../../../scripts/local/cdktf";
import { loadTestbedEnv, REPO_ROOT, testbedBinary, testbedProcessEnv } from "../../../scripts/testbed/env";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { waitUntil } from "../../../scripts/testbed/process";

const run = promisify(execFile);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("a tenants stack deployed against a real control plane and OpenBao", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let work: string;
  let env: Record<string, string>;
  let tenantsFile: string;
  /**
   * The tenants file; `paymentsDnsName` changes payments' key server certificate (a SAN), hence its Secret and
   * pod template, and nothing of MinIO. (A change that also updates MinIO's StatefulSet in place makes this
   * provider build fail the apply with "Missing Resource Identity After Update": see docs/kubernetes.md.)
   */
  const writeTenants = (paymentsDnsName: string) =>
    fs.writeFileSync(
      tenantsFile,
      [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 1, versionOverride: "1.14.0" }`,
        "isolation: prefix",
        "stackPerTenant: false",
        "tenants:",
        "  - name: payments",
        `    keyServer: { replicas: 2, networkPolicy: true, extraDnsNames: [${paymentsDnsName}] }`,
        "    minio: { replicas: 2, storage: 1Gi }",
        "  - name: analytics",
        "    keyServer: { replicas: 1 }",
        "    minio: { replicas: 1, storage: 1Gi }",
        "",
      ].join("\n"),
    );
  const keyServerReplicaSets = async (ns: string) =>
    (
      (
        await get(
          `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app.kubernetes.io%2Fname%3Dkeyserver`,
        )
      ).items as Json[]
    )
      .map((r) => r.metadata.name as string)
      .sort();
  const outdir = () => path.join(work, "cdktf.out");

  const get = async (apiPath: string): Promise<Json> => {
    const r = await kube.request("GET", apiPath);
    if (r.status !== 200) throw new Error(`GET ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Json;
  };

  beforeAll(async () => {
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 2 });
    console.info(`control plane ready in ${kube.startMs} ms`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-cp-tenant-"));
    tenantsFile = path.join(work, "tenants.yaml");
    writeTenants("keys.payments.example");
    env = {
      ...bao.env,
      ...kube.env,
      KVK_TENANTS_FILE: tenantsFile,
      KVK_STATE_DIR: path.join(work, "state"),
      KVK_PROVIDER_VERSIONS: JSON.stringify(loadTestbedEnv().providerVersions),
    };
    fs.mkdirSync(env.KVK_STATE_DIR, { mode: 0o700 });
  });

  afterAll(async () => {
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the tenants stack WHEN deployed with cdktf THEN the apply completes, rollouts included", async () => {
    const t0 = Date.now();
    const log = await cdktfDeploy({
      stacks: ["tenants"],
      outdir: outdir(),
      outputsFile: path.join(work, "out.json"),
      env,
    });
    console.info(`deploy of two tenants (Vault + Kubernetes): ${Date.now() - t0} ms`);
    expect(log).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
  });

  test("GIVEN the deployed tenant WHEN its namespace is read back THEN it enforces pod security restricted", async () => {
    const ns = await get("/api/v1/namespaces/payments");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  test("GIVEN the deployed tenant WHEN its workloads are read back THEN both replicas of the key server and of MinIO are ready", async () => {
    const dep = await get("/apis/apps/v1/namespaces/payments/deployments/keyserver");
    expect(dep.status.readyReplicas).toBe(2);
    expect(dep.status.updatedReplicas).toBe(2);
    const sts = await get("/apis/apps/v1/namespaces/payments/statefulsets/minio");
    expect(sts.status.readyReplicas).toBe(2);
    const pods = (await get("/api/v1/namespaces/payments/pods")).items as Json[];
    expect(pods).toHaveLength(4);
    for (const p of pods) {
      expect(p.status.phase).toBe("Running");
      expect(p.spec.nodeName).toMatch(/^kwok-node-/);
    }
    const claims = (await get("/api/v1/namespaces/payments/persistentvolumeclaims")).items as Json[];
    expect(claims.map((c) => c.status.phase)).toEqual(["Bound", "Bound"]);
  });

  test("GIVEN the deployed tenant WHEN the key server objects are read back THEN they carry the declared fields", async () => {
    const dep = await get("/apis/apps/v1/namespaces/payments/deployments/keyserver");
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(["node"]);
    expect(c.args).toEqual([
      "/opt/keyserver/keyserver.cjs",
      "server",
      "--config",
      "/etc/keyserver/config/config.yaml",
    ]);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.serviceAccountName).toBe("keyserver");
    const cm = await get("/api/v1/namespaces/payments/configmaps/keyserver");
    expect(cm.data["config.yaml"]).toContain(`endpoint: ${bao.addr}`);
    expect(cm.data["config.yaml"]).toContain("prefix: payments");
    expect(cm.data["keyserver.cjs"]).toBe(
      fs.readFileSync(path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs"), "utf8"),
    );
    const secret = await get("/api/v1/namespaces/payments/secrets/keyserver");
    expect(Object.keys(secret.data).sort()).toEqual(
      ["ca.crt", "minio.crt", "tls.crt", "tls.key", "vault-role-id", "vault-secret-id"].sort(),
    );
    const svc = await get("/api/v1/namespaces/payments/services/keyserver");
    expect(svc.spec.ports[0].port).toBe(7373);
    const np = await get("/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/keyserver");
    expect(np.spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/name"]).toBe("minio");
  });

  test("GIVEN the deployed tenant WHEN Vault is read THEN its policy and AppRole role exist", async () => {
    const roles = await bao.request("LIST", "auth/approle/role");
    expect(roles.body.data.keys).toEqual(expect.arrayContaining([expect.stringContaining("payments")]));
  });

  test("GIVEN the deployed tenant WHEN planned again THEN terraform reports no changes", async () => {
    const dir = path.join(outdir(), "stacks", "tenants");
    const r = await run(
      testbedBinary("terraform"),
      ["plan", "-detailed-exitcode", "-input=false", "-no-color"],
      {
        cwd: dir,
        env: testbedProcessEnv(env),
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((e: { code?: number; stdout?: string }) => ({ failed: e.code, stdout: e.stdout ?? "" }));
    // -detailed-exitcode: 0 no changes, 2 changes, 1 error (execFile rejects on 1 and 2).
    expect("failed" in r ? `exit ${r.failed}\n${r.stdout.slice(-4000)}` : "no changes").toBe("no changes");
  });

  test("GIVEN the key server's real pod spec weakened to allow privilege escalation WHEN created THEN pod security restricted refuses it", async () => {
    const dep = await get("/apis/apps/v1/namespaces/payments/deployments/keyserver");
    const spec = JSON.parse(JSON.stringify(dep.spec.template.spec)) as Json;
    spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const r = await kube.request("POST", "/api/v1/namespaces/payments/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "weakened", namespace: "payments" },
      spec,
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toContain(
      'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
    );
  });

  test("GIVEN the key server's real pod spec unchanged WHEN created as a pod THEN it is admitted (dry run)", async () => {
    const dep = await get("/apis/apps/v1/namespaces/payments/deployments/keyserver");
    const r = await kube.request("POST", "/api/v1/namespaces/payments/pods?dryRun=All", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "unchanged", namespace: "payments" },
      spec: dep.spec.template.spec,
    });
    expect(r.status).toBe(201);
  });

  test("GIVEN payments' key server certificate changed WHEN deployed again THEN only payments' Deployment rolls to a new ReplicaSet", async () => {
    const before = {
      payments: await keyServerReplicaSets("payments"),
      analytics: await keyServerReplicaSets("analytics"),
    };
    expect(before.payments).toHaveLength(1);
    writeTenants("keys-v2.payments.example");
    const t0 = Date.now();
    await cdktfDeploy({
      stacks: ["tenants"],
      outdir: outdir(),
      outputsFile: path.join(work, "out.json"),
      env,
    });
    console.info(`redeploy with one tenant's certificate changed: ${Date.now() - t0} ms`);
    const after = {
      payments: await keyServerReplicaSets("payments"),
      analytics: await keyServerReplicaSets("analytics"),
    };
    expect(after.payments).toHaveLength(2);
    expect(after.payments).toEqual(expect.arrayContaining(before.payments));
    expect(after.analytics).toEqual(before.analytics);
    const dep = await get("/apis/apps/v1/namespaces/payments/deployments/keyserver");
    expect(dep.status).toMatchObject({ updatedReplicas: 2, readyReplicas: 2, replicas: 2 });
    const secret = await get("/api/v1/namespaces/payments/secrets/keyserver");
    const cert = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64"));
    expect(cert.subjectAltName).toContain("DNS:keys-v2.payments.example");
  });

  test("GIVEN the deployed tenants WHEN destroyed with cdktf THEN nothing of them is left in Kubernetes or Vault", async () => {
    const t0 = Date.now();
    await cdktfDestroy({ stacks: ["tenants"], outdir: outdir(), env });
    console.info(`destroy of two tenants (Vault + Kubernetes): ${Date.now() - t0} ms`);
    for (const ns of ["payments", "analytics"]) {
      expect((await kube.request("GET", `/api/v1/namespaces/${ns}`)).status).toBe(404);
    }
    // Released volumes are deleted by the controller-manager (reclaim policy Delete).
    await waitUntil(
      "persistent volumes deleted",
      async () => ((await get("/api/v1/persistentvolumes")).items as Json[]).length === 0,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const roles = await bao.request("LIST", "auth/approle/role");
    expect(roles.status === 404 || !/payments|analytics/.test(JSON.stringify(roles.body))).toBe(true);
    const policies = await bao.request("LIST", "sys/policies/acl");
    expect((policies.body.data.keys as string[]).filter((k) => /payments|analytics/.test(k))).toEqual([]);
  });
});
