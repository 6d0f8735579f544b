/**
 * Renders the kubernetes_* resources of a synthesized stack (cdk.tf.json) as the Kubernetes objects the
 * provider would send to the API server, for review and for JSON-schema validation without a cluster.
 * Values known only at apply time (Secret data, checksums of Secrets) become the placeholder
 * {@link APPLY_TIME_PLACEHOLDER}; references to another object's name become that name. Pure.
 * @see https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs (provider block names)
 */
import { unescapeTerraformLiteral } from "./terraform-escape";

/** Stands for a value Terraform computes at apply time. */
export const APPLY_TIME_PLACEHOLDER = "computed-at-apply-time";

/** apiVersion and kind of each provider resource type this kit uses. */
export const RESOURCE_KINDS: Readonly<
  Record<string, { readonly apiVersion: string; readonly kind: string }>
> = {
  kubernetes_namespace_v1: { apiVersion: "v1", kind: "Namespace" },
  kubernetes_service_account_v1: { apiVersion: "v1", kind: "ServiceAccount" },
  kubernetes_secret_v1: { apiVersion: "v1", kind: "Secret" },
  kubernetes_config_map_v1: { apiVersion: "v1", kind: "ConfigMap" },
  kubernetes_service_v1: { apiVersion: "v1", kind: "Service" },
  kubernetes_deployment_v1: { apiVersion: "apps/v1", kind: "Deployment" },
  kubernetes_stateful_set_v1: { apiVersion: "apps/v1", kind: "StatefulSet" },
  kubernetes_pod_disruption_budget_v1: { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  kubernetes_network_policy_v1: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
  kubernetes_cluster_role_binding_v1: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
  },
};

/** One rendered object with the Terraform address it came from. */
export interface RenderedManifest {
  readonly address: string;
  readonly object: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Provider attributes that are not part of the Kubernetes object. */
const TERRAFORM_ONLY = new Set([
  "//",
  "wait_for_rollout",
  "wait_for_load_balancer",
  "wait_for_service_account_token",
  "timeouts",
  "depends_on",
  "lifecycle",
  "provider",
  "count",
  "for_each",
]);
/** Provider block names that differ from the API field beyond snake_case -> camelCase. */
const RENAMES: Readonly<Record<string, string>> = {
  container: "containers",
  init_container: "initContainers",
  volume: "volumes",
  volume_mount: "volumeMounts",
  topology_spread_constraint: "topologySpreadConstraints",
  volume_claim_template: "volumeClaimTemplates",
  toleration: "tolerations",
  image_pull_secrets: "imagePullSecrets",
  cluster_ip: "clusterIP",
  cluster_ips: "clusterIPs",
  external_ips: "externalIPs",
  load_balancer_ip: "loadBalancerIP",
  ip_block: "ipBlock",
  subject: "subjects",
  host_ipc: "hostIPC",
  host_pid: "hostPID",
};
/** API fields that are single objects where the provider has a list of one block. */
const SINGLE = new Set([
  "labelSelector",
  "updateStrategy",
  "rollingUpdate",
  "podSelector",
  "namespaceSelector",
  "ipBlock",
  "persistentVolumeClaimRetentionPolicy",
  "projected",
  "roleRef",
]);
/** API fields holding maps whose keys are data, not field names. */
const MAPS = new Set([
  "labels",
  "annotations",
  "matchLabels",
  "data",
  "stringData",
  "binaryData",
  "requests",
  "limits",
  "nodeSelector",
]);
/** API integers the provider takes as strings. */
const INTEGERS = new Set(["replicas", "runAsUser", "runAsGroup", "fsGroup"]);
/** API int-or-string fields: numeric strings are numbers there. */
const INT_OR_STRING = new Set(["port", "targetPort", "maxSurge", "maxUnavailable", "minAvailable"]);

const camel = (k: string, v?: unknown) =>
  // A container's and a Service's `port` blocks are the API's `ports` list; elsewhere `port` is a scalar.
  k === "port" && Array.isArray(v)
    ? "ports"
    : (RENAMES[k] ?? k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));

/**
 * Every kubernetes_* resource of a synthesized stack as a Kubernetes object.
 * @throws Error naming the resource type when it is a kubernetes_* type this renderer does not know.
 */
export function kubernetesManifests(synthesized: unknown): RenderedManifest[] {
  const resources = isObj(synthesized) && isObj(synthesized.resource) ? synthesized.resource : {};
  const names = new Map<string, string>();
  for (const [type, group] of Object.entries(resources)) {
    if (!type.startsWith("kubernetes_") || !isObj(group)) continue;
    for (const [id, r] of Object.entries(group)) {
      const md = isObj(r) ? (Array.isArray(r.metadata) ? r.metadata[0] : r.metadata) : undefined;
      if (isObj(md) && typeof md.name === "string") names.set(`${type}.${id}`, md.name);
    }
  }
  const NAME_REF = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/;
  const scalar = (v: string): string => {
    const m = NAME_REF.exec(v);
    if (m && names.has(m[1])) return names.get(m[1]) as string;
    // An interpolation that is not escaped ($${ is a literal) is computed by Terraform.
    if (/(^|[^$])\$\{/.test(v)) return APPLY_TIME_PLACEHOLDER;
    return unescapeTerraformLiteral(v);
  };

  const convert = (key: string, v: unknown, isMap: boolean): unknown => {
    if (typeof v === "string") {
      const s = scalar(v);
      if (INTEGERS.has(key) && /^[0-9]+$/.test(s)) return Number(s);
      if (key === "defaultMode" && /^0?[0-7]+$/.test(s)) return parseInt(s, 8);
      if (INT_OR_STRING.has(key) && /^[0-9]+$/.test(s)) return Number(s);
      return s;
    }
    if (Array.isArray(v)) {
      const items = v.map((x) => convert(key, x, false));
      return SINGLE.has(key) && items.length === 1 ? items[0] : items;
    }
    if (isObj(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        if (isMap) {
          out[k] = convert(k, x, false);
          continue;
        }
        const ck = camel(k, x);
        out[ck] = convert(ck, x, MAPS.has(ck));
      }
      return out;
    }
    return v;
  };

  const out: RenderedManifest[] = [];
  for (const [type, group] of Object.entries(resources)) {
    if (!type.startsWith("kubernetes_") || !isObj(group)) continue;
    const kind = RESOURCE_KINDS[type];
    if (!kind)
      throw new Error(`resource type ${type} is not one this renderer knows: add it to RESOURCE_KINDS`);
    for (const [id, r] of Object.entries(group)) {
      if (!isObj(r)) continue;
      const object: Obj = { apiVersion: kind.apiVersion, kind: kind.kind };
      for (const [k, x] of Object.entries(r)) {
        if (TERRAFORM_ONLY.has(k)) continue;
        // The provider's Secret `data` takes plain text, i.e. the API's stringData.
        const ck = kind.kind === "Secret" && k === "data" ? "stringData" : camel(k, x);
        const single = Array.isArray(x) && (ck === "metadata" || ck === "spec") ? x[0] : x;
        object[ck] = convert(ck, single, MAPS.has(ck));
      }
      // A Service's selector is a label map, unlike a workload's.
      if (kind.kind === "Service" && isObj(object.spec) && isObj(r.spec) && isObj((r.spec as Obj).selector)) {
        (object.spec as Obj).selector = convert("selector", (r.spec as Obj).selector, true);
      }
      out.push({ address: `${type}.${id}`, object });
    }
  }
  return out;
}
