/**
 * The main job on the embedded default (README's first command), on one machine:
 *   1. an OpenBao dev server (the Vault) and a Kubernetes control plane (real etcd, API server with Pod Security
 *      admission, controller-manager, scheduler; nodes simulated by kwok; scripts/testbed/kube.ts),
 *   2. `cdktf deploy` of one whole tenant stack against both (K/V v1, AppRole, policy, secret-id, TLS, namespace,
 *      key server Deployment, MinIO StatefulSet; rollouts complete on the simulated nodes),
 *   3. the tenant's key server pods and MinIO's pod, read back from the API server with their Secrets and
 *      ConfigMaps, run as local processes (scripts/local/rollout.ts),
 *   4. an object written to MinIO with SSE-KMS and read back; the data at rest is not the plaintext,
 *   5. where the key lives in OpenBao.
 * Everything it starts is stopped at the end (with --keep: on Ctrl-C). Working files go to .local/ (ignored by
 * git; $KVK_LOCAL_DIR overrides it): it holds secrets and Terraform state, keep it private.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../testbed/env";
import { startKubeControlPlane } from "../testbed/kube";
import { startOpenBao } from "../testbed/openbao";
import { s3Client } from "../../shared/s3";
import { startLocalRollout, type LocalRollout } from "./rollout";
import { findInFiles } from "./at-rest";

const TENANT = "demo";
const BUCKET = "demo-bucket";

const started = Date.now();
function say(text: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[local ${s}s] ${text}\n`);
}

async function main(): Promise<void> {
  const keep = process.argv.includes("--keep");
  const work = path.resolve(process.env.KVK_LOCAL_DIR ?? path.join(REPO_ROOT, ".local"));
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true, mode: 0o700 });
  const stopping: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

  try {
    say("1/5 starting an OpenBao dev server (in memory, random root token) and a Kubernetes control plane");
    const bao = await startOpenBao();
    stopping.push(() => bao.stop());
    say(`    OpenBao ${(await bao.request("GET", "sys/health")).body.version} at ${bao.addr}`);
    const kube = await startKubeControlPlane({ nodes: 2 });
    stopping.push(() => kube.stop());
    const version = (await kube.request("GET", "/version")).body as { gitVersion: string };
    say(
      `    Kubernetes ${version.gitVersion} API server at ${kube.server} (etcd, controller-manager, scheduler; ${kube.nodeNames.length} simulated nodes), ready in ${(kube.startMs / 1000).toFixed(1)}s; kubeconfig ${kube.kubeconfigPath}`,
    );

    say(
      `2/5 + 3/5 tenant "${TENANT}": whole stack with cdktf, then its pods as read back from the API server`,
    );
    const rollout: LocalRollout = await startLocalRollout({
      bao,
      kube,
      work,
      say: (line) => say(`    ${line}`),
      tenantsYaml: [
        `vault: { endpoint: "${bao.addr}", kvEngine: kv, kvVersion: 1, versionOverride: "1.14.0" }`,
        "isolation: prefix",
        "stackPerTenant: false",
        "tenants:",
        `  - name: ${TENANT}`,
        '    keyServer: { replicas: 2, extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }',
        "    minio: { replicas: 1 }",
        "",
      ].join("\n"),
    });
    stopping.push(() => rollout.stop());
    const tenant = rollout.tenants[0];
    for (const p of tenant.pods ?? []) {
      say(
        `    pod ${tenant.namespace}/${p.name} on ${p.node}: ${p.phase}, ready=${p.ready} (API server); running here as a local process`,
      );
    }

    say(
      `4/5 an object PUT with SSE-KMS (key "${tenant.defaultKeyName}") and read back through MinIO's S3 API`,
    );
    const s3 = s3Client(tenant.minioEndpoint, tenant.minioCredentials);
    const marker = `kes-vault-kit local run ${randomBytes(12).toString("hex")}`;
    const body = Buffer.from(`${marker}\n`.repeat(64));
    // MinIO may answer 503 for a moment after reporting ready (its KMS link still settling): retry 5xx briefly.
    let bucket = await s3.createBucket(BUCKET);
    for (let i = 0; i < 30 && bucket.status >= 500; i++) {
      await new Promise((r) => setTimeout(r, 500));
      bucket = await s3.createBucket(BUCKET);
    }
    if (bucket.status !== 200) {
      throw new Error(
        `creating bucket ${BUCKET} failed: HTTP ${bucket.status} ${bucket.body.toString("utf8")}`,
      );
    }
    const put = await s3.putObject(BUCKET, "hello.txt", body, {
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": tenant.defaultKeyName,
    });
    if (put.status !== 200) throw new Error(`PUT failed: HTTP ${put.status} ${put.body.toString("utf8")}`);
    const get = await s3.getObject(BUCKET, "hello.txt");
    if (get.status !== 200 || !get.body.equals(body))
      throw new Error(`GET did not return the object (HTTP ${get.status})`);
    say(
      `    PUT and GET of ${body.length} bytes: same bytes back; MinIO reports ${get.headers["x-amz-server-side-encryption"]} with ${get.headers["x-amz-server-side-encryption-aws-kms-key-id"]}`,
    );
    const plaintextOnDisk = findInFiles(tenant.minioDataDir, Buffer.from(marker));
    if (plaintextOnDisk.length > 0)
      throw new Error(`plaintext found at rest in ${plaintextOnDisk.join(", ")}`);
    say(
      `    MinIO's data directory (${path.relative(REPO_ROOT, tenant.minioDataDir)}) does not contain the plaintext`,
    );

    say("5/5 where the key lives");
    const ks = tenant.keystore;
    const vaultPath = [ks.engine, ks.version === "v2" ? "data" : "", ks.prefix, tenant.defaultKeyName]
      .filter(Boolean)
      .join("/");
    const stored = await bao.request(
      "GET",
      vaultPath,
      undefined,
      ks.namespace ? { namespace: ks.namespace } : {},
    );
    if (stored.status !== 200)
      throw new Error(`key not found in OpenBao at ${vaultPath} (HTTP ${stored.status})`);
    const value = String(stored.body.data[tenant.defaultKeyName]);
    say(
      `    ${bao.addr}/v1/${vaultPath}: {"${tenant.defaultKeyName}": <base64 protobuf KeyVersion, ${value.length} characters, not shown>}`,
    );
    say(
      `done: tenant "${TENANT}" encrypts MinIO objects with keys kept in OpenBao under ${ks.engine}/${ks.prefix}/`,
    );

    if (keep) {
      say(
        `--keep: MinIO ${tenant.minioEndpoint}, key servers ${tenant.keyServerEndpoints.join(", ")}; working files in ${work}; Ctrl-C stops everything`,
      );
      // The doctor (docs/doctor.md) against this run: the Service addresses mapped to the local processes.
      const tokenFile = path.join(work, "vault-token");
      fs.writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
      const ns = tenant.namespace;
      say(
        `    check it: npm run doctor -- --tenants ${work}/tenants.yaml --outputs ${work}/outputs.json --kubeconfig ${kube.kubeconfigPath} --vault-token-file ${tokenFile} --connect-to keyserver.${ns}.svc.cluster.local:7373=${new URL(tenant.keyServerEndpoints[0]).host.replace("localhost", "127.0.0.1")} --connect-to minio.${ns}.svc.cluster.local:9000=${new URL(tenant.minioEndpoint).host}`,
      );
      await new Promise(() => undefined);
    }
  } finally {
    if (!keep) await stopAll();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`[local] failed: ${e.message}\n`);
  process.exit(1);
});
