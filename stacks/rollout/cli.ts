// `npm run rollout -- <diff|deploy> [options]`: pipeline operations over every stack of a tenants rollout.
// Thin: parses arguments, runs stacks/rollout/rollout.ts, prints the summary, sets the exit status
// (0 every stack ok, 1 a stack failed or bad usage, 3 refused: a deployed tenant is missing from the file).
import * as path from "node:path";
import { parseArgs } from "node:util";
import { rolloutDeploy, rolloutDiff, RolloutRefused } from "./rollout";

const USAGE = `usage: npm run rollout -- <diff|deploy> [--tenants FILE] [--parallelism N] [--output DIR] [--outputs-file FILE]
  diff    plan every stack (no plan file is written) and show what would change per tenant
  deploy  apply every stack, offboard tenants marked "offboard:", write the outputs file
  --tenants FILE       tenants file (default: $KVK_TENANTS_FILE)
  --parallelism N      stacks at once (default 4)
  --output DIR         synthesis folder (default cdktf.out)
  --outputs-file FILE  deploy: write { "<tenant>": { "<output>": value } } (no secret among them)
Environment: VAULT_ADDR, VAULT_TOKEN (as for the vault provider), KVK_STATE_DIR, KVK_* as for the cdktf app.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenants: { type: "string" },
      parallelism: { type: "string" },
      output: { type: "string" },
      "outputs-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || (command !== "diff" && command !== "deploy") || positionals.length > 1) {
    console.error(USAGE);
    return values.help ? 0 : 1;
  }
  const tenantsFile = values.tenants ?? process.env.KVK_TENANTS_FILE;
  if (!tenantsFile) {
    console.error("no tenants file: pass --tenants FILE or set KVK_TENANTS_FILE");
    return 1;
  }
  const parallelism = values.parallelism === undefined ? 4 : Number(values.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    console.error(`--parallelism ${JSON.stringify(values.parallelism)} must be a whole number of at least 1`);
    return 1;
  }
  const opts = {
    tenantsFile: path.resolve(tenantsFile),
    workDir: process.cwd(),
    ...(values.output ? { outdir: path.resolve(values.output) } : {}),
    ...(values["outputs-file"] ? { outputsFile: path.resolve(values["outputs-file"]) } : {}),
    env: process.env,
    parallelism,
    log: (line: string) => console.log(line),
  };
  try {
    const report = command === "diff" ? await rolloutDiff(opts) : await rolloutDeploy(opts);
    console.log(`\n${report.summary}`);
    return report.ok ? 0 : 1;
  } catch (err) {
    console.error(`\nrollout ${command}: ${(err as Error).message}`);
    return err instanceof RolloutRefused ? 3 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
