/**
 * The rollout graph as Graphviz DOT text: left to right along the chain (Vault -> mounts -> keys -> policy ->
 * role -> key server -> MinIO), one cluster per tenant, the shared objects in a cluster of their own, tenants
 * being offboarded dashed and grey. Layout is Graphviz's `dot`; this file only describes the graph. Pure.
 * @see https://graphviz.org/doc/info/lang.html
 */
import type { GraphEdge, GraphNode, GraphNodeKind, RolloutGraph } from "./rollout-graph";

/** Font the picture is drawn with (Graphviz sizes the boxes for it; the PNG renderer loads it). */
export const GRAPH_FONT = "DejaVu Sans";

interface KindStyle {
  readonly shape: string;
  readonly fill: string;
}

const VAULT_FILL = "#fff4cc";
const KUBE_FILL = "#dbe9ff";
const KIND_STYLES: Record<GraphNodeKind, KindStyle> = {
  vault: { shape: "cylinder", fill: "#ffe08a" },
  "vault-namespace": { shape: "tab", fill: VAULT_FILL },
  "kv-mount": { shape: "folder", fill: VAULT_FILL },
  "auth-mount": { shape: "component", fill: VAULT_FILL },
  "kv-prefix": { shape: "folder", fill: "#fffaf0" },
  policy: { shape: "note", fill: VAULT_FILL },
  role: { shape: "box", fill: VAULT_FILL },
  "kubernetes-namespace": { shape: "tab", fill: KUBE_FILL },
  "key-server": { shape: "box3d", fill: KUBE_FILL },
  minio: { shape: "cylinder", fill: "#ffd9d9" },
};
const GREY = "#9a9a9a";

/** A DOT quoted string. Label lines are joined with DOT's `\n` escape. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function attrs(a: Record<string, string | number | undefined>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "number" ? v : dotString(v as string)}`);
  return `[${parts.join(", ")}]`;
}

function nodeLine(n: GraphNode, indent: string): string {
  const style = KIND_STYLES[n.kind];
  const a = attrs({
    class: n.kind,
    shape: style.shape,
    style: n.offboarded ? "dashed" : "filled",
    fillcolor: n.offboarded ? undefined : style.fill,
    color: n.offboarded ? GREY : undefined,
    fontcolor: n.offboarded ? GREY : undefined,
    label: n.lines.join("\n"),
  });
  return `${indent}${dotString(n.id)} ${a}`;
}

function edgeLine(e: GraphEdge): string {
  return `  ${dotString(e.from)} -> ${dotString(e.to)} ${attrs({
    label: e.label,
    style: e.offboarded ? "dashed" : undefined,
    color: e.offboarded ? GREY : undefined,
    fontcolor: e.offboarded ? GREY : undefined,
  })}`;
}

/** DOT text of the rollout graph. Every node is written once, inside its tenant's cluster or the shared one. */
export function rolloutDot(graph: RolloutGraph): string {
  const out: string[] = [
    "digraph rollout {",
    `  graph ${attrs({
      rankdir: "LR",
      fontname: GRAPH_FONT,
      fontsize: 14,
      label: `kes-vault-kit rollout: ${graph.title}`,
      labelloc: "t",
      labeljust: "l",
      nodesep: 0.25,
      ranksep: 0.45,
      newrank: "true",
      // Tenants top to bottom in the order of the file: Graphviz keeps the initial (definition) order when its
      // crossing minimization runs briefly and not again after the clusters are placed.
      mclimit: 0.01,
      remincross: "false",
    })}`,
    `  node ${attrs({ fontname: GRAPH_FONT, fontsize: 11, margin: "0.12,0.06" })}`,
    `  edge ${attrs({ fontname: GRAPH_FONT, fontsize: 9, color: "#555555", fontcolor: "#555555" })}`,
  ];
  const shared = graph.nodes.filter((n) => n.tenant === undefined);
  out.push(
    `  subgraph "cluster_shared" {`,
    `    graph ${attrs({
      label: graph.sharedStack ? `shared (stack ${graph.sharedStack})` : "shared",
      style: "rounded",
      color: "#777777",
    })}`,
    ...shared.map((n) => nodeLine(n, "    ")),
    "  }",
  );
  graph.clusters.forEach((c) => {
    const nodes = graph.nodes.filter((n) => n.tenant === c.tenant);
    const label = c.offboard
      ? `tenant ${c.tenant}: offboarding, keys ${c.offboard.keys === "delete" ? "deleted" : "kept"} (stack ${c.stack})`
      : `tenant ${c.tenant} (stack ${c.stack})`;
    out.push(
      `  subgraph ${dotString(`cluster_tenant_${c.tenant}`)} {`,
      `    graph ${attrs({
        label,
        style: c.offboard ? "dashed,rounded" : "rounded",
        color: c.offboard ? GREY : "#4a6fa5",
        fontcolor: c.offboard ? GREY : undefined,
      })}`,
      ...nodes.map((n) => nodeLine(n, "    ")),
      "  }",
    );
  });
  out.push(...graph.edges.map(edgeLine), "}", "");
  return out.join("\n");
}
