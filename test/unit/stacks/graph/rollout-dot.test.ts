import { dotString, rolloutDot } from "../../../../stacks/graph/rollout-dot";
import { buildRolloutGraph } from "../../../../stacks/graph/rollout-graph";
import { parseTenantsFile } from "../../../../shared/tenants-file";
import { example } from "./fixtures";

/** Node statements of the DOT text: `"<id>" [...]` lines (edges have `->`). */
const nodeStatements = (dot: string) =>
  dot
    .split("\n")
    .filter((l) => /^\s*"[^"]*" \[/.test(l) && !l.includes("->"))
    .map((l) => l.trim());

describe("rollout DOT", () => {
  test.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["a\\b", '"a\\\\b"'],
    ["two\nlines", '"two\\nlines"'],
  ])("GIVEN %j WHEN quoted THEN %s", (input, quoted) => {
    expect(dotString(input)).toBe(quoted);
  });

  test("GIVEN the example WHEN written THEN every node is stated once, in its tenant's cluster or the shared one", () => {
    const graph = buildRolloutGraph(example());
    const dot = rolloutDot(graph);
    const statements = nodeStatements(dot);
    expect(statements).toHaveLength(graph.nodes.length);
    for (const n of graph.nodes)
      expect(statements.filter((s) => s.startsWith(`${dotString(n.id)} [`))).toHaveLength(1);
    expect(dot.match(/subgraph "cluster_/g)).toHaveLength(4);
    const media = dot.slice(dot.indexOf('subgraph "cluster_tenant_media"'));
    expect(media.slice(0, media.indexOf("  }"))).toContain('"kubernetes:media/deployment/keyserver"');
    expect(dot).toContain('rankdir="LR"');
  });

  test("GIVEN an offboarded tenant WHEN written THEN its cluster, nodes and edges are dashed and grey", () => {
    const file = parseTenantsFile(`
vault: { endpoint: https://vault.vault.svc:8200 }
tenants:
  - name: leaving
    offboard: { keys: delete }
  - name: staying
`);
    const dot = rolloutDot(buildRolloutGraph(file));
    expect(dot).toMatch(
      /label="tenant leaving: offboarding, keys deleted \(stack tenants\)", style="dashed,rounded"/,
    );
    const leaving = dot.split("\n").filter((l) => l.includes("kubernetes:leaving/"));
    expect(leaving.length).toBeGreaterThanOrEqual(3); // the key server and MinIO nodes, and edges to them
    for (const l of leaving) expect(l).toContain('style="dashed"');
    const staying = dot.split("\n").filter((l) => l.includes("kubernetes:staying/"));
    for (const l of staying) expect(l).not.toContain("dashed");
  });
});
