/**
 * Reads back, from a synthesized stack (cdk.tf.json), exactly what each kubernetes_deployment_v1 and
 * kubernetes_stateful_set_v1 declares for its first container: command, args, env and the files its volumes
 * mount. Values from Secrets are given as the Terraform expressions the Secrets hold (e.g.
 * `${tls_private_key.x.private_key_pem}`), to be resolved against the applied state with
 * {@link resolveStateExpression}. ConfigMap entries Terraform reads from a file of the stack (the key server
 * bundle asset) are read through the caller's `readStackFile`. This lets a local runner start the very processes
 * the cluster would run. Pure: no cdktf, no file access of its own.
 */
import * as path from "node:path";
import { unescapeTerraformLiteral } from "./terraform-escape";

/** An environment variable: a literal, or a Secret entry. */
export interface DeclaredEnv {
  readonly name: string;
  /** The literal value. */
  readonly value?: string;
  /** For a Secret entry the kit creates: the Terraform expression of the value. */
  readonly expression?: string;
  /** For a Secret entry of a Secret not in this stack: its name and key. */
  readonly externalSecret?: { readonly name: string; readonly key: string };
}

/** A file a volume mounts. */
export interface DeclaredFile {
  /** Absolute path inside the container. */
  readonly path: string;
  /** File mode, e.g. "0444". */
  readonly mode: string;
  /** Content known at synth (ConfigMap data). */
  readonly content?: string;
  /** Terraform expression of the content (Secret data of this stack). */
  readonly expression?: string;
  /** Secret not in this stack. */
  readonly externalSecret?: { readonly name: string; readonly key: string };
}

