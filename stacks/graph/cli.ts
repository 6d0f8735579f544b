/**
 * `npm run graph -- --tenants FILE [--outputs outputs.json] --out DIR [--font FILE.ttf]`: draws the rollout of a
 * tenants file (and, given the rollout's outputs file, the deployed endpoints) as DIR/rollout.svg and
 * DIR/rollout.png. Thin: parse arguments, read files, build, render, write.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseTenantsFile } from "../../shared/tenants-file";
import { parseDeployedOutputs } from "../../shared/deployed-outputs";
import { renderPng, renderSvg } from "./render";
import { rolloutDot } from "./rollout-dot";
import { buildRolloutGraph } from "./rollout-graph";

const USAGE = "usage: npm run graph -- --tenants FILE [--outputs outputs.json] --out DIR [--font FILE.ttf]";

interface GraphArgs {
  readonly tenants: string;
  readonly outputs?: string;
  readonly out: string;
  readonly fonts: string[];
}

/**
 * Parses the command line.
 * @throws Error with the usage when an option is unknown, lacks its value, or --tenants/--out is missing.
 */
export function parseGraphArgs(argv: readonly string[]): GraphArgs {
  const values: Record<string, string> = {};
  const fonts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (!["--tenants", "--outputs", "--out", "--font"].includes(name))
      throw new Error(`unknown option ${name}: ${USAGE}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new Error(`${name} needs a value: ${USAGE}`);
    if (name === "--font") fonts.push(value);
    else values[name.slice(2)] = value;
  }
  if (values.tenants === undefined || values.out === undefined)
    throw new Error(`--tenants and --out are required: ${USAGE}`);
  return {
    tenants: values.tenants,
    out: values.out,
    fonts,
    ...(values.outputs ? { outputs: values.outputs } : {}),
  };
}

function read(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseGraphArgs(argv);
  const file = parseTenantsFile(read(args.tenants, "tenants file"), `tenants file ${args.tenants}`);
  const deployed = args.outputs
    ? parseDeployedOutputs(read(args.outputs, "outputs file"), `outputs file ${args.outputs}`)
    : undefined;
  const graph = buildRolloutGraph(file, deployed);
  if (graph.unknownDeployedTenants.length > 0) {
    console.warn(
      `note: the outputs file names tenant(s) the tenants file does not (not drawn): ${graph.unknownDeployedTenants.join(", ")}`,
    );
  }
  const svg = await renderSvg(rolloutDot(graph));
  const png = await renderPng(svg, args.fonts.length > 0 ? { fontFiles: args.fonts } : {});
  fs.mkdirSync(args.out, { recursive: true });
  const svgFile = path.join(args.out, "rollout.svg");
  const pngFile = path.join(args.out, "rollout.png");
  fs.writeFileSync(svgFile, svg);
  fs.writeFileSync(pngFile, png);
  console.log(
    `${graph.nodes.length} objects of ${graph.clusters.length} tenant(s) drawn: ${svgFile}, ${pngFile}`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`graph: ${err.message}`);
    process.exit(1);
  });
}
