/**
 * A real Kubernetes control plane on loopback, from the test bed's binaries: etcd, kube-apiserver (Pod Security
 * admission on, RBAC, a static admin token, a service-account signing key, a self-signed serving certificate),
 * kube-controller-manager (with its host-path provisioner, so volume claims bind), kube-scheduler, and kwok,
 * which plays the kubelets of simulated nodes: it marks the nodes Ready and the pods scheduled to them Running
 * and Ready. No container runs and there is no CNI (NetworkPolicy objects are stored, not enforced).
 * Everything listens on free 127.0.0.1 ports and is stopped by pid.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { testbedBinary } from "./env";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "./process";

/** Result of a Kubernetes API call. */
export interface KubeResponse {
  readonly status: number;
  /** Parsed JSON body (undefined when empty). */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Options of {@link startKubeControlPlane}. */
export interface KubeControlPlaneOptions {
  /**
   * Number of simulated (kwok) nodes.
   * @default 2
   */
  readonly nodes?: number;
}

/** A running control plane. */
export interface KubeControlPlane {
  /** https://127.0.0.1:<port> of the API server. */
  readonly server: string;
  /** Admin kubeconfig (static token, CA of the serving certificate). */
  readonly kubeconfigPath: string;
  /** The admin's bearer token (group system:masters). A secret of the test bed: do not print it. */
  readonly adminToken: string;
  /** PEM the API server's certificate chains to (for clients, and Vault's Kubernetes auth config). */
  readonly caPem: string;
  /** Issuer of service-account tokens (`iss`), also their default audience. */
  readonly serviceAccountIssuer: string;
  /** PEM file of the service-account signing key (a test-bed secret: lets tests forge e.g. expired tokens). */
  readonly serviceAccountKeyFile: string;
  /** Names of the simulated nodes. */
  readonly nodeNames: readonly string[];
  /** Milliseconds from the first process start to a schedulable node. */
  readonly startMs: number;
  /** The processes, in start order. */
  readonly processes: readonly ManagedProcess[];
  /** Environment for the kubernetes Terraform provider (KUBE_CONFIG_PATH). */
  readonly env: Readonly<Record<string, string>>;
  /** Calls the API as the admin: `request("GET", "/api/v1/namespaces")`. */
  request(
    method: string,
    apiPath: string,
    body?: unknown,
    opts?: { token?: string; contentType?: string },
  ): Promise<KubeResponse>;
  /** Stops every process by its pid (reverse start order) and removes the working folder. */
  stop(): Promise<void>;
}

/** Annotation kwok selects the nodes it manages by. */
/**
 * The `kubernetes:` section of a tenants file (YAML lines) that points Vault's Kubernetes auth at this control
 * plane: its API address and CA certificate as a block scalar.
 */
export function tenantsFileKubernetesSection(kube: Pick<KubeControlPlane, "server" | "caPem">): string[] {
  return [
    "kubernetes:",
    `  apiServer: "${kube.server}"`,
    "  apiServerCaCert: |",
    ...kube.caPem
      .trimEnd()
      .split("\n")
      .map((l) => `    ${l}`),
  ];
}

export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
/** The default StorageClass the fixture creates (host-path provisioner of the controller-manager). */
export const TESTBED_STORAGE_CLASS = "testbed-hostpath";

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: testbed",
    "    cluster:",
    `      server: ${server}`,
    `      certificate-authority-data: ${ca}`,
    "users:",
    "  - name: admin",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: testbed",
    "    context: { cluster: testbed, user: admin }",
    "current-context: testbed",
    "",
  ].join("\n");
}

