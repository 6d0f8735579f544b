/**
 * Reads what a pod, as the API server stored it (after defaulting and admission), gives its first container:
 * command, args, env and the files its volumes mount, with the values of the Secrets and ConfigMaps it refers to
 * and the projected service-account tokens a kubelet would write. The result has the shape of a declared
 * container with every value literal, so the local runner relocates and starts it like one (see rollout.ts).
 * Pure: the caller fetches the objects and the tokens.
 */
import type {
  DeclaredContainer,
  DeclaredEnv,
  DeclaredFile,
} from "../constructs/kubernetes/declared-containers";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The objects a pod refers to, by name (as read from its namespace). */
export interface PodObjects {
  /** Secrets by name, `data` base64-encoded as the API returns it. */
  readonly secrets: Readonly<Record<string, { readonly data?: Readonly<Record<string, string>> }>>;
  /** ConfigMaps by name. */
  readonly configMaps: Readonly<Record<string, { readonly data?: Readonly<Record<string, string>> }>>;
  /** Service-account tokens by `<audience>` ("" for the API server's default audience). */
  readonly tokens: Readonly<Record<string, string>>;
}

/** A projected service-account token a pod asks for. */
export interface ProjectedTokenRequest {
  /** "" for the API server's default audience. */
  readonly audience: string;
  readonly expirationSeconds: number;
}

const octal = (mode: number | undefined) => `0${(mode ?? 0o644).toString(8)}`;

/** Every projected service-account token the pod's volumes ask for. */
export function projectedTokenRequests(pod: Json): ProjectedTokenRequest[] {
  const out: ProjectedTokenRequest[] = [];
  for (const v of (pod.spec?.volumes ?? []) as Json[]) {
    for (const s of (v.projected?.sources ?? []) as Json[]) {
      if (s.serviceAccountToken) {
        out.push({
          audience: s.serviceAccountToken.audience ?? "",
          expirationSeconds: s.serviceAccountToken.expirationSeconds ?? 3600,
        });
      }
    }
  }
  return out;
}

/**
 * The pod's first container with every value taken from `objects`.
 * @throws Error naming the pod and the missing Secret, ConfigMap, key or token, or an unsupported volume type.
 */
export function containerFromPod(
  pod: Json,
  kind: DeclaredContainer["kind"],
  objects: PodObjects,
): DeclaredContainer {
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const container = (pod.spec?.containers ?? [])[0] as Json | undefined;
  if (!container) throw new Error(`pod ${name} has no container`);
  const fromSecret = (secret: string, key: string, what: string) => {
    const data = objects.secrets[secret]?.data;
    if (data?.[key] === undefined)
      throw new Error(`pod ${name}: ${what} needs key ${key} of Secret ${secret}, which is missing`);
    return Buffer.from(data[key], "base64").toString("utf8");
  };
  const fromConfigMap = (cm: string, key: string, what: string) => {
    const data = objects.configMaps[cm]?.data;
    if (data?.[key] === undefined)
      throw new Error(`pod ${name}: ${what} needs key ${key} of ConfigMap ${cm}, which is missing`);
    return data[key];
  };

  const env: DeclaredEnv[] = ((container.env ?? []) as Json[]).map((e) => {
    if (e.value !== undefined) return { name: e.name, value: String(e.value) };
    const s = e.valueFrom?.secretKeyRef;
    if (s) return { name: e.name, value: fromSecret(s.name, s.key, `env ${e.name}`) };
    const c = e.valueFrom?.configMapKeyRef;
    if (c) return { name: e.name, value: fromConfigMap(c.name, c.key, `env ${e.name}`) };
    throw new Error(`pod ${name}: env ${e.name} has a source the local runner does not support`);
  });

  const volumes = new Map<string, Json>(((pod.spec?.volumes ?? []) as Json[]).map((v) => [v.name, v]));
  const files: DeclaredFile[] = [];
  const writableDirs: string[] = [];
  for (const m of (container.volumeMounts ?? []) as Json[]) {
    const v = volumes.get(m.name);
    if (!v) throw new Error(`pod ${name}: mount ${m.name} names no volume`);
    const dir = m.mountPath as string;
    const items = (
      source: Json,
      data: Readonly<Record<string, string>> | undefined,
    ): { key: string; path: string; mode?: number }[] =>
      (source.items as { key: string; path: string; mode?: number }[] | undefined) ??
      Object.keys(data ?? {}).map((key) => ({ key, path: key }));
    if (v.configMap) {
      const data = objects.configMaps[v.configMap.name]?.data;
      for (const it of items(v.configMap, data)) {
        files.push({
          path: `${dir}/${it.path}`,
          mode: octal(it.mode ?? v.configMap.defaultMode),
          content: fromConfigMap(v.configMap.name, it.key, `volume ${v.name}`),
        });
      }
    } else if (v.secret) {
      const data = objects.secrets[v.secret.secretName]?.data;
      for (const it of items(v.secret, data)) {
        files.push({
          path: `${dir}/${it.path}`,
          mode: octal(it.mode ?? v.secret.defaultMode),
          content: fromSecret(v.secret.secretName, it.key, `volume ${v.name}`),
        });
      }
    } else if (v.projected) {
      for (const s of (v.projected.sources ?? []) as Json[]) {
        const t = s.serviceAccountToken;
        if (!t) throw new Error(`pod ${name}: projected volume ${v.name} has a source other than a token`);
        const token = objects.tokens[t.audience ?? ""];
        if (token === undefined)
          throw new Error(`pod ${name}: no token for audience ${JSON.stringify(t.audience ?? "")}`);
        files.push({ path: `${dir}/${t.path}`, mode: octal(v.projected.defaultMode), content: token });
      }
    } else if (v.emptyDir || v.persistentVolumeClaim) {
      writableDirs.push(dir);
    } else {
      throw new Error(`pod ${name}: volume ${v.name} has a type the local runner does not support`);
    }
  }
  const probe = container.readinessProbe?.httpGet as Json | undefined;
  return {
    kind,
    address: `pod ${name}`,
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    replicas: 1,
    containerName: container.name,
    image: container.image,
    command: container.command ?? [],
    args: container.args ?? [],
    env,
    files,
    writableDirs,
    ...(probe
      ? { readiness: { path: probe.path, port: Number(probe.port), scheme: String(probe.scheme ?? "HTTP") } }
      : {}),
  };
}
