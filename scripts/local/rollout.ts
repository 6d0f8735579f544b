/**
 * A tenants rollout run on one machine. With a control plane (`kube`, the test bed's real API server with
 * simulated nodes):
 *   1. `cdktf deploy` of every whole stack (Vault half and Kubernetes half) against a real OpenBao and the API
 *      server; the Deployments and StatefulSets roll out (pods Running and Ready on kwok's simulated nodes);
 *   2. each key server pod and the first MinIO pod, read back from the API server (after defaulting and
 *      admission) with the Secrets, ConfigMaps and projected service-account tokens they use (api-pods.ts),
 *      started as a local process, paths moved under a local folder (relocateContainer).
 * Without one, as close to the cluster as a machine without Kubernetes allows:
 *   1. `cdktf deploy` of every stack built `withoutKubernetes` (the Vault half, identities and MinIO's root
 *      password, under the same resource ids as the full stacks) against a real OpenBao;
 *   2. the full stacks synthesized (key server Deployments, MinIO StatefulSets, Secrets, ConfigMaps);
 *   3. each tenant's key server replicas and MinIO started as local processes with exactly the command, args,
 *      env and mounted files their Deployment and StatefulSet declare (declaredContainers), Secret values
 *      taken from the applied state (resolveContainer), paths moved under a local folder (relocateContainer).
 * The only changes to what is declared: loopback ports instead of 7373/9000/9001, and MinIO's key server
 * endpoints pointing at those local replicas (https://localhost:<port>, a SAN of the key server certificate).
 * Used by scripts/local/main.ts (the README's first command) and test/live/rollout/.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { promisify } from "node:util";
import { App } from "cdktf";
import { parse as parseYaml } from "yaml";
import {
  declaredContainers,
  relocateContainer,
  resolveContainer,
  type DeclaredContainer,
  type ResolvedContainer,
  type TerraformStateJson,
} from "../../constructs/kubernetes/declared-containers";
import { parseTenantsFile, type TenantsFile } from "../../shared/tenants-file";
import { buildTenantsStacks } from "../../stacks/tenants-stacks";
import { loadTestbedEnv, testbedBinary, testbedProcessEnv } from "../testbed/env";
import type { KubeControlPlane } from "../testbed/kube";
import type { OpenBaoServer } from "../testbed/openbao";
import { containerFromPod } from "../../shared/api-pods";
import { requestProjectedTokens } from "../../shared/pod-tokens";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../testbed/process";
import { cdktfDeploy } from "./cdktf";

const execFileAsync = promisify(execFile);

/** One tenant as it runs locally. */
export interface LocalTenant {
  readonly name: string;
  /** Kubernetes namespace its workloads declare. */
  readonly namespace: string;
  /** https://localhost:<port> of each key server replica. */
  readonly keyServerEndpoints: readonly string[];
  /** The key server replicas' processes (to stop one on purpose, as the doctor's live test does). */
  readonly keyServerProcesses: readonly ManagedProcess[];
  /** PEM of the tenant CA that signed the key server certificate (MINIO_KMS_KES_CAPATH's content). */
  readonly keyServerCa: string;
  /** MinIO's client certificate and key for the key server (PEM). Secret: never print the key. */
  readonly minioClient: { readonly cert: string; readonly key: string };
  /** http://127.0.0.1:<port> of MinIO's S3 API. */
  readonly minioEndpoint: string;
  /** MinIO root credentials (secret). */
  readonly minioCredentials: { readonly accessKey: string; readonly secretKey: string };
  /** MINIO_KMS_KES_KEY_NAME: the default key of SSE-S3 and of SSE-KMS without a key id. */
  readonly defaultKeyName: string;
  /** The data directory MinIO writes to. */
  readonly minioDataDir: string;
  /** The tenant's pods as the API server reports them (with a control plane only). */
  readonly pods?: readonly ApiPod[];
  /** The key server's keystore.vault config as rendered (engine, version, prefix, namespace...). */
  readonly keystore: {
    readonly engine: string;
    readonly version: string;
    readonly prefix: string;
    readonly namespace?: string;
  };
}

