import * as path from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import { RuntimeSource } from "../../../../constructs/kubernetes/runtime-source";
import { parseDeployedOutputs } from "../../../../shared/deployed-outputs";
import {
  buildRolloutGraph,
  GRAPH_NODE_KINDS,
  type GraphNodeKind,
  type RolloutGraph,
} from "../../../../stacks/graph/rollout-graph";
import { parseTenantsFile } from "../../../../shared/tenants-file";
import { buildTenantsStacks } from "../../../../stacks/tenants-stacks";
import { example, twoNamespaces, TWO_NAMESPACES_YAML } from "./fixtures";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const kindCounts = (g: RolloutGraph) =>
  Object.fromEntries(GRAPH_NODE_KINDS.map((k) => [k, g.nodes.filter((n) => n.kind === k).length]));
const nodesOf = (g: RolloutGraph, kind: GraphNodeKind) => g.nodes.filter((n) => n.kind === kind);
const line = (g: RolloutGraph, kind: GraphNodeKind, tenant: string) =>
  g.nodes.find((n) => n.kind === kind && n.tenant === tenant)?.lines.join(" | ");

describe("rollout graph", () => {
  test("GIVEN the example (3 tenants, prefix isolation) WHEN built THEN one node per object, shared mounts once", () => {
    const g = buildRolloutGraph(example());
    expect(kindCounts(g)).toEqual({
      vault: 1,
      "vault-namespace": 0,
      "kv-mount": 1,
      "auth-mount": 1,
      "kv-prefix": 3,
      policy: 3,
      role: 3,
      "kubernetes-namespace": 3,
      "key-server": 3,
      minio: 3,
    });
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(g.nodes.length);
    for (const kind of ["vault", "kv-mount", "auth-mount"] as const) {
      expect(nodesOf(g, kind).map((n) => n.tenant)).toEqual([undefined]);
    }
    expect(g.clusters.map((c) => [c.tenant, c.stack])).toEqual([
      ["payments", "tenant-payments"],
      ["analytics", "tenant-analytics"],
      ["media", "tenant-media"],
    ]);
    expect(g.sharedStack).toBe("tenant-shared");
  });

  test("GIVEN one tenant with vault.login kubernetes in prefix isolation WHEN built THEN its Kubernetes auth mount is its own, not in the shared stack", () => {
    const g = buildRolloutGraph(
      parseTenantsFile(
        'vault: { endpoint: "https://vault:8200" }\nkubernetes: { apiServer: "https://10.0.0.1:6443" }\nstackPerTenant: true\ntenants:\n  - name: a\n    vault: { login: kubernetes }\n  - name: b\n',
      ),
    );
    expect(nodesOf(g, "auth-mount").map((n) => [n.tenant, n.lines.join(" | ")])).toEqual([
      ["a", "Kubernetes auth mount | auth/kubernetes-a/"],
      [undefined, "AppRole mount | auth/approle/"],
    ]);
    expect(line(g, "role", "a")).toBe("Kubernetes auth role | kes-kv-a");
    expect(line(g, "role", "b")).toBe("AppRole role | kes-kv-b");
  });

  test("GIVEN the example WHEN built THEN names and paths are the keystore spec's and the file's", () => {
    const g = buildRolloutGraph(example());
    expect(line(g, "kv-prefix", "media")).toBe("keys | kv/media-eu/<key>");
    expect(line(g, "policy", "payments")).toBe("policy | kes-kv-payments");
    expect(line(g, "role", "payments")).toBe("AppRole role | kes-kv-payments");
    expect(line(g, "policy", "media")).toMatch(/^policy \| kes-kv-media-eu\.[0-9a-f]{12}$/);
    expect(line(g, "key-server", "payments")).toBe("key server Deployment | keyserver \u00d73");
    expect(line(g, "minio", "media")).toBe("MinIO StatefulSet | minio \u00d71, 20Gi each");
    expect(nodesOf(g, "vault")[0].lines).toContain("https://vault.vault.svc:8200");
  });

  test("GIVEN 2 tenants in namespace isolation WHEN built THEN each has its own namespace, K/V and AppRole mount", () => {
    const g = buildRolloutGraph(twoNamespaces());
    expect(kindCounts(g)).toEqual({
      vault: 1,
      "vault-namespace": 2,
      "kv-mount": 2,
      "auth-mount": 2,
      "kv-prefix": 2,
      policy: 2,
      role: 2,
      "kubernetes-namespace": 2,
      "key-server": 2,
      minio: 2,
    });
    expect(line(g, "vault-namespace", "analytics")).toBe("Vault namespace | tenants/analytics");
    expect(line(g, "kv-prefix", "payments")).toBe("keys | kv/data/payments/<key>");
    expect(line(g, "auth-mount", "payments")).toBe(
      "AppRole mount | auth/approle/ | namespace tenants/payments",
    );
    expect(line(g, "minio", "analytics")).toBe("MinIO StatefulSet | minio \u00d72, 50Gi each");
    expect(nodesOf(g, "vault")[0].tenant).toBeUndefined();
    expect(g.sharedStack).toBeUndefined();
    expect(g.edges).toContainEqual(
      expect.objectContaining({ from: "vault", to: "vault-namespace:tenants/payments" }),
    );
  });

  test("GIVEN namespace isolation with vault.authNamespace WHEN built THEN one shared AppRole mount, policies there", () => {
    const file = parseTenantsFile(
      TWO_NAMESPACES_YAML.replace("parentNamespace: tenants", 'authNamespace: "/"'),
    );
    const g = buildRolloutGraph(file);
    expect(nodesOf(g, "auth-mount")).toEqual([
      expect.objectContaining({ id: "vault:/auth/approle", offboarded: false }),
    ]);
    expect(nodesOf(g, "auth-mount")[0].tenant).toBeUndefined();
    expect(nodesOf(g, "auth-mount")[0].lines).toContain("root namespace");
    expect(nodesOf(g, "kv-mount").map((n) => n.tenant)).toEqual(["payments", "analytics"]);
    expect(nodesOf(g, "policy").map((n) => n.id.startsWith("vault:/sys/policy/kes-"))).toEqual([true, true]);
    expect(new Set(nodesOf(g, "policy").map((n) => n.id)).size).toBe(2);
    expect(nodesOf(g, "role").every((n) => n.lines[2] === "root namespace")).toBe(true);
  });

  test("GIVEN an offboarded tenant WHEN built THEN its cluster, nodes and edges are marked, the shared mounts are not", () => {
    const yaml = `
vault: { endpoint: https://vault.vault.svc:8200 }
tenants:
  - name: leaving
    offboard: { keys: keep }
  - name: staying
`;
    const g = buildRolloutGraph(parseTenantsFile(yaml));
    expect(g.clusters[0]).toEqual({ tenant: "leaving", stack: "tenants", offboard: { keys: "keep" } });
    expect(g.clusters[1].offboard).toBeUndefined();
    const leaving = g.nodes.filter((n) => n.tenant === "leaving");
    expect(leaving.map((n) => n.kind)).toEqual([
      "kv-prefix",
      "policy",
      "role",
      "kubernetes-namespace",
      "key-server",
      "minio",
    ]);
    expect(leaving.every((n) => n.offboarded)).toBe(true);
    expect(g.nodes.filter((n) => n.tenant !== "leaving").every((n) => !n.offboarded)).toBe(true);
    expect(line(g, "kv-prefix", "leaving")).toBe("keys | kv/leaving/<key> | kept on offboarding");
    const ids = new Set(leaving.map((n) => n.id));
    for (const e of g.edges) expect(e.offboarded).toBe(ids.has(e.from) || ids.has(e.to));
    expect(g.edges.find((e) => e.from === "vault" && e.to === "vault:/kv")?.offboarded).toBe(false);
  });

  test("GIVEN an outputs file WHEN built THEN the endpoints label the workloads and no other output appears", () => {
    const deployed = parseDeployedOutputs(
      JSON.stringify({
        payments: {
          key_server_endpoints: ["https://keyserver.payments.svc.cluster.local:7373"],
          minio_endpoint: "http://minio.payments.svc.cluster.local:9000",
          role_id: "3f1c2b7e-role-id-value",
          secret_id_accessor: "accessor-value-9d8e",
          vault_key_path: "kv/payments/",
        },
        gone: { key_server_endpoints: [] },
      }),
    );
    const g = buildRolloutGraph(example(), deployed);
    expect(line(g, "key-server", "payments")).toBe(
      "key server Deployment | keyserver \u00d73 | https://keyserver.payments.svc.cluster.local:7373",
    );
    expect(line(g, "minio", "payments")).toContain("http://minio.payments.svc.cluster.local:9000");
    expect(line(g, "key-server", "analytics")).toBe("key server Deployment | keyserver \u00d72");
    const all = JSON.stringify(g);
    expect(all).not.toContain("3f1c2b7e-role-id-value");
    expect(all).not.toContain("accessor-value-9d8e");
    expect(g.unknownDeployedTenants).toEqual(["gone"]);
  });

  test("GIVEN defaults left out of the file WHEN built THEN the picture matches the synthesized stack", () => {
    const file = parseTenantsFile(`
vault: { endpoint: https://vault.vault.svc:8200, kvEngine: secrets }
tenants:
  - name: plain
  - name: tuned
    kubernetesNamespace: tuned-ns
    keyServer: { replicas: 5 }
    minio: { replicas: 1, storage: 1Gi }
`);
    const runtime = RuntimeSource.fromBundle(
      path.resolve(__dirname, "..", "..", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
    );
    const [stack] = buildTenantsStacks(Testing.app(), file, { runtime });
    const j: Json = JSON.parse(Testing.synth(stack as TerraformStack, true));
    const g = buildRolloutGraph(file);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const d of Object.values(j.resource.kubernetes_deployment_v1 as Json)) {
      const node = g.nodes.find(
        (n) => n.id === `kubernetes:${d.metadata.namespace}/deployment/${d.metadata.name}`,
      );
      expect(node?.lines[1]).toBe(`${d.metadata.name} \u00d7${d.spec.replicas}`);
    }
    for (const s of Object.values(j.resource.kubernetes_stateful_set_v1 as Json)) {
      const node = g.nodes.find(
        (n) => n.id === `kubernetes:${s.metadata.namespace}/statefulset/${s.metadata.name}`,
      );
      const storage = s.spec.volume_claim_template[0].spec.resources.requests.storage;
      expect(node?.lines[1]).toBe(`${s.metadata.name} \u00d7${s.spec.replicas}, ${storage} each`);
    }
    for (const p of Object.values(j.resource.vault_policy as Json))
      expect(ids).toContain(`vault:/sys/policy/${p.name}`);
    for (const r of Object.values(j.resource.vault_approle_auth_backend_role as Json)) {
      expect(ids).toContain(`vault:/auth/approle/role/${r.role_name}`);
    }
    for (const m of Object.values(j.resource.vault_mount as Json)) expect(ids).toContain(`vault:/${m.path}`);
    expect(Object.keys(j.resource.kubernetes_deployment_v1)).toHaveLength(2);
  });
});
