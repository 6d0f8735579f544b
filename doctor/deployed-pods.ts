/**
 * What the tenant's pods are given, read where they read it: the first key server pod and MinIO's first pod
 * as the API server holds them, with the Secrets, ConfigMaps and projected service-account tokens they use
 * (shared/api-pods.ts resolves them, as for the local runner). The doctor keeps only what it needs.
 */
import { parse as parseYaml } from "yaml";
import { containerFromPod } from "../shared/api-pods";
import { requestProjectedTokens } from "../shared/pod-tokens";
import type { KubeApi } from "./kube";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The key server's keystore.vault block with its `${ENV}` references resolved. Holds secrets. */
export interface KeyServerVaultConfig {
  readonly endpoint: string;
  readonly engine: string;
  readonly version: string;
  readonly prefix: string;
  readonly namespace?: string;
  readonly approle?: { engine: string; namespace?: string; id: string; secret: string };
  readonly kubernetes?: { engine: string; namespace?: string; role: string; jwt: string };
}

/** What one tenant's pods hold. Secret fields are listed in `secrets`. */
export interface DeployedTenant {
  readonly keyServerPod: string;
  readonly vault: KeyServerVaultConfig;
  /** The key name prefix MinIO's key server policy allows (from `/v1/key/create/<prefix>*`). */
  readonly keyNamePrefix: string;
  readonly minioPod: string;
  /** MinIO's client certificate and key for the key server, and the CA it trusts the key server with. */
  readonly minioKes: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly minioRoot: { readonly accessKey: string; readonly secretKey: string };
  readonly minioDefaultKey: string;
  /** Every secret value read (secret-id, tokens, private keys, MinIO's root password). */
  readonly secrets: readonly string[];
}

async function firstPod(kube: KubeApi, namespace: string, component: string): Promise<Json> {
  const r = await kube.request(
    "GET",
    `/api/v1/namespaces/${namespace}/pods?labelSelector=app.kubernetes.io%2Fname%3D${component}`,
  );
  if (r.status !== 200) {
    throw new Error(
      `listing ${component} pods in namespace ${namespace}: HTTP ${r.status} ${r.body.message ?? ""}`,
    );
  }
  const pods = ((r.body.items ?? []) as Json[]).sort((a, b) =>
    String(a.metadata.name).localeCompare(String(b.metadata.name)),
  );
  if (pods.length === 0) throw new Error(`no ${component} pod in namespace ${namespace}`);
  return pods[0];
}

async function resolvedContainer(kube: KubeApi, pod: Json, kind: "deployment" | "statefulset") {
  const ns = `/api/v1/namespaces/${pod.metadata.namespace}`;
  const list = async (what: string) => {
    const r = await kube.request("GET", `${ns}/${what}`);
    if (r.status !== 200)
      throw new Error(`listing ${what} of ${ns}: HTTP ${r.status} ${r.body.message ?? ""}`);
    return Object.fromEntries(
      ((r.body.items ?? []) as Json[]).map((o) => [o.metadata.name as string, { data: o.data }]),
    );
  };
  const tokens = await requestProjectedTokens(kube, pod, 600);
  const c = containerFromPod(pod, kind, {
    secrets: await list("secrets"),
    configMaps: await list("configmaps"),
    tokens,
  });
  return { container: c, tokens: Object.values(tokens) };
}

const envOf = (c: { env: readonly { name: string; value?: string }[] }, name: string) =>
  c.env.find((e) => e.name === name)?.value;

/**
 * Reads the tenant's key server and MinIO pods in `namespace` through the API server.
 * @throws Error naming the pod and what is missing.
 */
export async function readDeployedTenant(kube: KubeApi, namespace: string): Promise<DeployedTenant> {
  const ksPod = await firstPod(kube, namespace, "keyserver");
  const ks = await resolvedContainer(kube, ksPod, "deployment");
  const podName = `${namespace}/${ksPod.metadata.name}`;
  const configFile = ks.container.files.find((f) => f.path.endsWith("/config.yaml"));
  if (!configFile?.content) throw new Error(`pod ${podName} mounts no config.yaml`);
  const env = new Map(ks.container.env.map((e) => [e.name, e.value ?? ""]));
  const secrets: string[] = [...ks.tokens, ...kube.secrets];
  const config = parseYaml(configFile.content) as Json;
  const substitute = (v: unknown): string =>
    String(v ?? "").replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, n: string) => env.get(n) ?? "");
  const v = (config.keystore?.vault ?? {}) as Json;
  let vault: KeyServerVaultConfig = {
    endpoint: substitute(v.endpoint),
    engine: String(v.engine ?? "kv"),
    version: String(v.version ?? "v1"),
    prefix: String(v.prefix ?? ""),
    ...(v.namespace ? { namespace: String(v.namespace) } : {}),
  };
  if (v.approle) {
    const secret = substitute(v.approle.secret);
    secrets.push(secret);
    vault = {
      ...vault,
      approle: {
        engine: String(v.approle.engine ?? "approle"),
        ...(v.approle.namespace ? { namespace: String(v.approle.namespace) } : {}),
        id: substitute(v.approle.id),
        secret,
      },
    };
  } else if (v.kubernetes) {
    const jwtFile = ks.container.files.find((f) => f.path === v.kubernetes.jwt);
    if (!jwtFile?.content) throw new Error(`pod ${podName} mounts no token at ${v.kubernetes.jwt}`);
    secrets.push(jwtFile.content);
    vault = {
      ...vault,
      kubernetes: {
        engine: String(v.kubernetes.engine ?? "kubernetes"),
        ...(v.kubernetes.namespace ? { namespace: String(v.kubernetes.namespace) } : {}),
        role: String(v.kubernetes.role),
        jwt: jwtFile.content,
      },
    };
  } else {
    throw new Error(`pod ${podName}: config.yaml's keystore.vault has neither approle nor kubernetes login`);
  }
  const allow = Object.values((config.policy ?? {}) as Record<string, { allow?: string[] }>).flatMap(
    (p) => p.allow ?? [],
  );
  const create = allow.map((a) => /^\/v1\/key\/create\/(.*)\*$/.exec(a)?.[1]).find((p) => p !== undefined);
  if (create === undefined)
    throw new Error(`pod ${podName}: no client may create keys (policy in config.yaml)`);

  const mPod = await firstPod(kube, namespace, "minio");
  const m = await resolvedContainer(kube, mPod, "statefulset");
  const mName = `${namespace}/${mPod.metadata.name}`;
  const fileAt = (envName: string) => {
    const p = envOf(m.container, envName);
    const f = m.container.files.find((x) => x.path === p);
    if (!f?.content)
      throw new Error(`pod ${mName}: ${envName} names ${p ?? "no file"}, which no volume mounts`);
    return f.content;
  };
  const minioKes = {
    cert: fileAt("MINIO_KMS_KES_CERT_FILE"),
    key: fileAt("MINIO_KMS_KES_KEY_FILE"),
    ca: fileAt("MINIO_KMS_KES_CAPATH"),
  };
  const minioRoot = {
    accessKey: envOf(m.container, "MINIO_ROOT_USER") ?? "",
    secretKey: envOf(m.container, "MINIO_ROOT_PASSWORD") ?? "",
  };
  secrets.push(minioKes.key, minioRoot.secretKey, ...m.tokens);
  return {
    keyServerPod: podName,
    vault,
    keyNamePrefix: create,
    minioPod: mName,
    minioKes,
    minioRoot,
    minioDefaultKey: envOf(m.container, "MINIO_KMS_KES_KEY_NAME") ?? "",
    secrets: secrets.filter((s) => s.length > 0),
  };
}