/** One workload's container as declared. */
export interface DeclaredContainer {
  readonly kind: "deployment" | "statefulset";
  /** Terraform resource address, e.g. `kubernetes_deployment_v1.ks_Deployment_1234abcd`. */
  readonly address: string;
  /** metadata.name of the workload. */
  readonly name: string;
  readonly namespace: string;
  readonly replicas: number;
  readonly containerName: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly DeclaredEnv[];
  readonly files: readonly DeclaredFile[];
  /** Writable directories (emptyDir volumes and volume claims). */
  readonly writableDirs: readonly string[];
  /** Readiness probe, when declared. */
  readonly readiness?: { readonly path: string; readonly port: number; readonly scheme: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A block rendered as an object, or as a list of one. */
function one(v: unknown): Obj | undefined {
  if (Array.isArray(v)) return isObj(v[0]) ? v[0] : undefined;
  return isObj(v) ? v : undefined;
}

function many(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj);
  return isObj(v) ? [v] : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

interface DataResource {
  readonly name: string;
  readonly namespace: string;
  readonly data: Readonly<Record<string, string>>;
}

/** Options of {@link declaredContainers}. */
export interface DeclaredContainersOptions {
  /**
   * Reads a file of the synthesized stack by its path relative to the stack's directory (e.g.
   * `(p) => fs.readFileSync(path.join(stackDir, p), "utf8")`), for ConfigMap entries Terraform reads from a file.
   * @default - such an entry throws
   */
  readonly readStackFile?: (relativePath: string) => string;
}

/** A ConfigMap entry Terraform reads from a stack file, marked sensitive (runtime-bundle-asset.ts); group 1: the path. */
const SENSITIVE_FILE = /^\$\{sensitive\(file\("([^"\\]+)"\)\)\}$/;

const REF = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/;

/**
 * The declared containers of every Deployment and StatefulSet in a synthesized stack.
 * @throws Error naming the resource when a workload has no container or refers to a ConfigMap/Secret entry
 *   that its resource does not hold, or mounts a stack file without `readStackFile`.
 */
export function declaredContainers(
  synthesized: unknown,
  opts: DeclaredContainersOptions = {},
): DeclaredContainer[] {
  const resources = isObj(synthesized) && isObj(synthesized.resource) ? synthesized.resource : {};
  const table = (type: string): Map<string, DataResource> => {
    const out = new Map<string, DataResource>();
    const group = resources[type];
    if (!isObj(group)) return out;
    for (const [id, r] of Object.entries(group)) {
      if (!isObj(r)) continue;
      const md = one(r.metadata) ?? {};
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(isObj(r.data) ? r.data : {})) data[k] = str(v) ?? "";
      out.set(id, { name: str(md.name) ?? id, namespace: str(md.namespace) ?? "default", data });
    }
    return out;
  };
  const configMaps = table("kubernetes_config_map_v1");
  const secrets = table("kubernetes_secret_v1");
  const lookup = (
    ref: string,
    namespace: string,
    type: "kubernetes_config_map_v1" | "kubernetes_secret_v1",
  ) => {
    const t = type === "kubernetes_config_map_v1" ? configMaps : secrets;
    const m = REF.exec(ref);
    if (m) return m[1] === type ? t.get(m[2]) : undefined;
    for (const r of t.values()) if (r.name === ref && r.namespace === namespace) return r;
    return undefined;
  };

  const out: DeclaredContainer[] = [];
  for (const [type, kind] of [
    ["kubernetes_deployment_v1", "deployment"],
    ["kubernetes_stateful_set_v1", "statefulset"],
  ] as const) {
    const group = resources[type];
    if (!isObj(group)) continue;
    for (const [id, r] of Object.entries(group)) {
      if (!isObj(r)) continue;
      const address = `${type}.${id}`;
      const md = one(r.metadata) ?? {};
      const namespace = str(md.namespace) ?? "default";
      const spec = one(r.spec) ?? {};
      const podSpec = one(one(spec.template)?.spec) ?? {};
      const container = many(podSpec.container)[0];
      if (!container) throw new Error(`${address} declares no container`);

      const env: DeclaredEnv[] = many(container.env).map((e) => {
        const name = str(e.name) ?? "";
        const ref = one(one(e.value_from)?.secret_key_ref);
        if (!ref) return { name, value: unescapeTerraformLiteral(str(e.value) ?? "") };
        const secretRef = str(ref.name) ?? "";
        const key = str(ref.key) ?? "";
        const secret = lookup(secretRef, namespace, "kubernetes_secret_v1");
        if (!secret) return { name, externalSecret: { name: secretRef, key } };
        if (!(key in secret.data))
          throw new Error(`${address} env ${name} refers to key "${key}" that its Secret does not hold`);
        return { name, expression: secret.data[key] };
      });

      const volumes = new Map(many(podSpec.volume).map((v) => [str(v.name) ?? "", v]));
      const files: DeclaredFile[] = [];
      const writableDirs: string[] = [];
      for (const claim of many(spec.volume_claim_template)) {
        const claimName = str(one(claim.metadata)?.name);
        for (const m of many(container.volume_mount))
          if (str(m.name) === claimName) writableDirs.push(str(m.mount_path) ?? "");
      }
      for (const mount of many(container.volume_mount)) {
        const dir = str(mount.mount_path) ?? "";
        const volume = volumes.get(str(mount.name) ?? "");
        if (!volume) continue;
        if (volume.empty_dir !== undefined) {
          writableDirs.push(dir);
          continue;
        }
        const cm = one(volume.config_map);
        const sec = one(volume.secret);
        const source = cm ?? sec;
        if (!source) continue;
        const mode = str(source.default_mode) ?? "0644";
        const refName = str(cm ? source.name : source.secret_name) ?? "";
        const holder = lookup(refName, namespace, cm ? "kubernetes_config_map_v1" : "kubernetes_secret_v1");
        const items = many(source.items).map((i) => ({ key: str(i.key) ?? "", path: str(i.path) ?? "" }));
        const entries =
          items.length > 0 ? items : Object.keys(holder?.data ?? {}).map((key) => ({ key, path: key }));
        for (const item of entries) {
          const filePath = path.posix.join(dir, item.path);
          if (!holder) {
            files.push({ path: filePath, mode, externalSecret: { name: refName, key: item.key } });
            continue;
          }
          if (!(item.key in holder.data))
            throw new Error(`${address} mounts key "${item.key}" that ${refName} does not hold`);
          const raw = holder.data[item.key];
          if (!cm) {
            files.push({ path: filePath, mode, expression: raw });
            continue;
          }
          const stackFile = SENSITIVE_FILE.exec(raw)?.[1];
          if (stackFile === undefined) {
            files.push({ path: filePath, mode, content: unescapeTerraformLiteral(raw) });
            continue;
          }
          if (!opts.readStackFile) {
            throw new Error(
              `${address} mounts ${filePath} from the stack's file ${stackFile}: pass readStackFile to read it from the synthesized stack's directory`,
            );
          }
          files.push({ path: filePath, mode, content: opts.readStackFile(stackFile) });
        }
      }
      const http = one(one(container.readiness_probe)?.http_get);
      out.push({
        kind,
        address,
        name: str(md.name) ?? id,
        namespace,
        replicas: Number(str(spec.replicas) ?? "1"),
        containerName: str(container.name) ?? "",
        image: str(container.image) ?? "",
        command: (Array.isArray(container.command) ? container.command : []).map((x) => str(x) ?? ""),
        args: (Array.isArray(container.args) ? container.args : []).map((x) =>
          unescapeTerraformLiteral(str(x) ?? ""),
        ),
        env,
        files,
        writableDirs,
        ...(http
          ? {
              readiness: {
                path: str(http.path) ?? "/",
                port: Number(str(http.port)),
                scheme: str(http.scheme) ?? "HTTP",
              },
            }
          : {}),
      });
    }
  }
  return out;
}

/** The parts of `terraform show -json` this module reads. */
export interface TerraformStateJson {
  readonly values?: {
    readonly root_module?: {
      readonly resources?: readonly { readonly address: string; readonly values: unknown }[];
    };
  };
}

const STATE_REF = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])+)\}$/;

