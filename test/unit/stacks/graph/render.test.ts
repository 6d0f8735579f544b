import * as fs from "node:fs";
import * as path from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { Resvg } from "@resvg/resvg-js";
import { findGraphFontFiles, renderPng, renderSvg } from "../../../../stacks/graph/render";
import { GRAPH_FONT, rolloutDot } from "../../../../stacks/graph/rollout-dot";
import {
  buildRolloutGraph,
  GRAPH_NODE_KINDS,
  type RolloutGraph,
} from "../../../../stacks/graph/rollout-graph";
import { parseTenantsFile } from "../../../../shared/tenants-file";
import { example, twoNamespaces } from "./fixtures";

const DOCS = path.resolve(__dirname, "..", "..", "..", "..", "docs");
const SVG_NS = "http://www.w3.org/2000/svg";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The SVG parsed as XML (xmldom throws on malformed XML), and its Graphviz node and cluster groups. */
function parseSvg(svg: string) {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement as Element;
  const groups = Array.from(root.getElementsByTagNameNS(SVG_NS, "g"));
  const withClass = (c: string) =>
    groups.filter((g) => (g.getAttribute("class") ?? "").split(" ").includes(c));
  const title = (g: Element) => g.getElementsByTagNameNS(SVG_NS, "title")[0]?.textContent ?? "";
  return { root, nodes: withClass("node"), clusters: withClass("cluster"), title };
}

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer) {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function expectOneSvgNodePerObject(svg: string, graph: RolloutGraph) {
  const { root, nodes, clusters, title } = parseSvg(svg);
  expect(root.localName).toBe("svg");
  expect(root.namespaceURI).toBe(SVG_NS);
  expect(nodes).toHaveLength(graph.nodes.length);
  expect(nodes.map(title).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
  for (const kind of GRAPH_NODE_KINDS) {
    const inSvg = nodes.filter((g) => (g.getAttribute("class") ?? "").split(" ").includes(kind)).length;
    expect(`${kind} ${inSvg}`).toBe(`${kind} ${graph.nodes.filter((n) => n.kind === kind).length}`);
  }
  expect(clusters).toHaveLength(graph.clusters.length + 1);
}

describe("rendering", () => {
  test.each([
    ["the example", example],
    ["2 tenants in namespace isolation", twoNamespaces],
  ])("GIVEN %s WHEN rendered THEN a valid SVG with one node per object and a PNG", async (_name, file) => {
    const graph = buildRolloutGraph(file());
    const svg = await renderSvg(rolloutDot(graph));
    expectOneSvgNodePerObject(svg, graph);
    const png = await renderPng(svg, { scale: 1 });
    const { width, height } = pngSize(png);
    // Graphviz gives the size in points; resvg draws 96 pixels per inch (4/3 px per pt).
    const svgWidth = parseSvg(svg).root.getAttribute("width") ?? "";
    expect(svgWidth).toMatch(/^[0-9.]+pt$/);
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
    expect(Math.abs(width - (parseFloat(svgWidth) * 4) / 3)).toBeLessThanOrEqual(2);
  });

  test("GIVEN 8 tenants WHEN rendered THEN their clusters stand top to bottom in the order of the file", async () => {
    const names = ["t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07"];
    const yaml = `vault: { endpoint: https://vault.vault.svc:8200 }\ntenants:\n${names
      .map((n) => `  - name: ${n}${n === "t07" ? "\n    offboard: { keys: keep }" : ""}`)
      .join("\n")}\n`;
    const svg = await renderSvg(rolloutDot(buildRolloutGraph(parseTenantsFile(yaml))));
    const { clusters, title } = parseSvg(svg);
    const top = (g: Element) =>
      parseFloat(g.getElementsByTagNameNS(SVG_NS, "text")[0]?.getAttribute("y") ?? "NaN");
    const tenants = clusters.filter((g) => title(g).startsWith("cluster_tenant_"));
    expect(tenants.every((g) => Number.isFinite(top(g)))).toBe(true);
    const order = [...tenants]
      .sort((a, b) => top(a) - top(b))
      .map((g) => title(g).replace("cluster_tenant_", ""));
    expect(order).toEqual(names);
  });

  test("GIVEN the picture's font WHEN text is drawn THEN pixels are inked (the PNG is not text-less)", () => {
    const fontFiles = findGraphFontFiles();
    expect(fontFiles.length).toBeGreaterThan(0);
    const svg = `<svg xmlns="${SVG_NS}" width="120" height="30"><text x="5" y="22" font-family="${GRAPH_FONT}" font-size="20">Vault</text></svg>`;
    const pixels = new Resvg(svg, {
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: GRAPH_FONT },
    }).render().pixels;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
    expect(inked).toBeGreaterThan(50);
  });

  test("fails when the DOT text is invalid", async () => {
    await expect(renderSvg("digraph { a -> }")).rejects.toThrow(/^graphviz: /);
  });

  test("fails when a font file does not exist", async () => {
    await expect(renderPng("<svg/>", { fontFiles: ["/nonexistent/font.ttf"] })).rejects.toThrow(
      "font file /nonexistent/font.ttf does not exist",
    );
  });

  test("fails when no font file is found", async () => {
    await expect(renderPng("<svg/>", { fontFiles: [] })).rejects.toThrow(
      'no "DejaVu Sans" font file found for the PNG (its text would be blank): install it (Debian: apt-get install fonts-dejavu-core)',
    );
  });
});

describe("the README's picture", () => {
  test("GIVEN examples/tenants.yaml WHEN drawn THEN docs/rollout.svg is what it gives (npm run graph -- --tenants examples/tenants.yaml --out docs)", async () => {
    const svg = await renderSvg(rolloutDot(buildRolloutGraph(example())));
    expect(fs.readFileSync(path.join(DOCS, "rollout.svg"), "utf8")).toBe(svg);
    pngSize(fs.readFileSync(path.join(DOCS, "rollout.png")));
  });
});
