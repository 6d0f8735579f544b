/**
 * The rollout of a tenants file as a graph model: one node per Vault or Kubernetes object, one cluster per
 * tenant. Names and paths come from the keystore spec of each tenant (`tenantDefinition` -> `Keystore.specOf`),
 * the same source the stacks are built from, so the picture cannot show a policy the deploy would not create.
 * A node's id is the object's identity (namespace + path, or Kubernetes namespace + kind + name): an object
 * tenants share, such as the K/V and AppRole mounts of prefix isolation, is one node. Pure.
 */
import { Keystore } from "../../constructs/vault/keystore";
import { KvVersion } from "../../constructs/vault/kv-version";
import { VaultAuthMethod } from "../../constructs/vault/vault-auth-method";
import { SHARED_STACK_ID, TENANTS_STACK_ID, tenantDefinition, tenantStackId } from "../tenants-stacks";
import type { TenantEntry, TenantsFile } from "../../shared/tenants-file";
import type { DeployedEndpoints } from "../../shared/deployed-outputs";

/** What a node stands for. */
export type GraphNodeKind =
  | "vault"
  | "vault-namespace"
  | "kv-mount"
  | "auth-mount"
  | "kv-prefix"
  | "policy"
  | "role"
  | "kubernetes-namespace"
  | "key-server"
  | "minio";

/** Every kind, in the order of the chain (left to right in the picture). */
export const GRAPH_NODE_KINDS: readonly GraphNodeKind[] = [
  "vault",
  "vault-namespace",
  "kv-mount",
  "auth-mount",
  "kv-prefix",
  "policy",
  "role",
  "kubernetes-namespace",
  "key-server",
  "minio",
];

/** One object of the rollout. */
export interface GraphNode {
  /** The object's identity, unique in the graph (Graphviz writes it as the node's `<title>`). */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** Label lines: what the object is, then its name or path and details. */
  readonly lines: readonly string[];
  /** The tenant whose cluster holds the node; undefined for shared objects. */
  readonly tenant?: string;
  /** The object belongs to a tenant being offboarded (the deploy destroys it). */
  readonly offboarded: boolean;
}

/** A relation between two objects, in the direction of the chain. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly offboarded: boolean;
}

/** One tenant's cluster. */
export interface TenantCluster {
  readonly tenant: string;
  /** The stack that holds the tenant. */
  readonly stack: string;
  /** Set when the tenant is being offboarded. */
  readonly offboard?: { readonly keys: "delete" | "keep" };
}

/** The whole picture. */
export interface RolloutGraph {
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly clusters: readonly TenantCluster[];
  /** Stack of the shared objects (the Vault node and shared mounts). */
  readonly sharedStack?: string;
  /** Tenants of the outputs file that the tenants file does not name (not shown). */
  readonly unknownDeployedTenants: readonly string[];
}

/**
 * Workload defaults of the constructs (KeyServer, Minio), shown when the tenants file leaves them out. A unit
 * test synthesizes the example and checks the picture against the synthesized Deployments and StatefulSets.
 */
export const WORKLOAD_DEFAULTS = {
  keyServerReplicas: 2,
  keyServerName: "keyserver",
  minioReplicas: 4,
  minioName: "minio",
  minioStorage: "10Gi",
} as const;

const nsLabel = (ns: string | undefined) =>
  ns === undefined || ns === "" ? "root namespace" : `namespace ${ns}`;
const vaultId = (ns: string | undefined, path: string) => `vault:${ns ?? ""}/${path}`;

class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();

  node(n: GraphNode): string {
    const had = this.nodes.get(n.id);
    // A shared object stays active while any tenant that is not leaving still uses it.
    if (had === undefined || (had.offboarded && !n.offboarded)) this.nodes.set(n.id, n);
    return n.id;
  }

  edge(e: GraphEdge): void {
    const key = `${e.from}\u0000${e.to}`;
    const had = this.edges.get(key);
    if (had === undefined || (had.offboarded && !e.offboarded)) this.edges.set(key, e);
  }

  result() {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }
}

/**
 * Builds the graph of a validated tenants file and, when given, the endpoints the deploy reported (only endpoints
 * are read: never role-ids or any other output).
 * @throws Error from KeystoreSpec when a tenant's keystore is invalid (parseTenantsFile has checked most).
 */
export function buildRolloutGraph(
  file: TenantsFile,
  deployed?: ReadonlyMap<string, DeployedEndpoints>,
): RolloutGraph {
  const g = new GraphBuilder();
  const perTenantStacks = file.stackPerTenant;
  const sharedKv = file.isolation === "prefix";
  const sharedAuth = file.isolation === "prefix" || file.vault.authNamespace !== undefined;
  const vault = g.node({
    id: "vault",
    kind: "vault",
    lines: ["Vault / OpenBao", file.vault.endpoint],
    offboarded: false,
  });
  const clusters: TenantCluster[] = [];
  for (const t of file.tenants) {
    clusters.push({
      tenant: t.name,
      stack: perTenantStacks ? tenantStackId(t.name) : TENANTS_STACK_ID,
      ...(t.offboard ? { offboard: t.offboard } : {}),
    });
    addTenant(g, file, t, vault, { sharedKv, sharedAuth }, deployed?.get(t.name));
  }
  const names = new Set(file.tenants.map((t) => t.name));
  const { nodes, edges } = g.result();
  return {
    title: `${file.tenants.length} tenant(s), ${file.isolation} isolation, K/V v${file.vault.kvVersion}`,
    nodes,
    edges,
    clusters,
    ...(perTenantStacks && (sharedKv || sharedAuth) ? { sharedStack: SHARED_STACK_ID } : {}),
    unknownDeployedTenants: [...(deployed?.keys() ?? [])].filter((n) => !names.has(n)),
  };
}