export interface LocalRollout {
  readonly file: TenantsFile;
  readonly tenants: readonly LocalTenant[];
  /** Stops every process the rollout started (MinIO first, then key servers). */
  stop(): Promise<void>;
}

export interface LocalRolloutOptions {
  readonly bao: OpenBaoServer;
  /** The tenants file (YAML); its vault.endpoint must be the OpenBao address. */
  readonly tenantsYaml: string;
  /** Empty working folder (absolute): synthesis, state, mounted files, MinIO data. Holds secrets. */
  readonly work: string;
  /** Progress lines. */
  readonly say?: (line: string) => void;
  /**
   * A Kubernetes control plane to deploy the whole stacks to; the local processes then run the pods read back
   * from it.
   * @default - none: only the Vault half is deployed, the pods run as synthesized
   */
  readonly kube?: KubeControlPlane;
}

/** A pod of a tenant as read back from the API server. */
export interface ApiPod {
  readonly name: string;
  readonly node: string;
  readonly phase: string;
  readonly ready: boolean;
}

async function terraform(dir: string, args: string[], env: Record<string, string>): Promise<string> {
  try {
    const r = await execFileAsync(testbedBinary("terraform"), args, {
      cwd: dir,
      env: testbedProcessEnv(env),
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return r.stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`terraform ${args.join(" ")} in ${dir} failed: ${e.stderr?.trim() || e.message}`);
  }
}

function stackIds(outdir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  return Object.keys(manifest.stacks);
}

/** Writes a resolved container's files and creates its writable folders. */
function materialize(c: ResolvedContainer): void {
  for (const f of c.files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    fs.writeFileSync(f.path, f.content, { mode: f.mode });
  }
  for (const d of c.writableDirs) fs.mkdirSync(d, { recursive: true });
}

function fileContent(c: ResolvedContainer, suffix: string): string {
  const f = c.files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`container ${c.name} mounts no file ending in ${suffix}`);
  return f.content;
}

function httpsStatus(port: number, urlPath: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port, path: urlPath, servername: "localhost", ca, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", reject);
  });
}

function httpStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: urlPath, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", reject);
  });
}

/**
 * Deploys and starts a tenants rollout locally (see the file comment).
 * @throws Error from the tenants file validation, cdktf/terraform (with their output), or a process that does
 *   not become ready (with its output). Processes started before the failure are stopped.
 */