/**
 * The value of a simple Terraform reference (`${type.name.attr}`, `${type.name.attr[0].sub}`) in an applied
 * state (`terraform show -json`); text without `${` is returned as is.
 * @throws Error naming the expression when it is not a simple reference, when the resource is not in the
 *   state, or when the attribute is missing or not a string.
 */
export function resolveStateExpression(expression: string, state: TerraformStateJson): string {
  if (!expression.includes("${")) return expression;
  const m = STATE_REF.exec(expression);
  if (!m)
    throw new Error(
      `expression ${JSON.stringify(expression)} is not a simple resource reference: only \${type.name.attribute} can be resolved`,
    );
  const resource = (state.values?.root_module?.resources ?? []).find((r) => r.address === m[1]);
  if (!resource)
    throw new Error(`expression ${expression}: resource ${m[1]} is not in the state: apply the stack first`);
  let v: unknown = resource.values;
  for (const part of m[2].match(/\.[A-Za-z0-9_]+|\[[0-9]+\]/g) ?? []) {
    if (part.startsWith(".")) v = isObj(v) ? v[part.slice(1)] : undefined;
    else v = Array.isArray(v) ? v[Number(part.slice(1, -1))] : undefined;
  }
  if (typeof v !== "string")
    throw new Error(`expression ${expression}: the state holds no string there (got ${JSON.stringify(v)})`);
  return v;
}

/**
 * The same container with every mounted and writable path moved under `root` (a local directory), and every
 * mention of those directories in args, literal env values and YAML ConfigMap contents (the config file; not
 * the bundle) rewritten alike. Never throws.
 */
export function relocateContainer(container: DeclaredContainer, root: string): DeclaredContainer {
  const dirs = [
    ...new Set([...container.files.map((f) => path.posix.dirname(f.path)), ...container.writableDirs]),
  ].sort((a, b) => b.length - a.length);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern =
    dirs.length === 0
      ? undefined
      : new RegExp(`(^|[\\s"'=:,])(${dirs.map(escape).join("|")})(?=$|[/\\s"',])`, "gm");
  const rewrite = (s: string) =>
    pattern ? s.replace(pattern, (_all, lead: string, dir: string) => `${lead}${path.join(root, dir)}`) : s;
  return {
    ...container,
    args: container.args.map(rewrite),
    env: container.env.map((e) => (e.value === undefined ? e : { ...e, value: rewrite(e.value) })),
    files: container.files.map((f) => ({
      ...f,
      path: path.join(root, f.path),
      ...(f.content === undefined || !/\.ya?ml$/.test(f.path) ? {} : { content: rewrite(f.content) }),
    })),
    writableDirs: container.writableDirs.map((d) => path.join(root, d)),
  };
}

/** A declared container with every value known: what a local runner starts. */
export interface ResolvedContainer {
  readonly name: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Files to write before starting, with their modes (e.g. 0o444). */
  readonly files: readonly { readonly path: string; readonly mode: number; readonly content: string }[];
  /** Directories to create, writable. */
  readonly writableDirs: readonly string[];
}

/**
 * The container with every Secret value resolved against an applied state (`terraform show -json`).
 * @throws Error naming the container and the entry when a value comes from a Secret outside the stack, or
 *   as {@link resolveStateExpression} when the state lacks it.
 */
export function resolveContainer(container: DeclaredContainer, state: TerraformStateJson): ResolvedContainer {
  const value = (
    what: string,
    v: {
      value?: string;
      content?: string;
      expression?: string;
      externalSecret?: { name: string; key: string };
    },
  ) => {
    if (v.externalSecret) {
      throw new Error(
        `${container.address} ${what} comes from Secret ${v.externalSecret.name} (key ${v.externalSecret.key}), which is not in the stack: provide it yourself`,
      );
    }
    return v.value ?? v.content ?? resolveStateExpression(v.expression ?? "", state);
  };
  return {
    name: container.name,
    command: container.command,
    args: container.args,
    env: Object.fromEntries(container.env.map((e) => [e.name, value(`env ${e.name}`, e)])),
    files: container.files.map((f) => ({
      path: f.path,
      mode: parseInt(f.mode, 8),
      content: value(`file ${f.path}`, f),
    })),
    writableDirs: container.writableDirs,
  };
}