function apiCall(
  server: string,
  caPem: string,
  token: string,
  method: string,
  apiPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<KubeResponse> {
  const url = new URL(apiPath, server);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        ca: caPem,
        timeout: 30_000,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(payload === undefined
            ? {}
            : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString("utf8")));
        res.on("end", () => {
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${apiPath}: timed out`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * Starts the control plane (see the file comment) and waits until the API server is ready and every simulated
 * node is Ready without the not-ready taint (so pods schedule). About 10 s on 2 cores.
 * @throws Error naming the missing test-bed component (with the install command), or the component that did not
 *   become ready, with its output. Whatever was started is stopped first.
 */
export async function startKubeControlPlane(opts: KubeControlPlaneOptions = {}): Promise<KubeControlPlane> {
  const bins = {
    etcd: testbedBinary("etcd"),
    apiserver: testbedBinary("kube-apiserver"),
    controllerManager: testbedBinary("kube-controller-manager"),
    scheduler: testbedBinary("kube-scheduler"),
    kwok: testbedBinary("kwok"),
  };
  const nodeCount = opts.nodes ?? 2;
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-kube-"));
  fs.chmodSync(dir, 0o700);
  const processes: ManagedProcess[] = [];
  /** Folders the controller-manager's host-path provisioner made for this control plane's volumes. */
  let provisionedDirs: () => Promise<string[]> = async () => [];
  const stopAll = async () => {
    const volumes = await provisionedDirs().catch(() => []);
    for (const p of [...processes].reverse()) await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    for (const v of volumes) fs.rmSync(v, { recursive: true, force: true });
  };

  try {
    // Service-account signing key and the admin's static token.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = path.join(dir, "sa.key");
    const saPub = path.join(dir, "sa.pub");
    fs.writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    const adminToken = randomBytes(24).toString("hex");
    const tokens = path.join(dir, "tokens.csv");
    fs.writeFileSync(tokens, `${adminToken},kvk-admin,kvk-admin,"system:masters"\n`, { mode: 0o600 });

    const [etcdPort, etcdPeerPort, apiPort, cmPort, schedPort, kwokPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess("etcd", bins.etcd, [
      "--name=kvk",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=kvk=http://127.0.0.1:${etcdPeerPort}`,
      "--unsafe-no-fsync", // a throw-away test store: durability does not matter, speed does
      "--log-level=warn",
    ]);
    processes.push(etcd);
    await waitUntil(
      `etcd on ${etcdUrl}`,
      async () =>
        ((await (await fetch(`${etcdUrl}/health`)).json()) as { health?: string }).health === "true",
      { proc: etcd, timeoutMs: 30_000 },
    );

    const server = `https://127.0.0.1:${apiPort}`;
    const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";
    const certDir = path.join(dir, "pki");
    const apiserver = startProcess("kube-apiserver", bins.apiserver, [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokens}`,
      "--authorization-mode=Node,RBAC",
      `--service-account-issuer=${serviceAccountIssuer}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      // PodSecurity is on by default since 1.25; named so that removing it is a visible act.
      "--enable-admission-plugins=PodSecurity,NamespaceLifecycle,ServiceAccount,DefaultStorageClass,TaintNodesByCondition",
      "--allow-privileged=false",
      // The `kubernetes` Service would get a loopback endpoint, which the API refuses: no reconciler.
      "--endpoint-reconciler-type=none",
      "--profiling=false",
      "--v=0",
    ]);
    processes.push(apiserver);
    let caPem = "";
    await waitUntil(
      "kube-apiserver serving certificate",
      async () => fs.existsSync(path.join(certDir, "apiserver.crt")),
      { proc: apiserver, timeoutMs: 60_000 },
    );
    caPem = fs.readFileSync(path.join(certDir, "apiserver.crt"), "utf8");
    const request = (
      method: string,
      apiPath: string,
      body?: unknown,
      o: { token?: string; contentType?: string } = {},
    ) => apiCall(server, caPem, o.token ?? adminToken, method, apiPath, body, o.contentType);
    await waitUntil(
      `kube-apiserver ${server}/readyz`,
      async () => (await request("GET", "/readyz")).status === 200,
      {
        proc: apiserver,
        timeoutMs: 90_000,
        intervalMs: 250,
      },
    );

    provisionedDirs = async () => {
      const r = await request("GET", "/api/v1/persistentvolumes");
      const items = (r.body?.items ?? []) as { spec?: { hostPath?: { path?: string } } }[];
      return items
        .map((pv) => pv.spec?.hostPath?.path ?? "")
        .filter((p) => /^\/tmp\/hostpath_pv\/[0-9a-f-]+$/.test(p));
    };
    const kubeconfigPath = path.join(dir, "admin.kubeconfig");
    fs.writeFileSync(kubeconfigPath, kubeconfigYaml(server, caPem, adminToken), { mode: 0o600 });
    const caFile = path.join(dir, "ca.crt");
    fs.writeFileSync(caFile, caPem);

    processes.push(
      startProcess("kube-controller-manager", bins.controllerManager, [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${cmPort}`,
        "--leader-elect=false",
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${caFile}`,
        "--use-service-account-credentials=false",
        "--cluster-name=kvk-testbed",
        // Dynamic host-path volumes under /tmp: what a StorageClass gives a real cluster, for MinIO's claims.
        "--enable-hostpath-provisioner=true",
        "--v=0",
      ]),
      startProcess("kube-scheduler", bins.scheduler, [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${schedPort}`,
        "--leader-elect=false",
        "--v=0",
      ]),
      startProcess("kwok", bins.kwok, [
        `--kubeconfig=${kubeconfigPath}`,
        "--manage-all-nodes=false",
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--server-address=127.0.0.1:${kwokPort}`,
        "--node-ip=127.0.0.1",
        // Renew each node's Lease, as a kubelet does. Without one the node controller finds the node silent
        // after its grace period (about 50 s), marks its pods not ready, and kwok never sets them ready again.
        "--node-lease-duration-seconds=40",
      ]),
    );

    const must = async (what: string, call: Promise<KubeResponse>) => {
      const r = await call;
      if (r.status >= 300) throw new Error(`kube: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
      return r;
    };
    await must(
      "create the default StorageClass",
      request("POST", "/apis/storage.k8s.io/v1/storageclasses", {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: {
          name: TESTBED_STORAGE_CLASS,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "kubernetes.io/host-path",
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
      }),
    );
    const nodeNames = Array.from({ length: nodeCount }, (_, i) => `kwok-node-${i}`);
    for (const [i, name] of nodeNames.entries()) {
      await must(
        `create node ${name}`,
        request("POST", "/api/v1/nodes", {
          apiVersion: "v1",
          kind: "Node",
          metadata: {
            name,
            annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: {
              "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              "topology.kubernetes.io/zone": `zone-${i % 2}`,
              type: "kwok",
            },
          },
          status: {
            allocatable: { cpu: "16", memory: "64Gi", pods: "110" },
            capacity: { cpu: "16", memory: "64Gi", pods: "110" },
          },
        }),
      );
    }
    const schedulable = async (name: string) => {
      const r = await request("GET", `/api/v1/nodes/${name}`);
      const node = r.body as {
        spec?: { taints?: { key: string }[] };
        status?: { conditions?: { type: string; status: string }[] };
      };
      const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
      const notReadyTaint = node.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/")) ?? false;
      return ready && !notReadyTaint;
    };
    for (const name of nodeNames) {
      await waitUntil(`simulated node ${name} Ready and schedulable`, () => schedulable(name), {
        timeoutMs: 90_000,
        intervalMs: 250,
      }).catch((e: Error) => {
        const outputs = processes.slice(2).map((p) => `--- ${p.name}:\n${p.output().slice(-3000)}`);
        throw new Error(`${e.message}\n${outputs.join("\n")}`);
      });
    }

    return {
      server,
      kubeconfigPath,
      adminToken,
      caPem,
      serviceAccountIssuer,
      serviceAccountKeyFile: saKey,
      nodeNames,
      startMs: Date.now() - t0,
      processes,
      env: { KUBE_CONFIG_PATH: kubeconfigPath },
      request,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
