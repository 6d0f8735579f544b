// Whole tenants files deployed for real: examples/tenants.yaml (3 tenants, prefix isolation, a stack per tenant
// plus tenant-shared) and a 2-tenant namespace-isolation file (one tenant on AppRole, one on Kubernetes login),
// each with `npm run rollout -- deploy`'s code (rolloutDeploy, one stack at a time so each stack's time is its
// own) against OpenBao and the test-bed control plane (one of each for the whole file). Every object is read
// back from the API server with its expected fields, Deployments and StatefulSets have rolled out, a second
// deploy changes nothing, and `terraform destroy` of every stack leaves no tenant object in Kubernetes or Vault.
// Deploy and destroy times per stack are printed.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, testbedBinary, testbedProcessEnv } from "../../../scripts/testbed/env";
import {
  startKubeControlPlane,
  tenantsFileKubernetesSection,
  type KubeControlPlane,
} from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { waitUntil } from "../../../scripts/testbed/process";
import { rolloutDeploy, type RolloutReport } from "../../../stacks/rollout/rollout";
import { parseTenantsFile, type TenantEntry, type TenantsFile } from "../../../shared/tenants-file";
import { kubernetesAuthPath } from "../../../shared/tenant-keystore";

jest.setTimeout(1_200_000);
const execFileAsync = promisify(execFile);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAMPLE = path.join(REPO_ROOT, "examples", "tenants.yaml");

let bao: OpenBaoServer;
let kube: KubeControlPlane;
let work: string;