function addTenant(
  g: GraphBuilder,
  file: TenantsFile,
  t: TenantEntry,
  vault: string,
  shared: { sharedKv: boolean; sharedAuth: boolean },
  deployed: DeployedEndpoints | undefined,
): void {
  const spec = Keystore.specOf(tenantDefinition(file, t).keystore);
  const off = t.offboard !== undefined;
  const mine = { tenant: t.name, offboarded: off };
  const edge = (from: string, to: string, label?: string, offboarded = off) =>
    g.edge({ from, to, offboarded, ...(label ? { label } : {}) });

  // Vault: the keystore namespace (namespace isolation), the K/V mount, the auth mount.
  let kvParent = vault;
  if (spec.namespace !== undefined) {
    kvParent = g.node({
      id: `vault-namespace:${spec.namespace}`,
      kind: "vault-namespace",
      lines: ["Vault namespace", spec.namespace],
      ...mine,
    });
    edge(vault, kvParent);
  }
  const kvMount = g.node({
    id: vaultId(spec.namespace, spec.kvEngine),
    kind: "kv-mount",
    lines: [`K/V v${spec.kvVersion === KvVersion.V1 ? 1 : 2} mount`, `${spec.kvEngine}/`],
    ...(shared.sharedKv ? { offboarded: false } : mine),
  });
  // An edge between shared objects outlives a leaving tenant.
  edge(kvParent, kvMount, undefined, off && !shared.sharedKv);

  const authNs = spec.effectiveAuthNamespace;
  const method = spec.authMethod === VaultAuthMethod.APPROLE ? "AppRole" : "Kubernetes auth";
  // A tenant with Kubernetes login has an auth mount of its own, never the shared AppRole one.
  const sharedAuth = shared.sharedAuth && spec.authMethod === VaultAuthMethod.APPROLE;
  const authMount = g.node({
    id: vaultId(authNs, `auth/${spec.authEngine}`),
    kind: "auth-mount",
    lines: [
      `${method} mount`,
      `auth/${spec.authEngine}/`,
      ...(spec.namespace !== undefined ? [nsLabel(authNs)] : []),
    ],
    ...(sharedAuth ? { offboarded: false } : mine),
  });
  edge(sharedAuth ? vault : kvParent, authMount, undefined, off && !sharedAuth);

  // Policies and roles live beside the auth mount: say where when that is not the keystore's namespace.
  const authNsLine = spec.authNamespace !== undefined ? [nsLabel(authNs)] : [];
  const keys = spec.keyDataPath("<key>");
  const prefix = g.node({
    id: vaultId(spec.namespace, `${spec.listPath()}/`),
    kind: "kv-prefix",
    lines: [
      "keys",
      keys,
      ...(t.offboard
        ? [t.offboard.keys === "delete" ? "deleted on offboarding" : "kept on offboarding"]
        : []),
    ],
    ...mine,
  });
  edge(kvMount, prefix);

  const policy = g.node({
    id: vaultId(authNs, `sys/policy/${spec.policyName}`),
    kind: "policy",
    lines: ["policy", spec.policyName, ...authNsLine],
    ...mine,
  });
  edge(prefix, policy, "granted by");
  const role = g.node({
    id: vaultId(authNs, `auth/${spec.authEngine}/role/${spec.roleName}`),
    kind: "role",
    lines: [`${method} role`, spec.roleName, ...authNsLine],
    ...mine,
  });
  edge(policy, role);
  edge(authMount, role);

  // Kubernetes: the tenant's namespace, its key server Deployment and MinIO StatefulSet.
  const kubeNs = g.node({
    id: `kubernetes:namespace/${t.kubernetesNamespace}`,
    kind: "kubernetes-namespace",
    lines: [
      "Kubernetes namespace",
      t.kubernetesNamespace + (file.kubernetes.createNamespaces ? "" : " (existing)"),
    ],
    ...mine,
  });
  const ksReplicas = t.keyServer.replicas ?? WORKLOAD_DEFAULTS.keyServerReplicas;
  const keyServer = g.node({
    id: `kubernetes:${t.kubernetesNamespace}/deployment/${WORKLOAD_DEFAULTS.keyServerName}`,
    kind: "key-server",
    lines: [
      "key server Deployment",
      `${WORKLOAD_DEFAULTS.keyServerName} \u00d7${ksReplicas}`,
      ...(deployed?.keyServerEndpoints ?? []),
    ],
    ...mine,
  });
  edge(role, keyServer, "login");
  edge(kubeNs, keyServer);
  const minioReplicas = t.minio.replicas ?? WORKLOAD_DEFAULTS.minioReplicas;
  const minio = g.node({
    id: `kubernetes:${t.kubernetesNamespace}/statefulset/${WORKLOAD_DEFAULTS.minioName}`,
    kind: "minio",
    lines: [
      "MinIO StatefulSet",
      `${WORKLOAD_DEFAULTS.minioName} \u00d7${minioReplicas}, ${t.minio.storage ?? WORKLOAD_DEFAULTS.minioStorage} each`,
      ...(deployed?.minioEndpoint ? [deployed.minioEndpoint] : []),
    ],
    ...mine,
  });
  edge(keyServer, minio, "KMS");
  edge(kubeNs, minio);
}