export async function startLocalRollout(opts: LocalRolloutOptions): Promise<LocalRollout> {
  const say = opts.say ?? (() => undefined);
  const { bao, work } = opts;
  const file = parseTenantsFile(opts.tenantsYaml);
  const providerVersions = loadTestbedEnv().providerVersions;
  const tenantsFile = path.join(work, "tenants.yaml");
  fs.writeFileSync(tenantsFile, opts.tenantsYaml);
  const deployOut = path.join(work, "cdktf.out");
  const stateDir = path.join(work, "state");
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });

  const kube = opts.kube;
  say(
    kube
      ? `cdktf deploy of the whole stacks to OpenBao and the Kubernetes API server ${kube.server} (${file.tenants.length} tenants, ${file.isolation} isolation)`
      : `cdktf deploy of the Vault half and identities (${file.tenants.length} tenants, ${file.isolation} isolation)`,
  );
  const deployEnv = {
    ...bao.env,
    ...(kube ? kube.env : { KVK_WITHOUT_KUBERNETES: "1" }),
    KVK_TENANTS_FILE: tenantsFile,
    KVK_STATE_DIR: stateDir,
    KVK_PROVIDER_VERSIONS: JSON.stringify(providerVersions),
  };
  await cdktfDeploy({
    stacks: ["*"],
    outdir: deployOut,
    outputsFile: path.join(work, "outputs.json"),
    env: deployEnv,
    onLine: (line) => {
      const m = /Apply complete! Resources: (\d+) added/.exec(line);
      if (m) say(`  ${line.trim()}`);
    },
  });
  fs.chmodSync(path.join(work, "outputs.json"), 0o600);

  const declared: { container: DeclaredContainer; state: TerraformStateJson }[] = [];
  const fullOut = path.join(work, "full");
  if (!kube) {
    say("synthesizing the full stacks (Deployments, StatefulSets, Secrets, ConfigMaps)");
    const app = new App({ outdir: fullOut });
    buildTenantsStacks(app, file, { providerVersions });
    app.synth();
  }
  for (const id of kube ? [] : stackIds(fullOut)) {
    const stackDir = path.join(fullOut, "stacks", id);
    const synthesized = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    const containers = declaredContainers(synthesized, {
      readStackFile: (p) => fs.readFileSync(path.join(stackDir, p), "utf8"),
    });
    if (containers.length === 0) continue;
    const state = JSON.parse(
      await terraform(path.join(deployOut, "stacks", id), ["show", "-json", "-no-color"], bao.env),
    ) as TerraformStateJson;
    for (const container of containers) declared.push({ container, state });
  }
  const resolved = (kind: DeclaredContainer["kind"], namespace: string, dir: string) => {
    const d = declared.find((x) => x.container.kind === kind && x.container.namespace === namespace);
    if (!d) throw new Error(`the full synthesis declares no ${kind} in namespace ${namespace}`);
    const c = resolveContainer(relocateContainer(d.container, dir), d.state);
    materialize(c);
    return { ...c, replicas: d.container.replicas };
  };
  /** Every pod of a workload, read back from the API server and laid out under `dir/<pod>`. */
  const fromApi = async (
    kind: DeclaredContainer["kind"],
    namespace: string,
    component: string,
    dir: string,
  ) => {
    if (!kube) throw new Error("no control plane");
    const get = async (p: string) => {
      const r = await kube.request("GET", p);
      if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const ns = `/api/v1/namespaces/${namespace}`;
    const pods = (
      (await get(`${ns}/pods?labelSelector=app.kubernetes.io%2Fname%3D${component}`)).items as {
        metadata: { name: string };
        spec: { nodeName?: string; serviceAccountName?: string };
        status: { phase?: string; conditions?: { type: string; status: string }[] };
      }[]
    ).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (pods.length === 0)
      throw new Error(`the API server has no ${component} pod in namespace ${namespace}`);
    const byName = (list: { metadata: { name: string }; data?: Record<string, string> }[]) =>
      Object.fromEntries(list.map((o) => [o.metadata.name, { data: o.data }]));
    const secrets = byName((await get(`${ns}/secrets`)).items);
    const configMaps = byName((await get(`${ns}/configmaps`)).items);
    const out = [];
    for (const pod of pods) {
      const tokens = await requestProjectedTokens(kube, pod);
      const declaredPod = containerFromPod(pod, kind, { secrets, configMaps, tokens });
      const c = resolveContainer(relocateContainer(declaredPod, path.join(dir, pod.metadata.name)), {});
      materialize(c);
      out.push({
        ...c,
        pod: {
          name: pod.metadata.name,
          node: pod.spec.nodeName ?? "",
          phase: pod.status.phase ?? "",
          ready: pod.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false,
        },
      });
    }
    return out;
  };

  const processes: ManagedProcess[] = [];
  const minios: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...minios, ...processes].reverse()) await p.stop();
  };
  const tenants: LocalTenant[] = [];
  try {
    for (const t of file.tenants) {
      const namespace = t.kubernetesNamespace;
      const ksDir = path.join(work, "pods", t.name, "keyserver");
      // One process per pod the API server reports, or per declared replica.
      const replicas: (ResolvedContainer & { pod?: ApiPod })[] = kube
        ? await fromApi("deployment", namespace, "keyserver", ksDir)
        : (() => {
            const one = resolved("deployment", namespace, ksDir);
            return Array.from({ length: one.replicas }, () => one);
          })();
      const ks = replicas[0];
      if (ks.command[0] !== "node")
        throw new Error(`tenant ${t.name}: the key server runs ${ks.command.join(" ")}, not node`);
      const ca = fileContent(ks, "/tls/ca.crt");
      const ports: number[] = [];
      const keyServerProcesses: ManagedProcess[] = [];
      for (const [i, replica] of replicas.entries()) {
        const port = await freePort();
        const proc = startProcess(
          `keyserver-${t.name}-${i}`,
          process.execPath,
          [...replica.command.slice(1), ...replica.args],
          {
            env: { PATH: process.env.PATH ?? "", ...replica.env, KEYSERVER_ADDRESS: `127.0.0.1:${port}` },
          },
        );
        processes.push(proc);
        keyServerProcesses.push(proc);
        await waitUntil(
          `key server ${t.name}-${i}`,
          async () => (await httpsStatus(port, "/v1/ready", ca)) === 200,
          {
            proc,
            timeoutMs: 30_000,
          },
        );
        ports.push(port);
      }
      const endpoints = ports.map((p) => `https://localhost:${p}`);
      say(`  ${t.name}: ${ports.length} key server replica(s) ready at ${endpoints.join(", ")}`);

      const minioDir = path.join(work, "pods", t.name, "minio");
      // MinIO's first pod only: more replicas form one distributed MinIO whose peers are found by DNS names.
      const minioPods: (ResolvedContainer & { pod?: ApiPod })[] = kube
        ? await fromApi("statefulset", namespace, "minio", minioDir)
        : [];
      const m = minioPods[0] ?? resolved("statefulset", namespace, minioDir);
      const [s3Port, consolePort] = [await freePort(), await freePort()];
      const args = m.args.map((a) =>
        a === ":9000" ? `127.0.0.1:${s3Port}` : a === ":9001" ? `127.0.0.1:${consolePort}` : a,
      );
      const env: Record<string, string> = { ...m.env, MINIO_KMS_KES_ENDPOINT: endpoints.join(",") };
      const minio = startProcess(`minio-${t.name}`, testbedBinary("minio"), args, {
        env: { PATH: process.env.PATH ?? "", HOME: path.join(work, "pods", t.name, "minio"), ...env },
      });
      minios.push(minio);
      await waitUntil(
        `minio ${t.name}`,
        async () => (await httpStatus(s3Port, "/minio/health/ready")) === 200,
        {
          proc: minio,
          timeoutMs: 90_000,
        },
      );
      say(`  ${t.name}: MinIO ready at http://127.0.0.1:${s3Port}, SSE through its key server(s)`);

      const vault = (
        parseYaml(fileContent(ks, "config.yaml")) as { keystore: { vault: Record<string, string> } }
      ).keystore.vault;
      tenants.push({
        name: t.name,
        namespace,
        ...(kube ? { pods: [...replicas, ...minioPods].flatMap((r) => (r.pod ? [r.pod] : [])) } : {}),
        keyServerEndpoints: endpoints,
        keyServerProcesses,
        keyServerCa: ca,
        minioClient: { cert: fileContent(m, "/kes/client.crt"), key: fileContent(m, "/kes/client.key") },
        minioEndpoint: `http://127.0.0.1:${s3Port}`,
        minioCredentials: { accessKey: env.MINIO_ROOT_USER ?? "", secretKey: env.MINIO_ROOT_PASSWORD ?? "" },
        defaultKeyName: env.MINIO_KMS_KES_KEY_NAME ?? "",
        minioDataDir: m.writableDirs.find((d) => d.includes("data")) ?? m.writableDirs[0] ?? "",
        keystore: {
          engine: vault.engine ?? "kv",
          version: vault.version ?? "v1",
          prefix: vault.prefix ?? "",
          ...(vault.namespace ? { namespace: vault.namespace } : {}),
        },
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { file, tenants, stop };
}