beforeAll(async () => {
  bao = await startOpenBao();
  kube = await startKubeControlPlane({ nodes: 2 });
  console.info(`control plane ready in ${kube.startMs} ms`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-cp-files-"));
});

afterAll(async () => {
  await kube?.stop();
  await bao?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const get = async (apiPath: string): Promise<Json> => {
  const r = await kube.request("GET", apiPath);
  if (r.status !== 200) throw new Error(`GET ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Json;
};

/** A deployment of one tenants file: its folders, environment and what the runs measured. */
class FileDeployment {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly file: TenantsFile;
  /** Seconds per stack of the first deploy and of the destroy. */
  readonly deploySeconds = new Map<string, number>();
  readonly destroySeconds = new Map<string, number>();
  stacks: string[] = [];

  constructor(
    name: string,
    readonly tenantsFile: string,
  ) {
    this.dir = path.join(work, name);
    fs.mkdirSync(path.join(this.dir, "state"), { recursive: true, mode: 0o700 });
    this.file = parseTenantsFile(fs.readFileSync(tenantsFile, "utf8"));
    this.env = {
      ...bao.env,
      ...kube.env,
      KVK_STATE_DIR: path.join(this.dir, "state"),
      KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
    };
  }

  /** rolloutDeploy one stack at a time; the time of each stack from its "terraform apply" line to its result. */
  async deploy(): Promise<RolloutReport> {
    const began = new Map<string, number>();
    const lines: string[] = [];
    const report = await rolloutDeploy({
      tenantsFile: this.tenantsFile,
      workDir: REPO_ROOT,
      outdir: path.join(this.dir, "cdktf.out"),
      env: testbedProcessEnv(this.env),
      parallelism: 1,
      log: (line) => {
        lines.push(line);
        const m = /\] (\S+): (terraform apply|created|updated|unchanged|failed)/.exec(line);
        if (m?.[2] === "terraform apply") began.set(m[1], Date.now());
        else if (m && began.has(m[1]) && !this.deploySeconds.has(m[1]))
          this.deploySeconds.set(m[1], (Date.now() - (began.get(m[1]) as number)) / 1000);
      },
    });
    if (!report.ok) throw new Error(`rollout deploy failed:\n${lines.join("\n")}\n${report.summary}`);
    this.stacks = report.results.map((r) => r.stack);
    return report;
  }

  /** `terraform destroy` of every stack, tenant stacks first, timed per stack. */
  async destroy(): Promise<void> {
    for (const id of [...this.stacks].reverse()) {
      const t0 = Date.now();
      await execFileAsync(
        testbedBinary("terraform"),
        ["destroy", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=60s"],
        {
          cwd: path.join(this.dir, "cdktf.out", "stacks", id),
          env: testbedProcessEnv(this.env),
          maxBuffer: 64 * 1024 * 1024,
        },
      ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`terraform destroy of ${id} failed: ${e.message}\n${(e.stdout ?? "").slice(-3000)}`);
      });
      this.destroySeconds.set(id, (Date.now() - t0) / 1000);
    }
  }

  figures(): string {
    return this.stacks
      .map(
        (s) =>
          `${s}: deploy ${this.deploySeconds.get(s)?.toFixed(1)} s, destroy ${this.destroySeconds.get(s)?.toFixed(1)} s`,
      )
      .join("; ");
  }
}

/** Checks every Kubernetes object of a deployed tenant against its entry in the file. */
async function expectTenantObjects(file: TenantsFile, t: TenantEntry): Promise<void> {
  const ns = t.kubernetesNamespace;
  const namespace = await get(`/api/v1/namespaces/${ns}`);
  expect(namespace.metadata.labels).toMatchObject({
    "pod-security.kubernetes.io/enforce": "restricted",
    "app.kubernetes.io/part-of": "kes-vault-kit",
  });
  const ksReplicas = t.keyServer.replicas ?? 2;
  const minioReplicas = t.minio.replicas ?? 4;
  const dep = await get(`/apis/apps/v1/namespaces/${ns}/deployments/keyserver`);
  expect(dep.spec.replicas).toBe(ksReplicas);
  expect(dep.status).toMatchObject({ readyReplicas: ksReplicas, updatedReplicas: ksReplicas });
  const pod = dep.spec.template.spec;
  expect(pod.serviceAccountName).toBe("keyserver");
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.containers[0].securityContext).toMatchObject({
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
  });

  const sts = await get(`/apis/apps/v1/namespaces/${ns}/statefulsets/minio`);
  expect(sts.spec.replicas).toBe(minioReplicas);
  expect(sts.status).toMatchObject({ readyReplicas: minioReplicas, updatedReplicas: minioReplicas });
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(t.minio.storage ?? "10Gi");
  const env = Object.fromEntries(
    (sts.spec.template.spec.containers[0].env as Json[]).map((e) => [e.name, e.value]),
  );
  expect(env.MINIO_KMS_KES_KEY_NAME).toBe(`${t.keyNamePrefix ?? `${t.name}-`}default`);
  expect(env.MINIO_KMS_KES_ENDPOINT).toBe(
    `https://keyserver.${ns}.svc.${file.kubernetes.clusterDomain}:7373`,
  );
  expect(env.MINIO_KMS_AUTO_ENCRYPTION).toBe(t.minio.autoEncryption ? "on" : undefined);

  const pods = (await get(`/api/v1/namespaces/${ns}/pods`)).items as Json[];
  expect(pods).toHaveLength(ksReplicas + minioReplicas);
  for (const p of pods) {
    expect(p.status.phase).toBe("Running");
    expect(p.spec.nodeName).toMatch(/^kwok-node-/);
  }
  const claims = (await get(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items as Json[];
  expect(claims.map((c) => c.status.phase)).toEqual(Array(minioReplicas).fill("Bound"));

  const cm = await get(`/api/v1/namespaces/${ns}/configmaps/keyserver`);
  expect(cm.data["config.yaml"]).toContain(`endpoint: ${file.vault.endpoint}`);
  expect(cm.data["config.yaml"]).toContain(`prefix: ${t.prefix}`);
  const secret = await get(`/api/v1/namespaces/${ns}/secrets/keyserver`);
  const secretKeys = ["ca.crt", "minio.crt", "tls.crt", "tls.key"];
  expect(Object.keys(secret.data).sort()).toEqual(
    (t.login === "approle" ? [...secretKeys, "vault-role-id", "vault-secret-id"] : secretKeys).sort(),
  );
  const svc = await get(`/api/v1/namespaces/${ns}/services/keyserver`);
  expect(svc.spec.ports[0].port).toBe(7373);
  const minioSvc = await get(`/api/v1/namespaces/${ns}/services/minio`);
  expect(minioSvc.spec.ports.map((p: Json) => p.port)).toContain(9000);
  const np = await kube.request(
    "GET",
    `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/keyserver`,
  );
  expect(np.status).toBe(t.keyServer.networkPolicy ? 200 : 404);
}

/** The Vault namespace header of a tenant (namespace isolation), or none. */
const vaultNs = (file: TenantsFile, t: TenantEntry) =>
  t.vaultNamespace === undefined
    ? {}
    : {
        namespace: file.vault.parentNamespace
          ? `${file.vault.parentNamespace}/${t.vaultNamespace}`
          : t.vaultNamespace,
      };

/** Names of the ACL policies in `namespace` (root when undefined) naming a tenant of the file. */
async function tenantPolicies(file: TenantsFile, namespace?: string): Promise<string[]> {
  const r = await bao.request("LIST", "sys/policies/acl", undefined, namespace ? { namespace } : {});
  const keys = (r.body?.data?.keys ?? []) as string[];
  return keys.filter((k) =>
    file.tenants.some((t) => k.includes(t.prefix.replace(/\//g, "-")) || k.includes(t.name)),
  );
}

describe("examples/tenants.yaml deployed whole (3 tenants, prefix isolation, a stack per tenant)", () => {
  let d: FileDeployment;
  let first: RolloutReport;

  beforeAll(async () => {
    d = new FileDeployment("example", EXAMPLE);
    first = await d.deploy();
  });

  test("GIVEN the example WHEN deployed THEN tenant-shared and the three tenant stacks are created", () => {
    expect(first.results.map((r) => [r.stack, r.outcome]).sort()).toEqual([
      ["tenant-analytics", "created"],
      ["tenant-media", "created"],
      ["tenant-payments", "created"],
      ["tenant-shared", "created"],
    ]);
  });

  test("GIVEN the deployed example WHEN every tenant's objects are read back from the API server THEN they carry the file's fields and have rolled out", async () => {
    for (const t of d.file.tenants) await expectTenantObjects(d.file, t);
  });

  test("GIVEN the deployed example WHEN OpenBao is read THEN the shared mounts, and a policy and AppRole role per tenant exist", async () => {
    const mounts = (await bao.request("GET", "sys/mounts")).body.data as Json;
    expect(mounts["kv/"]?.type).toBe("kv");
    const auths = (await bao.request("GET", "sys/auth")).body.data as Json;
    expect(auths["approle/"]?.type).toBe("approle");
    const roles = ((await bao.request("LIST", "auth/approle/role")).body.data.keys as string[]).sort();
    expect(roles).toHaveLength(3);
    for (const t of ["payments", "analytics", "media-eu"])
      expect(roles.some((r) => r.includes(t))).toBe(true);
    expect(await tenantPolicies(d.file)).toHaveLength(3);
  });

  test("GIVEN the deployed example WHEN deployed again THEN no stack changes", async () => {
    const again = await d.deploy();
    expect(again.results.map((r) => [r.stack, r.outcome, r.changes])).toEqual(
      d.stacks.map((s) => [s, "unchanged", { add: 0, change: 0, remove: 0 }]),
    );
  });

  test("GIVEN the deployed example WHEN every stack is destroyed THEN no tenant object is left in Kubernetes or OpenBao", async () => {
    await d.destroy();
    console.info(`examples/tenants.yaml: ${d.figures()}`);
    for (const t of d.file.tenants)
      expect((await kube.request("GET", `/api/v1/namespaces/${t.kubernetesNamespace}`)).status).toBe(404);
    const bindings = (await get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")).items as Json[];
    expect(bindings.filter((b) => b.metadata.name.startsWith("kes-vault-kit:"))).toEqual([]);
    await waitUntil(
      "persistent volumes deleted",
      async () => ((await get("/api/v1/persistentvolumes")).items as Json[]).length === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const mounts = (await bao.request("GET", "sys/mounts")).body.data as Json;
    expect(mounts["kv/"]).toBeUndefined();
    const auths = (await bao.request("GET", "sys/auth")).body.data as Json;
    expect(Object.keys(auths).sort()).toEqual(["token/"]);
    expect(await tenantPolicies(d.file)).toEqual([]);
  });
});

describe("a 2-tenant namespace-isolation file deployed whole (one tenant on AppRole, one on Kubernetes login)", () => {
  let d: FileDeployment;
  let first: RolloutReport;

  beforeAll(async () => {
    const file = path.join(work, "namespace-tenants.yaml");
    fs.writeFileSync(
      file,
      [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 2 }`,
        "isolation: namespace",
        "stackPerTenant: true",
        ...tenantsFileKubernetesSection(kube),
        "tenants:",
        "  - name: blue",
        "    keyServer: { replicas: 2, networkPolicy: true }",
        "    minio: { replicas: 2, storage: 1Gi }",
        "  - name: green",
        "    kubernetesNamespace: kes-green",
        "    vault: { login: kubernetes }",
        "    keyServer: { replicas: 1 }",
        "    minio: { replicas: 1, storage: 2Gi, autoEncryption: true }",
        "",
      ].join("\n"),
    );
    d = new FileDeployment("namespace", file);
    first = await d.deploy();
  });

  test("GIVEN the file WHEN deployed THEN one stack per tenant is created (no shared stack)", () => {
    expect(first.results.map((r) => [r.stack, r.outcome]).sort()).toEqual([
      ["tenant-blue", "created"],
      ["tenant-green", "created"],
    ]);
  });

  test("GIVEN the deployed file WHEN every tenant's objects are read back from the API server THEN they carry the file's fields and have rolled out", async () => {
    for (const t of d.file.tenants) await expectTenantObjects(d.file, t);
    const green = await get("/apis/apps/v1/namespaces/kes-green/deployments/keyserver");
    const vol = (green.spec.template.spec.volumes as Json[]).find((v) => v.name === "vault-token");
    expect(vol?.projected.sources[0].serviceAccountToken).toMatchObject({ audience: "vault", path: "token" });
    const reviewer = await get("/api/v1/namespaces/kes-green/serviceaccounts/keyserver-token-reviewer");
    expect(reviewer.automountServiceAccountToken).toBe(false);
  });

  test("GIVEN the deployed file WHEN OpenBao is read THEN each tenant has its namespace with K/V v2, policy and its own login: AppRole for blue, Kubernetes bound to green's account for green", async () => {
    const [blue, green] = d.file.tenants;
    const mountsOf = async (t: TenantEntry) =>
      (await bao.request("GET", "sys/mounts", undefined, vaultNs(d.file, t))).body.data as Json;
    const authsOf = async (t: TenantEntry) =>
      (await bao.request("GET", "sys/auth", undefined, vaultNs(d.file, t))).body.data as Json;
    for (const t of [blue, green]) {
      expect((await mountsOf(t))["kv/"]).toMatchObject({ type: "kv", options: { version: "2" } });
      expect(await tenantPolicies(d.file, vaultNs(d.file, t).namespace)).toHaveLength(1);
    }
    expect((await authsOf(blue))["approle/"]?.type).toBe("approle");
    expect((await authsOf(blue))["kubernetes/"]).toBeUndefined();
    expect(kubernetesAuthPath(d.file, green)).toBe("kubernetes");
    const greenAuths = await authsOf(green);
    expect(greenAuths["kubernetes/"]?.type).toBe("kubernetes");
    expect(greenAuths["approle/"]).toBeUndefined();
    const roles = await bao.request("LIST", "auth/kubernetes/role", undefined, vaultNs(d.file, green));
    const role = (
      await bao.request(
        "GET",
        `auth/kubernetes/role/${roles.body.data.keys[0]}`,
        undefined,
        vaultNs(d.file, green),
      )
    ).body.data;
    expect(role).toMatchObject({
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["kes-green"],
      audience: "vault",
    });
    const config = (await bao.request("GET", "auth/kubernetes/config", undefined, vaultNs(d.file, green)))
      .body.data;
    expect(config.kubernetes_host).toBe(kube.server);
    // A real token of green's key server logs in; blue's key server account is refused.
    const tokenOf = async (ns: string) =>
      (
        await kube.request("POST", `/api/v1/namespaces/${ns}/serviceaccounts/keyserver/token`, {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: { audiences: ["vault"], expirationSeconds: 600 },
        })
      ).body.status.token as string;
    const login = async (ns: string) =>
      bao.request(
        "POST",
        "auth/kubernetes/login",
        { role: roles.body.data.keys[0], jwt: await tokenOf(ns) },
        vaultNs(d.file, green),
      );
    expect((await login("kes-green")).status).toBe(200);
    expect((await login("blue")).status).toBe(403);
    // (The bundle in the ConfigMap mentions secret_id: look at resource types and attribute names, not text.)
    const state = JSON.parse(fs.readFileSync(path.join(d.dir, "state", "tenant-green.tfstate"), "utf8")) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    expect(state.resources.filter((r) => r.type.startsWith("vault_approle"))).toEqual([]);
    const attributes = state.resources.flatMap((r) => r.instances.flatMap((i) => Object.keys(i.attributes)));
    expect(attributes.filter((a) => a.includes("secret_id"))).toEqual([]);
  });

  test("GIVEN the deployed file WHEN deployed again THEN no stack changes", async () => {
    const again = await d.deploy();
    expect(again.results.map((r) => [r.stack, r.outcome, r.changes])).toEqual(
      d.stacks.map((s) => [s, "unchanged", { add: 0, change: 0, remove: 0 }]),
    );
  });

  test("GIVEN the deployed file WHEN every stack is destroyed THEN no tenant object is left in Kubernetes or OpenBao", async () => {
    await d.destroy();
    console.info(`namespace-isolation file: ${d.figures()}`);
    for (const ns of ["blue", "kes-green"])
      expect((await kube.request("GET", `/api/v1/namespaces/${ns}`)).status).toBe(404);
    const bindings = (await get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")).items as Json[];
    expect(bindings.filter((b) => b.metadata.name.startsWith("kes-vault-kit:"))).toEqual([]);
    await waitUntil(
      "persistent volumes deleted",
      async () => ((await get("/api/v1/persistentvolumes")).items as Json[]).length === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const namespaces = await bao.request("LIST", "sys/namespaces");
    expect(namespaces.status === 404 || (namespaces.body.data?.keys ?? []).length === 0).toBe(true);
    expect(await tenantPolicies(d.file)).toEqual([]);
  });
});
