// `kes-vault-kit doctor` against tenants deployed by the local flow's machinery (scripts/local/rollout.ts: real
// OpenBao, the whole stacks applied to a real Kubernetes control plane, the pods read back from the API server
// and run as local processes). Two tenants log in with AppRole, the third ("media", `vault: { login: kubernetes }`)
// with its pod's projected service-account token (no secret-id exists for it). It passes; then each fault is
// injected once into tenant "payments" (policy narrowed by hand, MinIO's certificate replaced, key server stopped,
// secret-id revoked) or "media" (its Kubernetes auth role deleted), then OpenBao is stopped, and exactly the
// expected step fails with its message, the steps before it pass, the ones after it are skipped, the other
// tenants are unaffected, and no secret the run could see appears in the output.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startLocalRollout, type LocalRollout } from "../../../scripts/local/rollout";
import { REPO_ROOT } from "../../../scripts/testbed/env";
import {
  startKubeControlPlane,
  tenantsFileKubernetesSection,
  type KubeControlPlane,
} from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";

const run = promisify(execFile);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface DoctorResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("kes-vault-kit doctor on the local flow's deployed tenants", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let rollout: LocalRollout;
  let work: string;
  let args: string[];
  const secrets = new Set<string>();

  /** The doctor CLI as `npm run doctor` runs it, with the operator token in VAULT_TOKEN. */
  const doctor = async (...extra: string[]): Promise<DoctorResult> => {
    const res = await run(
      process.execPath,
      [
        "--require",
        "ts-node/register/transpile-only",
        path.join("doctor", "cli.ts"),
        "doctor",
        ...args,
        ...extra,
      ],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", VAULT_TOKEN: bao.rootToken },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        stdout: e.stdout ?? "",
        stderr: e.stderr ?? "",
      }),
    );
    for (const s of secrets) {
      expect(res.stdout).not.toContain(s);
      expect(res.stderr).not.toContain(s);
    }
    expect(res.stdout).not.toMatch(/PRIVATE KEY|kes:v1:/);
    expect(res.stdout + res.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no service-account token (a JWT)
    return res;
  };
  /** The --json document's steps of one tenant, as [status, detail] pairs. */
  const stepsOf = (doc: Json, tenant: string): [string, string][] =>
    (doc.tenants as Json[]).find((t) => t.tenant === tenant)?.steps.map((s: Json) => [s.status, s.detail]);
  const statuses = (doc: Json, tenant: string) => stepsOf(doc, tenant).map(([s]) => s);
  /** Steps 1..n-1 ok, n failed, the rest skipped. */
  const failedAt = (n: number) => [1, 2, 3, 4, 5].map((i) => (i < n ? "ok" : i === n ? "failed" : "skipped"));
  const ALL_OK = failedAt(6);
  const TENANTS = ["payments", "analytics", "media"];

  /** Secret values in the namespace's Secrets (secret-id, private keys, MinIO's root password). */
  const secretValues = async (namespace: string) => {
    const r = await kube.request("GET", `/api/v1/namespaces/${namespace}/secrets`);
    return (r.body.items as Json[]).flatMap((s) =>
      Object.entries((s.data ?? {}) as Record<string, string>)
        .filter(([k]) => !/\.crt$|^ca|cert|user|role-id|role_id|^config/i.test(k))
        .map(([, v]) => Buffer.from(v, "base64").toString("utf8"))
        .filter((v) => v.length >= 8),
    );
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-doctor-"));
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 2 });
    rollout = await startLocalRollout({
      bao,
      kube,
      work,
      tenantsYaml: [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 1, versionOverride: "1.14.0" }`,
        "isolation: prefix",
        "stackPerTenant: false",
        // Vault reviews the media key server's token at the control plane's API server.
        ...tenantsFileKubernetesSection(kube),
        "tenants:",
        ...TENANTS.flatMap((name) => [
          `  - name: ${name}`,
          ...(name === "media" ? ["    vault: { login: kubernetes }"] : []),
          '    keyServer: { replicas: 1, extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }',
          "    minio: { replicas: 1 }",
        ]),
        "",
      ].join("\n"),
    });
    const connectTo = rollout.tenants.flatMap((t) => [
      `keyserver.${t.namespace}.svc.cluster.local:7373=${new URL(t.keyServerEndpoints[0]).host.replace("localhost", "127.0.0.1")}`,
      `minio.${t.namespace}.svc.cluster.local:9000=${new URL(t.minioEndpoint).host}`,
    ]);
    args = [
      "--tenants",
      path.join(work, "tenants.yaml"),
      "--outputs",
      path.join(work, "outputs.json"),
      "--kubeconfig",
      kube.kubeconfigPath,
      ...connectTo.flatMap((c) => ["--connect-to", c]),
    ];
    for (const s of [bao.rootToken, kube.adminToken]) secrets.add(s);
    for (const t of rollout.tenants) {
      for (const s of await secretValues(t.namespace)) secrets.add(s);
      secrets.add(t.minioClient.key);
      secrets.add(t.minioCredentials.secretKey);
    }
    // The projected token the local media key server was started with (a TokenRequest, as the kubelet makes).
    const tokenFiles = fs
      .readdirSync(path.join(work, "pods", "media", "keyserver"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name === "token")
      .map((e) => path.join(e.parentPath, e.name));
    expect(tokenFiles).toHaveLength(1);
    for (const f of tokenFiles) secrets.add(fs.readFileSync(f, "utf8").trim());
  }, 600_000);

  afterAll(async () => {
    await rollout?.stop();
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the deployed tenants WHEN the doctor runs THEN every step passes for all three, a line per step and a table, exit 0", async () => {
    // The secrets the output is checked against include the secret-ids, private keys and token the pods use.
    expect(secrets.size).toBeGreaterThanOrEqual(2 + 2 * 3 + 2);
    const res = await doctor();
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    for (const tenant of TENANTS) {
      const login =
        tenant === "media"
          ? `Kubernetes auth kubernetes-media role \\S+ ok`
          : `AppRole approle role-id \\S+ ok`;
      expect(res.stdout).toMatch(
        new RegExp(
          `\\[${tenant}\\] 1/5 Vault reachable, tenant login: ok - Vault \\S+ at ${bao.addr} unsealed; ${login} \\(policies: kes-kv-${tenant};`,
        ),
      );
      expect(res.stdout).toContain(
        `[${tenant}] 2/5 Vault policy (capabilities): ok - sys/capabilities (VAULT_TOKEN) for the key server's token: 4 needed path(s) allowed, 4 denied as expected`,
      );
      expect(res.stdout).toMatch(
        new RegExp(
          `\\[${tenant}\\] 3/5 key server status, readiness, TLS: ok - https://keyserver\\.${tenant}\\.svc\\.cluster\\.local:7373 \\(via 127\\.0\\.0\\.1:\\d+\\): ready, status: version \\S+, keystore latency \\d+ms, certificate valid for keyserver\\.${tenant}\\.svc, keyserver\\.${tenant}\\.svc\\.cluster\\.local, expires in 36\\d days`,
        ),
      );
      expect(res.stdout).toMatch(
        new RegExp(
          `\\[${tenant}\\] 4/5 generate/decrypt with MinIO's identity: ok - identity [0-9a-f]{16}\\.\\.\\.: create, generate, decrypt of ${tenant}-kvk-doctor-[0-9a-f]{8} ok; MinIO may not delete keys \\(HTTP 403\\), deleted in Vault`,
        ),
      );
      expect(res.stdout).toMatch(
        new RegExp(
          `\\[${tenant}\\] 5/5 MinIO KMS status, SSE-KMS PUT/GET: ok - KMS .* 1/1 endpoint\\(s\\) online, default key ${tenant}-default; SSE-KMS PUT/GET of 64 bytes with ${tenant}-default ok, bucket removed`,
        ),
      );
    }
    // The neighbour of payments is analytics' prefix, denied.
    expect(res.stdout).toContain("kv/analytics/kvk-doctor-probe");
    expect(res.stdout).toMatch(/\ntenant +step +result +reason and fix\n/);
    expect(res.stdout.trimEnd().endsWith("3 of 3 tenant(s) pass")).toBe(true);
    // The throw-away keys were removed from Vault: only the default keys are left.
    for (const tenant of TENANTS) {
      const list = await bao.request("LIST", `kv/${tenant}`);
      expect(list.body.data.keys).toEqual([`${tenant}-default`]);
    }
  });

  test("GIVEN media's Kubernetes login WHEN its credentials are looked for THEN no secret-id exists for it: no AppRole role, no secret-id output, none in its Secrets", async () => {
    const outputs = JSON.stringify(JSON.parse(fs.readFileSync(path.join(work, "outputs.json"), "utf8")));
    expect(outputs).toMatch(/"payments_secret_id_accessor":"[^"]+"/);
    expect(outputs).not.toMatch(/media_secret_id/);
    expect((await bao.request("GET", "auth/approle/role/kes-kv-payments")).status).toBe(200);
    expect((await bao.request("GET", "auth/approle/role/kes-kv-media")).status).toBe(404);
    const keys = async (namespace: string) =>
      ((await kube.request("GET", `/api/v1/namespaces/${namespace}/secrets`)).body.items as Json[]).flatMap(
        (x) => Object.keys(x.data ?? {}),
      );
    expect((await keys("payments")).filter((k) => /secret.?id/i.test(k))).not.toEqual([]);
    expect((await keys("media")).filter((k) => /secret.?id/i.test(k))).toEqual([]);
  });

  test("GIVEN payments' policy narrowed by hand in OpenBao (no create on keys) WHEN the doctor runs THEN step 2 fails naming the missing capability", async () => {
    const name = "kes-kv-payments";
    const original = (await bao.request("GET", `sys/policies/acl/${name}`)).body.data.policy as string;
    const narrowed = original.replace(/"create", "read", "delete"/, '"read", "delete"');
    expect(narrowed).not.toBe(original);
    expect((await bao.request("PUT", `sys/policies/acl/${name}`, { policy: narrowed })).status).toBe(204);
    try {
      const res = await doctor("--json");
      expect(res.code).toBe(1);
      const doc = JSON.parse(res.stdout);
      expect(doc.ok).toBe(false);
      expect(statuses(doc, "payments")).toEqual(failedAt(2));
      expect(statuses(doc, "analytics")).toEqual(ALL_OK);
      expect(statuses(doc, "media")).toEqual(ALL_OK);
      expect(statuses(doc, "media")).toEqual(ALL_OK);
      expect(stepsOf(doc, "payments")[1][1]).toBe(
        "policy kes-kv-payments differs from the kit's rules: kv/payments/kvk-doctor-probe: missing create (keys: existence check, create, read, delete)",
      );
    } finally {
      await bao.request("PUT", `sys/policies/acl/${name}`, { policy: original });
    }
  });

  test("GIVEN MinIO's client certificate replaced in its Secret WHEN the doctor runs THEN step 4 fails: the key server refuses the new identity", async () => {
    const pod = (await kube.request("GET", "/api/v1/namespaces/payments/pods/minio-0")).body as Json;
    const secretName = (pod.spec.volumes as Json[])
      .map((v) => v.secret?.secretName ?? v.projected?.sources?.find((s: Json) => s.secret)?.secret?.name)
      .find((n) => n !== undefined) as string;
    const secretPath = `/api/v1/namespaces/payments/secrets/${secretName}`;
    const original = (await kube.request("GET", secretPath)).body as Json;
    const certKey = Object.keys(original.data).find((k) => /client.*crt|crt.*client/.test(k));
    const keyKey = Object.keys(original.data).find((k) => /client.*key|key.*client/.test(k));
    expect([certKey, keyKey]).toEqual([expect.any(String), expect.any(String)]);
    const dir = fs.mkdtempSync(path.join(work, "newcert-"));
    const bundle = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");
    await run(process.execPath, [
      bundle,
      "identity",
      "new",
      "--key",
      `${dir}/c.key`,
      "--cert",
      `${dir}/c.crt`,
      "minio",
    ]);
    const [cert, key] = [fs.readFileSync(`${dir}/c.crt`, "utf8"), fs.readFileSync(`${dir}/c.key`, "utf8")];
    secrets.add(key);
    const { resourceVersion: _rv, ...metadata } = original.metadata; // eslint-disable-line @typescript-eslint/no-unused-vars
    const put = (data: Json) =>
      kube.request("PUT", secretPath, {
        apiVersion: "v1",
        kind: "Secret",
        metadata,
        type: original.type,
        data,
      });
    expect(
      (
        await put({
          ...original.data,
          [certKey as string]: Buffer.from(cert).toString("base64"),
          [keyKey as string]: Buffer.from(key).toString("base64"),
        })
      ).status,
    ).toBe(200);
    try {
      const res = await doctor("--json", "--tenant", "payments");
      expect(res.code).toBe(1);
      const doc = JSON.parse(res.stdout);
      expect(doc.tenants.map((t: Json) => t.tenant)).toEqual(["payments"]);
      expect(statuses(doc, "payments")).toEqual(failedAt(4));
      expect(stepsOf(doc, "payments")[2][1]).toContain(
        "status: HTTP 403 for MinIO's identity (step 4 checks it)",
      );
      expect(stepsOf(doc, "payments")[3][1]).toMatch(
        /^the key server refuses MinIO's identity [0-9a-f]{64} on create payments-kvk-doctor-[0-9a-f]{8}: HTTP 403/,
      );
      expect(doc.tenants[0].steps[3].fix).toContain("is not the one the key server's policy names");
    } finally {
      expect((await put(original.data)).status).toBe(200);
    }
  });

  test("GIVEN payments' key server stopped WHEN the doctor runs THEN step 3 fails: its Service endpoint is not reachable", async () => {
    for (const p of rollout.tenants[0].keyServerProcesses) await p.stop();
    const res = await doctor("--json");
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(statuses(doc, "payments")).toEqual(failedAt(3));
    expect(statuses(doc, "analytics")).toEqual(ALL_OK);
    expect(statuses(doc, "media")).toEqual(ALL_OK);
    expect(stepsOf(doc, "payments")[2][1]).toMatch(
      /^key server https:\/\/keyserver\.payments\.svc\.cluster\.local:7373 is not reachable: .*ECONNREFUSED/,
    );
  });

  test("GIVEN payments' secret-id revoked in OpenBao WHEN the doctor runs THEN step 1 fails: the login with the pod's secret-id is refused", async () => {
    const outputs = JSON.parse(fs.readFileSync(path.join(work, "outputs.json"), "utf8"));
    const accessor = JSON.stringify(outputs).match(/"payments_secret_id_accessor":"([^"]+)"/)?.[1];
    expect(accessor).toBeDefined();
    const destroyed = await bao.request(
      "POST",
      "auth/approle/role/kes-kv-payments/secret-id-accessor/destroy",
      {
        secret_id_accessor: accessor,
      },
    );
    expect(destroyed.status).toBe(204);
    const res = await doctor("--json");
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(statuses(doc, "payments")).toEqual(failedAt(1));
    expect(statuses(doc, "analytics")).toEqual(ALL_OK);
    expect(statuses(doc, "media")).toEqual(ALL_OK);
    expect(stepsOf(doc, "payments")[0][1]).toMatch(
      /^AppRole approle role-id \S+ login with the secret-id from pod payments\/keyserver-\S+'s Secret refused: HTTP 400 invalid role or secret ID$/,
    );
  });

  test("GIVEN media's Kubernetes auth role deleted by hand in OpenBao WHEN the doctor runs THEN step 1 fails: the login with the pod's projected token is refused", async () => {
    const roles = await bao.request("LIST", "auth/kubernetes-media/role");
    expect(roles.body.data.keys).toHaveLength(1);
    const role = roles.body.data.keys[0] as string;
    expect((await bao.request("DELETE", `auth/kubernetes-media/role/${role}`)).status).toBe(204);
    const res = await doctor("--json");
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(statuses(doc, "media")).toEqual(failedAt(1));
    expect(statuses(doc, "analytics")).toEqual(ALL_OK);
    const step1 = (doc.tenants as Json[]).find((t) => t.tenant === "media")?.steps[0] as Json;
    expect(step1.detail).toMatch(
      new RegExp(
        `^Kubernetes auth kubernetes-media role ${role} login with pod media/keyserver-\\S+'s projected service-account token refused: HTTP 400 invalid role name`,
      ),
    );
    expect(step1.fix).toBe(
      `the role ${role} is missing on auth/kubernetes-media: npm run rollout -- deploy recreates it`,
    );
  });

  test("GIVEN OpenBao stopped WHEN the doctor runs THEN step 1 fails for every tenant: Vault is unreachable; the table names reason and fix", async () => {
    await bao.stop();
    const res = await doctor();
    expect(res.code).toBe(1);
    for (const tenant of TENANTS) {
      expect(res.stdout).toMatch(
        new RegExp(
          `\\n${tenant} +1 Vault reachable, tenant login +failed +Vault at ${bao.addr} is unreachable: .*ECONNREFUSED.* -> fix: start Vault`,
        ),
      );
    }
    expect(res.stdout.trimEnd().endsWith("0 of 3 tenant(s) pass, 3 fail")).toBe(true);
  });
});
