// The key server with Kubernetes login, end to end: a tenants file with `vault.login: kubernetes` is deployed
// whole (Vault half and Kubernetes half, one `cdktf deploy`) against OpenBao and the test-bed control plane; the
// key server pods are read back from the API server and run as local processes, each with a real projected
// service-account token (a TokenRequest for its service account and the pod's audience, written where the pod
// spec mounts it, as a kubelet does). The key server logs in to OpenBao with it and serves generate/decrypt to
// MinIO (an SSE-KMS round trip) and to the real `kes` CLI; no secret-id exists in the Terraform state.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findInFiles } from "../../../scripts/local/at-rest";
import { startLocalRollout, type LocalRollout, type LocalTenant } from "../../../scripts/local/rollout";
import { testbedBinary } from "../../../scripts/testbed/env";
import { run } from "../../../scripts/testbed/kes";
import {
  startKubeControlPlane,
  tenantsFileKubernetesSection,
  type KubeControlPlane,
} from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { s3Client } from "../../../shared/s3";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every file named `name` under `dir`. */
function filesNamed(dir: string, name: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === name)
    .map((e) => path.join(e.parentPath, e.name));
}

describe("a key server with Kubernetes login, read back from the API server and run with a real projected token", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let work: string;
  let rollout: LocalRollout;
  let payments: LocalTenant;

  beforeAll(async () => {
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 1 });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-cp-klogin-"));
    const t0 = Date.now();
    rollout = await startLocalRollout({
      bao,
      kube,
      work,
      tenantsYaml: [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 1, versionOverride: "1.14.0", login: kubernetes }`,
        "isolation: prefix",
        "stackPerTenant: false",
        ...tenantsFileKubernetesSection(kube),
        "tenants:",
        "  - name: payments",
        '    keyServer: { replicas: 2, extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }',
        "    minio: { replicas: 1, storage: 1Gi }",
        "",
      ].join("\n"),
    });
    console.info(`deploy + local start of one tenant with Kubernetes login: ${Date.now() - t0} ms`);
    [payments] = rollout.tenants;
  });

  afterAll(async () => {
    await rollout?.stop();
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the rollout WHEN it is up THEN the key server replicas it runs are the pods the API server reports, ready", () => {
    const pods = payments.pods ?? [];
    expect(pods.filter((p) => p.name.startsWith("keyserver-"))).toHaveLength(2);
    for (const p of pods) expect(p).toMatchObject({ phase: "Running", ready: true });
    expect(payments.keyServerEndpoints).toHaveLength(2);
  });

  test("GIVEN each running replica WHEN its mounted token is read THEN it is a TokenRequest token of the key server's account for audience vault, and its config logs in with it", () => {
    const tokens = filesNamed(path.join(work, "pods", "payments", "keyserver"), "token");
    expect(tokens).toHaveLength(2);
    for (const file of tokens) {
      expect(file).toMatch(/\/keyserver-[^/]+\/var\/run\/secrets\/vault\/token$/);
      const claims = JSON.parse(
        Buffer.from(fs.readFileSync(file, "utf8").split(".")[1], "base64url").toString("utf8"),
      ) as Json;
      expect(claims.aud).toEqual(["vault"]);
      expect(claims.sub).toBe("system:serviceaccount:payments:keyserver");
      expect(claims.iss).toBe(kube.serviceAccountIssuer);
      // Bound to the pod's service account as the API server knows it, valid for the declared 600 s.
      expect(claims.exp - claims.iat).toBe(600);
      const config = fs.readFileSync(
        path.join(path.dirname(file), "..", "..", "..", "..", "etc", "keyserver", "config", "config.yaml"),
        "utf8",
      );
      expect(config).toContain(file);
      expect(config).toMatch(/kubernetes:/);
      expect(config).not.toMatch(/approle/);
    }
  });

  test("GIVEN OpenBao WHEN its logins are read THEN the tenant's role is on its own Kubernetes mount, bound to its account, namespace and audience", async () => {
    const auths = (await bao.request("GET", "sys/auth")).body.data as Json;
    expect(auths["kubernetes-payments/"]?.type).toBe("kubernetes");
    const roles = await bao.request("LIST", "auth/kubernetes-payments/role");
    expect(roles.body.data.keys).toHaveLength(1);
    const role = (await bao.request("GET", `auth/kubernetes-payments/role/${roles.body.data.keys[0]}`)).body
      .data;
    expect(role).toMatchObject({
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["payments"],
      audience: "vault",
    });
  });

  test("GIVEN MinIO run from its pod WHEN an object is PUT with SSE-KMS and read back THEN the bytes match, the key is in OpenBao and nothing is plaintext at rest", async () => {
    const s3 = s3Client(payments.minioEndpoint, payments.minioCredentials);
    const marker = `klogin-${randomBytes(12).toString("hex")}`;
    const body = Buffer.from(marker.repeat(100));
    expect((await s3.createBucket("bucket")).status).toBe(200);
    const put = await s3.putObject("bucket", "object", body, {
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": payments.defaultKeyName,
    });
    expect(put.status).toBe(200);
    const got = await s3.getObject("bucket", "object");
    expect(got.body.equals(body)).toBe(true);
    expect(got.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(
      `arn:aws:kms:${payments.defaultKeyName}`,
    );
    expect(findInFiles(payments.minioDataDir, Buffer.from(marker))).toEqual([]);
    expect((await bao.request("GET", `kv/payments/${payments.defaultKeyName}`)).status).toBe(200);
  });

  test("GIVEN the real kes CLI with MinIO's identity WHEN it asks each replica for a data key and to decrypt it THEN it gets the same plaintext back", async () => {
    const dir = fs.mkdtempSync(path.join(work, "kes-cli-"));
    fs.writeFileSync(path.join(dir, "client.crt"), payments.minioClient.cert);
    fs.writeFileSync(path.join(dir, "client.key"), payments.minioClient.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "ca.crt"), payments.keyServerCa);
    const kes = async (endpoint: string, ...args: string[]) => {
      const r = await run(testbedBinary("kes"), args, {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          KES_SERVER: endpoint,
          KES_CLIENT_CERT: path.join(dir, "client.crt"),
          KES_CLIENT_KEY: path.join(dir, "client.key"),
          SSL_CERT_FILE: path.join(dir, "ca.crt"),
        },
      });
      if (r.code !== 0)
        throw new Error(`kes ${args.join(" ")} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
      return JSON.parse(r.stdout) as Record<string, string>;
    };
    const [first, second] = payments.keyServerEndpoints;
    const dek = await kes(first, "key", "dek", payments.defaultKeyName);
    expect(Buffer.from(dek.plaintext, "base64")).toHaveLength(32);
    const out = await kes(second, "key", "decrypt", payments.defaultKeyName, dek.ciphertext);
    expect(out.plaintext).toBe(dek.plaintext);
  });

  test("GIVEN the deployed stack WHEN its state is searched THEN it holds no AppRole role and no secret-id, and the key server's Secret none either", async () => {
    const state = JSON.parse(fs.readFileSync(path.join(work, "state", "tenants.tfstate"), "utf8")) as {
      resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const types = state.resources.map((r) => r.type);
    expect(types).toContain("vault_kubernetes_auth_backend_role");
    expect(types.filter((t) => t.startsWith("vault_approle"))).toEqual([]);
    const attributes = state.resources.flatMap((r) => r.instances.flatMap((i) => Object.keys(i.attributes)));
    expect(attributes.filter((a) => a.includes("secret_id"))).toEqual([]);
    const secret = await kube.request("GET", "/api/v1/namespaces/payments/secrets/keyserver");
    expect(Object.keys(secret.body.data).sort()).toEqual(["ca.crt", "minio.crt", "tls.crt", "tls.key"]);
  });
});
