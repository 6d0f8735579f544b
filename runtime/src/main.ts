/**
 * Entry point of the key server bundle: parse the sub-command, run it, map errors to exit codes.
 */
import { UsageError } from "./cli/args";
import { IDENTITY_USAGE, runIdentity } from "./cli/identity";
import cluster from "node:cluster";
import { runPrimary } from "./cli/cluster";
import { installSignals, runServer, SERVER_USAGE, serverWorkers } from "./cli/server";
import { SERVER_VERSION } from "./server/version";

const USAGE = `Usage: keyserver <command> [options]

A KES-compatible key server (KES v1 API) keeping keys in Vault/OpenBao, a directory, or memory.

Commands:
  server      start the server (--config FILE, or --dev)
  identity    create an API key or certificate (new), show an identity (of)

${SERVER_USAGE}

${IDENTITY_USAGE}`;

async function main(argv: readonly string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "server": {
      const workers = serverWorkers(rest);
      if (workers > 1 && cluster.isPrimary) await runPrimary(rest, workers);
      else installSignals(await runServer(rest));
      return;
    }
    case "identity":
      runIdentity(rest);
      return;
    case "--version":
    case "version":
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${cmd}": use server or identity`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
