// The local rollout (scripts/local/rollout.ts, the README's first command for one tenant) for two tenants in
// prefix isolation and two in namespace isolation. With the test bed's control plane (one for the file, each
// isolation in Kubernetes namespaces of its own): cdktf deploy of the whole stacks against a real OpenBao and the
// API server, then each tenant's key server pods and first MinIO pod run as local processes from the pod specs
// read back from the API server (after defaulting and admission). Without a cluster (prefix isolation once, the
// fallback path): the Vault half and identities deployed, the containers run exactly as the synthesized
// Deployment and StatefulSet declare. S3 traffic with SSE-KMS; each tenant's MinIO unable to use the other
// tenant's key server or keys.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { findInFiles } from "../../../scripts/local/at-rest";
import { startLocalRollout, type LocalRollout, type LocalTenant } from "../../../scripts/local/rollout";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { s3Client } from "../../../shared/s3";

/** A KES API call with MinIO's client certificate, trusting `ca` for the server certificate. */
function kesCall(
  endpoint: string,
  method: string,
  urlPath: string,
  client: LocalTenant["minioClient"],
  ca: string,
) {
  const url = new URL(endpoint);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: url.port,
        servername: url.hostname,
        method,
        path: urlPath,
        ca,
        ...client,
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

let kube: KubeControlPlane | undefined;
const controlPlane = async () => (kube ??= await startKubeControlPlane({ nodes: 1 }));
afterAll(async () => {
  await kube?.stop();
});

describe.each([
  { isolation: "prefix" as const, cluster: true },
  { isolation: "namespace" as const, cluster: true },
  { isolation: "prefix" as const, cluster: false },
])(
  "a local rollout of two tenants ($isolation isolation, control plane: $cluster)",
  ({ isolation, cluster }) => {
    let bao: OpenBaoServer;
    let work: string;
    let rollout: LocalRollout;
    let a: LocalTenant;
    let b: LocalTenant;

    beforeAll(async () => {
      bao = await startOpenBao();
      work = fs.mkdtempSync(path.join(os.tmpdir(), `kvk-rollout-${isolation}-`));
      const tenant = (name: string) => [
        `  - name: ${name}`,
        `    kubernetesNamespace: ${name}-${isolation}`,
        '    keyServer: { replicas: 2, extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }',
        "    minio: { replicas: 1 }",
      ];
      rollout = await startLocalRollout({
        bao,
        work,
        ...(cluster ? { kube: await controlPlane() } : {}),
        tenantsYaml: [
          `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: ${isolation === "prefix" ? 1 : 2}, versionOverride: "1.14.0" }`,
          `isolation: ${isolation}`,
          "stackPerTenant: false",
          "tenants:",
          ...tenant("payments"),
          ...tenant("analytics"),
          "",
        ].join("\n"),
      });
      [a, b] = rollout.tenants;
    });

    afterAll(async () => {
      await rollout?.stop();
      await bao?.stop();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const kvRead = (t: LocalTenant, name: string) => {
      const ks = t.keystore;
      const p = [ks.engine, ks.version === "v2" ? "data" : "", ks.prefix, name].filter(Boolean).join("/");
      return bao.request("GET", p, undefined, ks.namespace ? { namespace: ks.namespace } : {});
    };

    test("GIVEN the rollout WHEN it is up THEN both tenants run two key server replicas and a MinIO", () => {
      expect(rollout.tenants.map((t) => t.name)).toEqual(["payments", "analytics"]);
      for (const t of rollout.tenants) expect(t.keyServerEndpoints).toHaveLength(2);
    });

    test("GIVEN the rollout WHEN it ran the processes THEN they are the pods the API server reports (with the control plane) or the declared containers (without)", () => {
      for (const t of rollout.tenants) {
        if (!cluster) {
          expect(t.pods).toBeUndefined();
          continue;
        }
        // One process per key server pod read back, and MinIO's first pod: all Running and Ready on kwok nodes.
        const pods = t.pods ?? [];
        expect(pods.map((p) => p.name)).toEqual([
          expect.stringMatching(/^keyserver-/),
          expect.stringMatching(/^keyserver-/),
          "minio-0",
        ]);
        for (const p of pods) expect(p).toMatchObject({ phase: "Running", ready: true, node: "kwok-node-0" });
        expect(t.namespace).toBe(`${t.name}-${isolation}`);
      }
    });

    test.each([0, 1])(
      "GIVEN tenant %i WHEN an object is PUT with SSE-KMS and read back THEN the bytes match and the data at rest is not the plaintext",
      async (i) => {
        const t = rollout.tenants[i];
        const s3 = s3Client(t.minioEndpoint, t.minioCredentials);
        const marker = `rollout-${randomBytes(12).toString("hex")}`;
        const body = Buffer.from(marker.repeat(100));
        expect((await s3.createBucket("bucket")).status).toBe(200);
        const put = await s3.putObject("bucket", "object", body, {
          "x-amz-server-side-encryption": "aws:kms",
          "x-amz-server-side-encryption-aws-kms-key-id": t.defaultKeyName,
        });
        expect(put.status).toBe(200);
        const get = await s3.getObject("bucket", "object");
        expect(get.status).toBe(200);
        expect(get.body.equals(body)).toBe(true);
        expect(get.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(
          `arn:aws:kms:${t.defaultKeyName}`,
        );
        expect(fs.existsSync(path.join(t.minioDataDir, "bucket", "object", "xl.meta"))).toBe(true);
        expect(findInFiles(t.minioDataDir, Buffer.from(marker))).toEqual([]);
      },
    );

    test("GIVEN both tenants WHEN their default keys are read in OpenBao THEN each is under its own tenant's keystore only", async () => {
      expect((await kvRead(a, a.defaultKeyName)).status).toBe(200);
      expect((await kvRead(b, b.defaultKeyName)).status).toBe(200);
      expect((await kvRead(a, b.defaultKeyName)).status).toBe(404);
      expect((await kvRead(b, a.defaultKeyName)).status).toBe(404);
    });

    test("GIVEN payments' MinIO WHEN it asks for analytics' key THEN the PUT fails and nothing is stored", async () => {
      const s3 = s3Client(a.minioEndpoint, a.minioCredentials);
      await s3.createBucket("cross");
      const put = await s3.putObject("cross", "object", Buffer.from("x".repeat(64)), {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": b.defaultKeyName,
      });
      expect(put.status).toBeGreaterThanOrEqual(400);
      expect((await s3.headObject("cross", "object")).status).toBe(404);
    });

    test("GIVEN payments' MinIO credentials WHEN they call analytics' key server THEN the server refuses the identity", async () => {
      const r = await kesCall(
        b.keyServerEndpoints[0],
        "POST",
        `/v1/key/generate/${b.defaultKeyName}`,
        a.minioClient,
        b.keyServerCa,
      );
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).message).toBe("not authorized: insufficient permissions");
    });

    test("GIVEN payments' MinIO CA WHEN it connects to analytics' key server THEN the server certificate is not trusted", async () => {
      await expect(
        kesCall(b.keyServerEndpoints[0], "GET", "/v1/status", a.minioClient, a.keyServerCa),
      ).rejects.toThrow(/certificate/i);
    });

    test("GIVEN payments' MinIO credentials WHEN they call their own key server THEN generate works on the default key", async () => {
      const r = await kesCall(
        a.keyServerEndpoints[1],
        "POST",
        `/v1/key/generate/${a.defaultKeyName}`,
        a.minioClient,
        a.keyServerCa,
      );
      expect(r.status).toBe(200);
      expect(Buffer.from(JSON.parse(r.body).plaintext, "base64")).toHaveLength(32);
    });
  },
);
